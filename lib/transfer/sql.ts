import { quoteIdent as ident, quoteLiteral as literal, type Column, type ModelTables, type PhysicalModel, type Table } from '../db/index.js'

/**
 * The statements of a transfer, built from the physical model only (names never come from an archive; its
 * values are parameters). An export reads each row as Strapi's entity `data`: JSON built by PostgreSQL, its
 * components and zone items nested in it. An import writes a batch of rows of one table from one jsonb array.
 */

const TIMESTAMP = 'timestamp(6) with time zone'

/** jsonb_build_object takes at most 100 arguments: bigger objects are built in parts and concatenated. */
const PAIRS_PER_CALL = 40

function jsonObject (pairs: ReadonlyArray<readonly [string, string]>): string {
  if (pairs.length === 0) return "'{}'::jsonb"
  const parts: string[] = []
  for (let i = 0; i < pairs.length; i += PAIRS_PER_CALL) {
    parts.push(`jsonb_build_object(${pairs.slice(i, i + PAIRS_PER_CALL).map(([key, value]) => `${literal(key)}, ${value}`).join(', ')})`)
  }
  return parts.join(' || ')
}

/**
 * A column's value as the archive writes it: timestamps in UTC ISO form with milliseconds (microseconds when
 * the row has them, so nothing is lost), dates `YYYY-MM-DD`, times `HH:MM:SS.mmm`, bigints as strings.
 */
function columnValue (column: Column, alias: string): string {
  const ref = `${alias}.${ident(column.name)}`
  switch (column.sqlType) {
    case TIMESTAMP: return `(regexp_replace(to_char(${ref} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), '000$', '') || 'Z')`
    case 'date': return `to_char(${ref}, 'YYYY-MM-DD')`
    case 'time(3)': return `to_char(${ref}, 'HH24:MI:SS.MS')`
    case 'bigint': return `${ref}::text`
    default: return ref
  }
}

/** Fresh aliases for one statement's nested subqueries. */
function aliases (): (prefix: string) => string {
  let n = 0
  return (prefix) => `${prefix}${++n}`
}

/** The jsonb of one row of `entry` (aliased `alias`): its fields, then its components and zones, nested. */
function rowData (physical: PhysicalModel, entry: ModelTables, alias: string, next: (prefix: string) => string, system: readonly string[]): string {
  const pairs: Array<readonly [string, string]> = []
  for (const field of system) {
    const column = entry.columns[field]
    if (column !== undefined) pairs.push([field, columnValue(column, alias)])
  }
  for (const attribute of Object.values(entry.model.attributes)) {
    const column = entry.columns[attribute.name]
    if (column !== undefined && column.field === attribute.name) {
      pairs.push([attribute.name, columnValue(column, alias)])
      continue
    }
    const join = entry.componentJoin
    if (join === undefined) continue
    const joined = (uid: string): { from: string, data: string, j: string } => {
      const component = physical.get(uid)
      const j = next('j')
      const c = next('c')
      return {
        j,
        data: rowData(physical, component, c, next, ['id']),
        from: `${ident(join.name)} ${j} JOIN ${ident(component.table.name)} ${c} ON ${c}."id" = ${j}.${ident(join.componentIdColumn)} ` +
          `WHERE ${j}.${ident(join.entityColumn)} = ${alias}."id" AND ${j}.${ident(join.fieldColumn)} = ${literal(attribute.name)} ` +
          `AND ${j}.${ident(join.componentTypeColumn)} = ${literal(uid)}`
      }
    }
    if (attribute.type === 'component') {
      const { from, data, j } = joined(attribute.component)
      const order = `${j}.${ident(join.orderColumn)}, ${j}."id"`
      pairs.push([attribute.name, attribute.repeatable
        ? `COALESCE((SELECT jsonb_agg(${data} ORDER BY ${order}) FROM ${from}), '[]'::jsonb)`
        : `(SELECT ${data} FROM ${from} ORDER BY ${order} LIMIT 1)`])
    } else if (attribute.type === 'dynamiczone') {
      const z = next('z')
      const items = attribute.components.map((uid) => {
        const { from, data, j } = joined(uid)
        return `SELECT ${data} || jsonb_build_object('__component', ${literal(uid)}) AS v, ${j}.${ident(join.orderColumn)} AS o, ${j}."id" AS i FROM ${from}`
      })
      pairs.push([attribute.name, items.length === 0
        ? "'[]'::jsonb"
        : `COALESCE((SELECT jsonb_agg(${z}.v ORDER BY ${z}.o, ${z}.i) FROM (${items.join(' UNION ALL ')}) ${z}), '[]'::jsonb)`])
    }
  }
  return jsonObject(pairs)
}

