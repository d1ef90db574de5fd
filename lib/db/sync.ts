import { sql } from 'drizzle-orm'
import { DestructiveChangeError } from '../errors.js'
import type { Logger } from '../logger.js'
import { executeOn, type Database, type Executor } from './client.js'
import {
  addColumn, addForeignKey, alterColumnType, canonicalType, createIndex, createTable, isSafeWidening, quoteIdent, quoteLiteral
} from './ddl.js'
import { pgErrorOf, SchemaSyncError } from './errors.js'
import { columnName, linkTableName } from './naming.js'
import { isScalar, type ForeignKey, type Index, type PhysicalModel } from './physical.js'
import { buildSnapshot, hashSnapshot, SNAPSHOT_VERSION, type SchemaSnapshot, type SnapshotTable } from './snapshot.js'

/**
 * Schema sync: makes the database match the physical model, at boot.
 *
 * - One transaction under a transaction-level advisory lock, so instances booting together against one
 *   database queue up: the first applies the DDL, the others then find the new hash and do nothing.
 * - Additive changes (tables, columns, indexes, foreign keys, safe type widenings) are applied.
 * - Changes that lose data (dropped columns/tables/component entries, narrowing or converting type changes)
 *   are refused with DestructiveChangeError unless `allowDestructive`.
 * - `renamedFrom` on an attribute renames its column (or link table) instead, keeping the data.
 * - Tables and columns the last snapshot never had are foreign and left alone.
 */

export const SCHEMA_TABLE = 'vellum_schema'
/** `pg_advisory_xact_lock` key: the bytes of "vellum" followed by 0x0001. */
export const SCHEMA_LOCK_KEY = 8531344282205618177n

export interface SyncOptions {
  /** Apply destructive changes (each logged at warn) instead of refusing them. */
  allowDestructive?: boolean
  log: Logger
}

export interface SyncReport {
  /** Statements run, in order (DDL, plus the `_cmps` updates of renamed/removed component attributes). */
  applied: string[]
  /** True when the stored hash matched and nothing was compared or changed. */
  skipped: boolean
}

export interface DestructiveChange {
  kind: 'dropColumn' | 'dropTable' | 'alterType' | 'deleteComponentEntries'
  table: string
  column?: string
  from?: string
  to?: string
  /** One line for the error message and the warn log. */
  description: string
}

interface Step {
  sql: string
  /** The table the statement changes, for the one line per table the sync logs. */
  table?: string
  /** Logged at info (or warn when destructive) once the statement has run. */
  message?: string
  destructive?: DestructiveChange
}

/** The database as the catalog shows it, updated while planning as renames are decided. */
interface DbState {
  /** table → column → format_type() */
  tables: Map<string, Map<string, string>>
  /** index → its table */
  indexes: Map<string, string>
  /** `${table}\0${constraint}` for foreign keys */
  foreignKeys: Set<string>
}

class MissingSchemaTable extends Error {}

const fkKey = (table: string, name: string): string => `${table}\u0000${name}`

async function run (tx: Executor, statement: string): Promise<void> {
  try {
    await tx.execute(sql.raw(statement))
  } catch (err) {
    const pg = pgErrorOf(err)
    const reason = pg === undefined ? (err instanceof Error ? err.message : String(err)) : `${pg.message}${pg.detail === undefined ? '' : ` (${pg.detail})`}`
    throw new SchemaSyncError(`Schema sync failed on \`${statement}\`: ${reason}`, { cause: err, details: { statement, code: pg?.code } })
  }
}

async function readHash (tx: Executor): Promise<string | undefined> {
  try {
    const rows = await executeOn<{ hash: string }>(tx, sql.raw(`select "hash" from ${quoteIdent(SCHEMA_TABLE)} where "id" = 1`))
    return rows[0]?.hash
  } catch (err) {
    // First boot: the table does not exist. The transaction is now aborted; the caller starts over.
    if (pgErrorOf(err)?.code === '42P01') throw new MissingSchemaTable()
    throw err
  }
}