const SYSTEM_FIELDS = ['documentId', 'createdAt', 'updatedAt', 'publishedAt', 'locale'] as const

/** One page of a content type's rows, after id `$1`, `$2` at most: `id` and `data` (jsonb as text). */
export function entityPageSql (physical: PhysicalModel, uid: string): string {
  const entry = physical.get(uid)
  const data = rowData(physical, entry, 'a', aliases(), SYSTEM_FIELDS)
  return `SELECT a."id" AS id, (${data})::text AS data FROM ${ident(entry.table.name)} a WHERE a."id" > $1 ORDER BY a."id" LIMIT $2`
}

/** A column's SQL type to cast a text value to (the id's identity clause dropped). */
function castType (column: Column): string {
  return column.primaryKey === true ? 'integer' : column.sqlType
}

/**
 * INSERT of rows given as one jsonb array (`$1`) of objects keyed by column name, in the array's order (so
 * rows whose ids are generated, link and join rows, are numbered as the archive lists them). jsonb columns
 * take the JSON value itself (a JSON null is SQL NULL); other columns cast its text.
 */
export function insertRowsSql (table: string, columns: readonly Column[], where = ''): string {
  const values = columns.map(column => column.sqlType === 'jsonb'
    ? `NULLIF(r -> ${literal(column.name)}, 'null'::jsonb)`
    : `(r ->> ${literal(column.name)})::${castType(column)}`)
  return `INSERT INTO ${ident(table)} (${columns.map(column => ident(column.name)).join(', ')}) SELECT ${values.join(', ')} FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(r, n)${where} ORDER BY n`
}

/**
 * INSERT of link rows (one jsonb array, `$1`), leaving out those whose rows are not there (Strapi's import
 * skips such orphans too) and those already linked; answers how many were written.
 */
export function insertLinksSql (table: string, columns: readonly Column[], exists: ReadonlyArray<{ column: string, table: string }>): string {
  const where = exists.map(({ column, table: target }) => `EXISTS (SELECT 1 FROM ${ident(target)} x WHERE x."id" = (r ->> ${literal(column)})::integer)`)
  const insert = insertRowsSql(table, columns, where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`)
  return `WITH w AS (${insert} ON CONFLICT DO NOTHING RETURNING 1) SELECT count(*)::integer AS n FROM w`
}

/** Sets a table's id sequence past its largest id, so that rows written later get new ids. */
export function resetSequenceSql (table: string): string {
  return `SELECT setval(pg_get_serial_sequence(${literal(ident(table))}, 'id'), COALESCE((SELECT max("id") FROM ${ident(table)}), 0) + 1, false)`
}

/** The tables an import replaces: the model's, but not lib/auth's Users & Permissions tables (see transferredModels). */
export function replacedTables (physical: PhysicalModel): Table[] {
  return physical.tables.filter(table => table.external !== true)
}

/** Empties every table the import replaces at once (one statement, inside the import's transaction). */
export function truncateSql (physical: PhysicalModel): string {
  return `TRUNCATE ${replacedTables(physical).map(table => ident(table.name)).join(', ')}`
}