async function readSnapshot (tx: Executor): Promise<SchemaSnapshot | undefined> {
  const rows = await executeOn<{ snapshot: SchemaSnapshot }>(tx, sql.raw(`select "snapshot" from ${quoteIdent(SCHEMA_TABLE)} where "id" = 1`))
  const snapshot = rows[0]?.snapshot
  if (snapshot !== undefined && snapshot.version !== SNAPSHOT_VERSION) {
    throw new SchemaSyncError(`${SCHEMA_TABLE} holds a snapshot of version ${String(snapshot.version)}, written by another vellum version; this one reads version ${SNAPSHOT_VERSION}`)
  }
  return snapshot
}

async function introspect (tx: Executor): Promise<DbState> {
  const columns = await executeOn<{ table: string, column: string | null, type: string | null }>(tx, sql`
    select c.relname as "table", a.attname as "column", format_type(a.atttypid, a.atttypmod) as "type"
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    where n.nspname = current_schema() and c.relkind in ('r', 'p')`)
  const indexes = await executeOn<{ name: string, table: string }>(tx, sql`
    select indexname as "name", tablename as "table" from pg_indexes where schemaname = current_schema()`)
  const fks = await executeOn<{ table: string, name: string }>(tx, sql`
    select cl.relname as "table", con.conname as "name"
    from pg_constraint con
    join pg_class cl on cl.oid = con.conrelid
    join pg_namespace n on n.oid = cl.relnamespace
    where n.nspname = current_schema() and con.contype = 'f'`)
  const state: DbState = { tables: new Map(), indexes: new Map(), foreignKeys: new Set() }
  for (const row of columns) {
    let table = state.tables.get(row.table)
    if (table === undefined) state.tables.set(row.table, table = new Map())
    if (row.column !== null && row.type !== null) table.set(row.column, row.type)
  }
  for (const row of indexes) state.indexes.set(row.name, row.table)
  for (const row of fks) state.foreignKeys.add(fkKey(row.table, row.name))
  return state
}

/** An index's operator class per column (`null`: the default), whether the snapshot spells them out or not. */
const opclassOf = (index: Index, position: number): string | null => index.opclasses?.[position] ?? null

const sameIndex = (a: Index, b: Index): boolean =>
  a.unique === b.unique && (a.where ?? '') === (b.where ?? '') && a.columns.length === b.columns.length &&
  a.columns.every((c, i) => c === b.columns[i] && opclassOf(a, i) === opclassOf(b, i))

const sameForeignKey = (a: ForeignKey, b: ForeignKey): boolean =>
  a.column === b.column && a.foreignTable === b.foreignTable && a.foreignColumn === b.foreignColumn

/** Computes the statements that take the database from `stored` (and what the catalog shows) to `next`. */
function plan (stored: SchemaSnapshot | undefined, next: SchemaSnapshot, physical: PhysicalModel, db: DbState, log: Logger): Step[] {
  const steps: Step[] = []
  const storedTables = new Map((stored?.tables ?? []).map(t => [t.name, t]))
  const nextTables = new Map(next.tables.map(t => [t.name, t]))
  /** old table name → new, and per (new) table: old column → new. */
  const tableRenames = new Map<string, string>()
  const columnRenames = new Map<string, Map<string, string>>()
  const renamedTo = (table: string, column: string): string => columnRenames.get(table)?.get(column) ?? column
  const newTableName = (table: string): string => tableRenames.get(table) ?? table
  /** The stored description of a next table, under its old name if it was renamed. */
  const storedOf = (name: string): SnapshotTable | undefined => {
    for (const [from, to] of tableRenames) if (to === name) return storedTables.get(from)
    return storedTables.get(name)
  }

  // 1. Renames first, so the rest of the plan sees the renamed tables and columns as present.
  for (const entry of physical.models.values()) {
    for (const relation of Object.values(entry.relations)) {
      const { attribute, link } = relation
      if (!attribute.owner || attribute.renamedFrom === undefined) continue
      const scope = relation.morph
      if (scope !== undefined) {
        if (!db.tables.has(link.name)) continue
        // A morph side (media) shares the target's `*_mph` table: its rows carry the attribute's name.
        steps.push({
          table: link.name,
          sql: `UPDATE ${quoteIdent(link.name)} SET ${quoteIdent(scope.fieldColumn)} = ${quoteLiteral(attribute.name)} WHERE ${quoteIdent(scope.typeColumn)} = ${quoteLiteral(scope.type)} AND ${quoteIdent(scope.fieldColumn)} = ${quoteLiteral(attribute.renamedFrom)}`,
          message: `renamed the links of ${entry.uid}.${attribute.renamedFrom} in ${link.name} to ${attribute.name}`
        })
        continue
      }
      const from = linkTableName(entry.table.name, attribute.renamedFrom)
      if (!db.tables.has(from) || db.tables.has(link.name)) continue
      steps.push({ table: link.name, sql: `ALTER TABLE ${quoteIdent(from)} RENAME TO ${quoteIdent(link.name)}`, message: `renamed table ${from} to ${link.name} (${entry.uid}.${attribute.name} was ${attribute.renamedFrom})` })
      tableRenames.set(from, link.name)
      db.tables.set(link.name, db.tables.get(from)!)
      db.tables.delete(from)
      for (const [index, table] of db.indexes) if (table === from) db.indexes.set(index, link.name)
      for (const key of [...db.foreignKeys]) {
        const [table, name] = key.split('\u0000') as [string, string]
        if (table === from) { db.foreignKeys.delete(key); db.foreignKeys.add(fkKey(link.name, name)) }
      }
    }
    const columns = db.tables.get(entry.table.name)
    if (columns === undefined) continue
    for (const attribute of Object.values(entry.model.attributes)) {
      if (!isScalar(attribute) || attribute.renamedFrom === undefined) continue
      const to = entry.columns[attribute.name]!.name
      const from = columnName(attribute.renamedFrom)
      if (!columns.has(from) || columns.has(to)) continue
      steps.push({ table: entry.table.name, sql: `ALTER TABLE ${quoteIdent(entry.table.name)} RENAME COLUMN ${quoteIdent(from)} TO ${quoteIdent(to)}`, message: `renamed column ${entry.table.name}.${from} to ${to} (${entry.uid}.${attribute.name} was ${attribute.renamedFrom})` })
      let renames = columnRenames.get(entry.table.name)
      if (renames === undefined) columnRenames.set(entry.table.name, renames = new Map())
      renames.set(from, to)
      columns.set(to, columns.get(from)!)
      columns.delete(from)
    }
  }

  // 2. Tables and columns: create what is missing, change column types.
  for (const table of next.tables) {
    const existing = db.tables.get(table.name)
    if (existing === undefined) {
      steps.push({ table: table.name, sql: createTable(table.name, table.columns), message: `created table ${table.name}` })
      db.tables.set(table.name, new Map(table.columns.map(c => [c.name, c.sqlType])))
      continue
    }
    const before = storedOf(table.name)
    for (const column of table.columns) {
      const actual = existing.get(column.name)
      if (actual === undefined) {
        steps.push({ table: table.name, sql: addColumn(table.name, column), message: `added column ${table.name}.${column.name} ${column.sqlType}` })
        existing.set(column.name, column.sqlType)
        continue
      }
      if (canonicalType(actual) === canonicalType(column.sqlType)) continue
      const ours = before?.columns.some(c => renamedTo(table.name, c.name) === column.name) ?? false
      if (!ours) {
        log.warn({ table: table.name, column: column.name, actual, expected: column.sqlType }, 'a column vellum did not create has another type than the model expects; left unchanged')
        continue
      }
      const statement = alterColumnType(table.name, column.name, column.sqlType)
      if (isSafeWidening(actual, column.sqlType)) {
        steps.push({ table: table.name, sql: statement, message: `widened ${table.name}.${column.name} from ${actual} to ${column.sqlType}` })
      } else {
        steps.push({
          sql: statement,
          destructive: {
            kind: 'alterType',
            table: table.name,
            column: column.name,
            from: actual,
            to: column.sqlType,
            description: `change the type of "${table.name}"."${column.name}" from ${actual} to ${column.sqlType} (not a safe widening: values may be converted, truncated or rejected)`
          }
        })
      }
    }
  }

  // 3. Component attributes renamed: their entries in `_cmps` follow.
  for (const entry of physical.models.values()) {
    const join = entry.componentJoin
    const before = join === undefined ? undefined : storedTables.get(join.name)?.fields
    if (join === undefined || before === undefined || !db.tables.has(join.name)) continue
    for (const attribute of Object.values(entry.model.attributes)) {
      if ((attribute.type !== 'component' && attribute.type !== 'dynamiczone') || attribute.renamedFrom === undefined) continue
      if (!before.includes(attribute.renamedFrom) || before.includes(attribute.name)) continue
      steps.push({
        table: join.name,
        sql: `UPDATE ${quoteIdent(join.name)} SET ${quoteIdent(join.fieldColumn)} = ${quoteLiteral(attribute.name)} WHERE ${quoteIdent(join.fieldColumn)} = ${quoteLiteral(attribute.renamedFrom)}`,
        message: `moved the component entries of ${entry.uid}.${attribute.renamedFrom} to ${attribute.name}`
      })
    }
  }

  // 4. Indexes and foreign keys (after every table exists). Renames are matched by definition.
  for (const table of next.tables) {
    const before = storedOf(table.name)
    const mapIndex = (index: Index): Index => ({ ...index, columns: index.columns.map(c => renamedTo(table.name, c)) })
    const mapForeignKey = (fk: ForeignKey): ForeignKey => ({ ...fk, column: renamedTo(table.name, fk.column), foreignTable: newTableName(fk.foreignTable) })
    const wanted = new Set(table.indexes.map(i => i.name))
    const obsoleteIndexes = (before?.indexes ?? []).filter(i => !wanted.has(i.name) && db.indexes.get(i.name) === table.name).map(mapIndex)
    for (const index of table.indexes) {
      const previous = before?.indexes.find(i => i.name === index.name)
      if (db.indexes.get(index.name) === table.name) {
        if (previous === undefined || sameIndex(mapIndex(previous), index)) continue
        steps.push({ table: table.name, sql: `DROP INDEX IF EXISTS ${quoteIdent(index.name)}`, message: `dropped index ${index.name} to rebuild it` })
      } else {
        const match = obsoleteIndexes.findIndex(i => sameIndex(i, index))
        if (match >= 0) {
          const [old] = obsoleteIndexes.splice(match, 1)
          steps.push({ table: table.name, sql: `ALTER INDEX ${quoteIdent(old!.name)} RENAME TO ${quoteIdent(index.name)}`, message: `renamed index ${old!.name} to ${index.name}` })
          db.indexes.delete(old!.name)
          db.indexes.set(index.name, table.name)
          continue
        }
      }
      steps.push({ table: table.name, sql: createIndex(table.name, index), message: `created index ${index.name}` })
      db.indexes.set(index.name, table.name)
    }
    // Dropping an index loses no data: a unique attribute turned off must stop being enforced.
    for (const index of obsoleteIndexes) {
      steps.push({ table: table.name, sql: `DROP INDEX IF EXISTS ${quoteIdent(index.name)}`, message: `dropped index ${index.name} (no longer in the model)` })
      db.indexes.delete(index.name)
    }

    const wantedFks = new Set(table.foreignKeys.map(f => f.name))
    const obsoleteFks = (before?.foreignKeys ?? []).filter(f => !wantedFks.has(f.name) && db.foreignKeys.has(fkKey(table.name, f.name))).map(mapForeignKey)
    for (const fk of table.foreignKeys) {
      const previous = before?.foreignKeys.find(f => f.name === fk.name)
      if (db.foreignKeys.has(fkKey(table.name, fk.name))) {
        if (previous === undefined || sameForeignKey(mapForeignKey(previous), fk)) continue
        steps.push({ table: table.name, sql: `ALTER TABLE ${quoteIdent(table.name)} DROP CONSTRAINT IF EXISTS ${quoteIdent(fk.name)}`, message: `dropped foreign key ${fk.name} to rebuild it` })
      } else {
        const match = obsoleteFks.findIndex(f => sameForeignKey(f, fk))
        if (match >= 0) {
          const [old] = obsoleteFks.splice(match, 1)
          steps.push({ table: table.name, sql: `ALTER TABLE ${quoteIdent(table.name)} RENAME CONSTRAINT ${quoteIdent(old!.name)} TO ${quoteIdent(fk.name)}`, message: `renamed foreign key ${old!.name} to ${fk.name}` })
          continue
        }
      }
      steps.push({ table: table.name, sql: addForeignKey(table.name, fk), message: `created foreign key ${fk.name}` })
    }
    for (const fk of obsoleteFks) {
      steps.push({ table: table.name, sql: `ALTER TABLE ${quoteIdent(table.name)} DROP CONSTRAINT IF EXISTS ${quoteIdent(fk.name)}`, message: `dropped foreign key ${fk.name} (no longer in the model)` })
    }
  }

  // 5. What the model no longer has: destructive.
  for (const table of next.tables) {
    const before = storedOf(table.name)
    const columns = db.tables.get(table.name)
    if (before === undefined || columns === undefined) continue
    const wanted = new Set(table.columns.map(c => c.name))
    for (const column of before.columns) {
      const name = renamedTo(table.name, column.name)
      if (wanted.has(name) || !columns.has(name)) continue
      // A link table's order column holds positions only (earlier vellum versions also kept one for the unused side of
      // a unidirectional relation): left in place, unread, rather than refusing to boot over it.
      if (table.kind === 'link' && (column.field === 'sourceOrder' || column.field === 'targetOrder')) {
        log.info({ table: table.name, column: name }, `column ${table.name}.${name} is no longer used (relation order); left in place`)
        continue
      }
      steps.push({
        sql: `ALTER TABLE ${quoteIdent(table.name)} DROP COLUMN ${quoteIdent(name)}`,
        destructive: {
          kind: 'dropColumn',
          table: table.name,
          column: name,
          from: columns.get(name),
          description: `drop column "${table.name}"."${name}" (${columns.get(name)!}): ${table.kind === 'model' ? `attribute ${column.field} of ${table.uid}` : `${column.field} column`} is no longer in the model`
        }
      })
    }
    if (before.fields !== undefined) {
      const renamedFrom = new Set(Object.values(physical.get(table.uid).model.attributes).map(a => a.renamedFrom).filter(n => n !== undefined))
      for (const field of before.fields) {
        if (table.fields?.includes(field) === true || renamedFrom.has(field)) continue
        steps.push({
          sql: `DELETE FROM ${quoteIdent(table.name)} WHERE ${quoteIdent('field')} = ${quoteLiteral(field)}`,
          destructive: {
            kind: 'deleteComponentEntries',
            table: table.name,
            column: field,
            description: `delete the entries of component attribute ${field} of ${table.uid} from "${table.name}" (the attribute is no longer in the model)`
          }
        })
      }
    }
  }
  const removed = (stored?.tables ?? []).filter(t => !nextTables.has(t.name) && !tableRenames.has(t.name) && db.tables.has(t.name))
  // Tables with foreign keys (link and _cmps tables) go before the model tables they point at.
  removed.sort((a, b) => Number(b.foreignKeys.length > 0) - Number(a.foreignKeys.length > 0))
  for (const table of removed) {
    const what = table.kind === 'model' ? `${table.uid} is no longer in the model` : table.kind === 'link' ? `relation ${table.uid}.${table.attribute ?? '?'} is no longer in the model` : `${table.uid} has no component attributes any more`
    steps.push({
      sql: `DROP TABLE ${quoteIdent(table.name)}`,
      destructive: { kind: 'dropTable', table: table.name, description: `drop table "${table.name}" with its rows: ${what}` }
    })
  }
  return steps
}

function destructiveMessage (changes: DestructiveChange[]): string {
  return [
    `Schema sync refused ${changes.length} destructive change${changes.length === 1 ? '' : 's'} (data would be lost):`,
    ...changes.map(c => `  - ${c.description}`),
    'To apply them, set the plugin option `sync: { allowDestructive: true }` (back up the database first).',
    "If an attribute was renamed, set `renamedFrom: '<old name>'` on it instead: its column (or link table) is renamed and the data kept."
  ].join('\n')
}

/** Brings the database schema in line with the physical model. See the module comment. */
export async function syncSchema (database: Database, physical: PhysicalModel, options: SyncOptions): Promise<SyncReport> {
  const { log } = options
  const next = buildSnapshot(physical)
  const hash = hashSnapshot(next)
  if (next.tables.some(t => t.name === SCHEMA_TABLE)) {
    throw new SchemaSyncError(`The table name ${SCHEMA_TABLE} is reserved for vellum's schema metadata; choose another collectionName`)
  }

  const attempt = (bootstrap: boolean): Promise<SyncReport> => database.drizzle.transaction(async tx => {
    const applied: string[] = []
    // What changed, one line per table once the statements ran (a Strapi database gets a handful of lines, not one per index).
    const changes = new Map<string, string[]>()
    const apply = async (step: Step): Promise<void> => {
      log.debug({ sql: step.sql }, 'schema sync statement')
      await run(tx, step.sql)
      applied.push(step.sql)
      if (step.destructive !== undefined) log.warn({ change: step.destructive }, `destructive schema change applied: ${step.destructive.description}`)
      else if (step.message !== undefined) {
        const table = step.table ?? ''
        changes.set(table, [...changes.get(table) ?? [], step.message])
      }
    }
    const report = (): void => {
      for (const [table, messages] of changes) log.info({ table, changes: messages.length }, table === '' ? messages.join('; ') : `${table}: ${messages.join('; ')}`)
    }

    await run(tx, `select pg_advisory_xact_lock(${SCHEMA_LOCK_KEY})`)
    let storedHash: string | undefined
    if (bootstrap) {
      // Another instance may have created it while we waited for the lock.
      const [found] = await executeOn<{ table: string | null }>(tx, sql`select to_regclass(${quoteIdent(SCHEMA_TABLE)})::text as "table"`)
      if (found?.table === null || found?.table === undefined) {
        await apply({
          table: SCHEMA_TABLE,
          sql: `CREATE TABLE IF NOT EXISTS ${quoteIdent(SCHEMA_TABLE)} ("id" integer PRIMARY KEY CHECK ("id" = 1), "hash" text NOT NULL, "snapshot" jsonb NOT NULL, "synced_at" timestamp(6) with time zone NOT NULL DEFAULT now())`,
          message: `created table ${SCHEMA_TABLE}`
        })
      } else {
        storedHash = await readHash(tx)
      }
    } else {
      storedHash = await readHash(tx)
    }
    if (storedHash === hash) {
      report()
      log.debug({ hash }, 'database schema up to date')
      return { applied, skipped: true }
    }

    const stored = storedHash === undefined ? undefined : await readSnapshot(tx)
    const steps = plan(stored, next, physical, await introspect(tx), log)
    const destructive = steps.flatMap(s => s.destructive === undefined ? [] : [s.destructive])
    if (destructive.length > 0 && options.allowDestructive !== true) {
      throw new DestructiveChangeError(destructiveMessage(destructive), { changes: destructive })
    }
    for (const step of steps) await apply(step)
    report()
    await tx.execute(sql`
      insert into ${sql.identifier(SCHEMA_TABLE)} ("id", "hash", "snapshot", "synced_at")
      values (1, ${hash}, ${JSON.stringify(next)}::jsonb, now())
      on conflict ("id") do update set "hash" = excluded."hash", "snapshot" = excluded."snapshot", "synced_at" = excluded."synced_at"`)
    log.info({ statements: steps.length, tables: next.tables.length }, steps.length === 0 ? 'database schema already matched the model' : 'database schema synced')
    return { applied, skipped: false }
  })

  try {
    return await attempt(false)
  } catch (err) {
    if (err instanceof MissingSchemaTable) return await attempt(true)
    throw err
  }
}
