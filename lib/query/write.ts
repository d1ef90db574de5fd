import { sql, type SQL } from 'drizzle-orm'
import type { RelationLink, Statement } from '../db/index.js'
import { ValidationError } from '../errors.js'
import type { ComponentItem, ComponentWrite, MorphItem, MorphWrite, RelationWrite, WriteData } from './data.js'
import { placeAt } from './payload.js'
import type { SelectPlan } from './ast.js'
import type { Catalog, FieldInfo, ModelInfo } from './model.js'
import { buildRow, entryJson, type Entry } from './select.js'
import { castInput, type SqlValue, textArray } from './values.js'
import { prepared } from './prepared.js'
import { uidPickCtes } from './uid.js'
import { column, ident, literal, param, scopeOf } from './where.js'

/** The constant columns a morph side's new rows carry, appended to an INSERT's columns and values. */
function addScopeColumns (rel: RelationLink, columns: SQL[], values: SQL[]): void {
  const { morph } = rel
  if (morph === undefined) return
  columns.push(ident(morph.typeColumn), ident(morph.fieldColumn))
  values.push(literal(morph.type), literal(morph.field))
}

/**
 * Row writes for one action: model rows, link rows (with the order columns of both sides) and component
 * rows with their `_cmps` join rows. Runs inside the action's transaction; every statement goes through
 * `exec`, so it joins whatever transaction is open.
 */

export type Exec = (query: SQL | Statement) => Promise<Array<Record<string, unknown>>>

/** The links of one relation of a new document, by the related documents' ids (see `DocumentInsert`). */
export interface DocumentLinks {
  link: RelationLink
  target: ModelInfo
  /** Documents named by `set`/`connect`: each must have a row to link (distinct). */
  checked: string[]
  /** The documents linked, in order (a subset of `checked`). */
  final: string[]
  /** The target rows' locale (localized targets). */
  locale?: string
}

/** One row of a new document: its draft, or its published row (written after the draft, so with a higher id). */
export interface DocumentRow {
  createdAt: string
  updatedAt: string
  publishedAt: string | null
}

/**
 * A new document's rows (draft and published, or its single row), their owning-side links, a generated uid and,
 * on a single row, its components without relations or components of their own, written by one statement. A draft links its targets' drafts (the first row of a target without draft &
 * publish); a published row their published rows, or their drafts while they have none (pending links).
 */
export interface DocumentInsert {
  /** Scalars shared by the rows (documentId and locale included); per-row timestamps are in `rows`. */
  data: WriteData
  rows: DocumentRow[]
  relations: DocumentLinks[]
  /** A uid picked in the statement: `base`, else `base-1`, `base-2`… unused by other documents and not in `skip`. */
  uid?: { field: FieldInfo, base: string, skip: string[], documentId: string, locale?: string }
  /** A row that loses the generated uid to a concurrent write is skipped (no row, no link written) instead of failing. */
  yieldUid: boolean
  /** The last row is answered as this select (which populates nothing) reads it (`DocumentInserted.entry`). */
  entry?: SelectPlan
}

export interface DocumentInserted {
  /** The rows' ids in `rows` order; fewer when a row yielded its uid, none when a target was missing. */
  ids: number[]
  uid?: string
  /** Per relation, the documents of `checked` found. */
  found: string[][]
  /** The last row, when `entry` was asked for and every row was written. */
  entry?: Entry
}

function parseJson<T> (value: unknown, fallback: T): T {
  if (value === null || value === undefined) return fallback
  return (typeof value === 'string' ? JSON.parse(value) : value) as T
}

export interface Writer {
  /** Inserts one row with its links (one statement) and components; returns its id. */
  create: (info: ModelInfo, data: WriteData) => Promise<number>
  /** Inserts many rows (one statement when they carry no links or components); returns their ids in order. */
  createMany: (info: ModelInfo, rows: WriteData[]) => Promise<number[]>
  /** Updates one row's columns, links and components (see update below); undefined when no row matched. */
  update: (info: ModelInfo, target: number | SQL, data: WriteData) => Promise<UpdatedRow | undefined>
  /** Updates many rows (one statement when no links or components change). */
  updateMany: (info: ModelInfo, ids: number[], data: WriteData) => Promise<void>
  /** Deletes rows with every link pointing at them and their component rows (recursively). */
  remove: (info: ModelInfo, ids: number[]) => Promise<void>
  /** Writes a new document (its rows, links and generated uid) in one statement. */
  insertDocument: (info: ModelInfo, plan: DocumentInsert) => Promise<DocumentInserted>
}

/** The row an update wrote: what a read-back of `select: ['id']` would give. */
export interface UpdatedRow {
  id: number
  /** On models with documents. */
  documentId?: string | null
}

/** A row's links of one relation: [target id, order] in order. */
interface LinkState {
  links: Array<[number, number | null]>
}

function updatedRow (row: Record<string, unknown>): UpdatedRow {
  return { id: Number(row.id), ...('documentId' in row && { documentId: row.documentId === null ? null : String(row.documentId) }) }
}

const ids = (list: number[]): SQL => sql`ANY(${sql.param(list)}::integer[])`

function idsOf (rows: Array<Record<string, unknown>>, key = 'id'): number[] {
  return rows.map(r => Number(r[key]))
}

/** The targets named by `set` and `connect` (each must exist, even when a disconnect then drops it). */
function referencedIds (write: RelationWrite): number[] {
  return [...new Set([...(write.ops.set ?? []), ...write.ops.connect].map(i => i.id))]
}

/**
 * The other side holds at most one row (oneToOne, oneToMany) and the relation is two-way (either side):
 * linking takes the target from its previous owner, never from the other rows of the same document (its
 * draft, published row and locales), as in Strapi. A one-way relation has no inverse side to keep single, so
 * Strapi leaves a target linked from a second owner linked to the first too (@strapi/database
 * `deletePreviousOneToAnyRelations` runs only when `isBidirectional && isOneToAny`).
 */
function takesFromOthers (write: RelationWrite): boolean {
  const { relation: kind, inversedBy, mappedBy } = write.link.attribute
  return (kind === 'oneToOne' || kind === 'oneToMany') && (inversedBy !== undefined || mappedBy !== undefined)
}

/**
 * The DELETE that takes `targets` from rows of other documents (see takesFromOthers). `row` is a FROM clause
 * yielding the written row (its documentId is read from it); `selfId`, when the row exists, spares its own links.
 */
function takeStatement (info: ModelInfo, write: RelationWrite, targets: number[], row: SQL, selfId?: number): SQL {
  const { link: rel } = write
  const self = ident(rel.selfColumn)
  const documentId = info.fields.get('documentId')
  const own = selfId === undefined ? sql`` : sql` AND ${self} <> ${selfId}::integer`
  const siblings = documentId === undefined
    ? sql``
    : sql` AND ${self} NOT IN (SELECT s."id" FROM ${ident(info.table)} s WHERE s.${ident(documentId.column)} = (SELECT ${ident(documentId.column)} FROM ${row}))`
  return sql`DELETE FROM ${ident(rel.link.name)} WHERE ${ident(rel.otherColumn)} = ${ids(targets)}${own}${siblings}`
}

function requireTargets (write: RelationWrite, missing: number[]): void {
  if (missing.length === 0) return
  throw ValidationError.fromItems([{
    path: [write.name],
    message: `${write.name}: no ${write.target.uid} with id ${missing.join(', ')}`,
    name: 'ValidationError',
    value: missing
  }])
}

export function createWriter (catalog: Catalog, exec: Exec): Writer {
  const defaultsCache = new Map<string, Array<{ field: FieldInfo, value: SqlValue }>>()

  /** Attribute defaults applied on insert (the columns themselves have none). */
  function defaultsOf (info: ModelInfo): Array<{ field: FieldInfo, value: SqlValue }> {
    let defaults = defaultsCache.get(info.uid)
    if (defaults === undefined) {
      defaults = []
      for (const field of info.fields.values()) {
        const value = field.attribute?.default
        if (value === undefined) continue
        const cast = castInput(field.type, value)
        if (cast.ok) defaults.push({ field, value: cast.value })
      }
      defaultsCache.set(info.uid, defaults)
    }
    return defaults
  }

  function withDefaults (info: ModelInfo, data: WriteData): Map<string, { field: FieldInfo, value: SqlValue }> {
    const values = new Map(data.scalars)
    for (const entry of defaultsOf(info)) if (!values.has(entry.field.name)) values.set(entry.field.name, entry)
    return values
  }

  /** The INSERT of one row, attribute defaults applied. */
  function insertStatement (info: ModelInfo, data: WriteData, returning: SQL): SQL {
    const values = [...withDefaults(info, data).values()]
    return values.length === 0
      ? sql`INSERT INTO ${ident(info.table)} DEFAULT VALUES RETURNING ${returning}`
      : sql`INSERT INTO ${ident(info.table)} (${sql.join(values.map(v => ident(v.field.column)), sql`, `)}) VALUES (${sql.join(values.map(v => param(v.field.type, v.value)), sql`, `)}) RETURNING ${returning}`
  }

  async function insertRow (info: ModelInfo, data: WriteData): Promise<number> {
    const [row] = await exec(prepared(insertStatement(info, data, sql`"id"`)))
    return Number(row?.id)
  }

  /**
   * The CTEs writing relation `n` of the row that CTE "new_row" inserts: the targets found, the links other
   * documents' rows lose (see takesFromOthers), and the new links, each only when its target exists.
   */
  function newLinks (info: ModelInfo, n: number, write: RelationWrite, referenced: number[]): SQL[] {
    const { link: rel } = write
    const table = ident(rel.link.name)
    const other = ident(rel.otherColumn)
    const found = sql.identifier(`found_${n}`)
    const ctes = [sql`${found} AS (SELECT "id" FROM ${ident(write.target.table)} WHERE "id" = ${ids(referenced)})`]
    const list = finalList(write, [])
    if (list.length === 0) return ctes
    if (takesFromOthers(write)) ctes.push(sql`${sql.identifier(`take_${n}`)} AS (${takeStatement(info, write, list, sql`"new_row"`)})`)
    const columns = [ident(rel.selfColumn), other]
    const values = [sql`"new_row"."id"`, sql`v."id"`]
    if (rel.orderColumn !== undefined) {
      columns.push(ident(rel.orderColumn))
      values.push(sql`v."ord"::double precision`)
    }
    if (rel.otherOrderColumn !== undefined) {
      // Appended last among the other row's own list.
      columns.push(ident(rel.otherOrderColumn))
      values.push(sql`(SELECT coalesce(max(${ident(rel.otherOrderColumn)}), 0) + 1 FROM ${table} WHERE ${other} = v."id")`)
    }
    addScopeColumns(rel, columns, values)
    ctes.push(sql`${sql.identifier(`link_${n}`)} AS (INSERT INTO ${table} (${sql.join(columns, sql`, `)}) SELECT ${sql.join(values, sql`, `)} FROM "new_row", unnest(${sql.param(list)}::integer[]) WITH ORDINALITY AS v("id", "ord") WHERE v."id" IN (SELECT "id" FROM ${found}) ORDER BY v."ord")`)
    return ctes
  }

  /**
   * Inserts a row and the links of its relations in one statement: a new row has no links to read, and the
   * statement returns the targets it found, so missing ones are reported (the action's transaction then rolls
   * the row back) without a separate check.
   */
  async function insertWithLinks (info: ModelInfo, data: WriteData, components: ComponentWrite[]): Promise<number> {
    const checks = data.relations.flatMap(write => {
      const referenced = referencedIds(write)
      return referenced.length === 0 ? [] : [{ write, referenced }]
    })
    if (checks.length === 0 && components.length === 0) return await insertRow(info, data)
    const documentId = info.fields.get('documentId')
    const returning = documentId === undefined ? sql`"id"` : sql`"id", ${ident(documentId.column)}`
    const ctes = [sql`"new_row" AS (${insertStatement(info, data, returning)})`]
    for (const [n, { write, referenced }] of checks.entries()) ctes.push(...newLinks(info, n, write, referenced))
    ctes.push(...componentRows(info, components))
    const foundLists = checks.map((_, n) => sql`(SELECT json_agg("id") FROM ${sql.identifier(`found_${n}`)})`)
    const [row] = await exec(prepared(sql`WITH ${sql.join(ctes, sql`, `)} SELECT "id", json_build_array(${sql.join(foundLists, sql`, `)}) AS "found" FROM "new_row"`))
    const found = (row?.found ?? []) as Array<number[] | null>
    for (const [n, { write, referenced }] of checks.entries()) {
      const present = new Set(found[n] ?? [])
      requireTargets(write, referenced.filter(id => !present.has(id)))
    }
    return Number(row?.id)
  }

  /** The final list of related ids after set / disconnect / connect, in order. */
  function finalList (write: RelationWrite, current: number[]): number[] {
    const { ops } = write
    const toMany = write.link.attribute.toMany
    let list = ops.set === undefined ? [...current] : [...new Set(ops.set.map(i => i.id))]
    const removed = new Set(ops.disconnect.map(i => i.id))
    list = list.filter(id => !removed.has(id))
    for (const item of ops.connect) {
      list = list.filter(id => id !== item.id)
      placeAt(list, item.id, item.position, anchor => anchor.id)
    }
    // To-one: the last one given wins.
    return toMany ? list : list.slice(-1)
  }

  /**
   * The statements changing one relation's links from `state` (read with the row) to the final list: removed
   * links, links taken from other documents (see takesFromOthers), new links and renumbered kept ones. Their
   * rows are disjoint, so they run together as CTEs of one statement. Arrays travel as parameters, so the
   * text depends on the payload's shape only.
   */
  function linkChanges (info: ModelInfo, selfId: number, write: RelationWrite, state: LinkState): SQL[] {
    const { link: rel } = write
    const table = ident(rel.link.name)
    const self = ident(rel.selfColumn)
    const other = ident(rel.otherColumn)
    const current = state.links.map(([id]) => id)
    const list = finalList(write, current)
    const removed = current.filter(id => !list.includes(id))
    const added = list.filter(id => !current.includes(id))
    const changes: SQL[] = []
    if (removed.length > 0) changes.push(sql`DELETE FROM ${table} WHERE ${self} = ${selfId}::integer AND ${other} = ${ids(removed)}${scopeOf(rel)}`)
    if (added.length > 0 && takesFromOthers(write)) {
      changes.push(takeStatement(info, write, added, sql`${ident(info.table)} WHERE "id" = ${selfId}::integer`, selfId))
    }
    const position = (id: number): number => list.indexOf(id) + 1
    if (added.length > 0) {
      const columns = [self, other]
      const values = [sql`${selfId}::integer`, sql`v."id"`]
      if (rel.orderColumn !== undefined) {
        columns.push(ident(rel.orderColumn))
        values.push(sql`v."ord"`)
      }
      if (rel.otherOrderColumn !== undefined) {
        // Appended last among the other row's own list.
        columns.push(ident(rel.otherOrderColumn))
        values.push(sql`(SELECT coalesce(max(${ident(rel.otherOrderColumn)}), 0) + 1 FROM ${table} WHERE ${other} = v."id")`)
      }
      addScopeColumns(rel, columns, values)
      changes.push(sql`INSERT INTO ${table} (${sql.join(columns, sql`, `)}) SELECT ${sql.join(values, sql`, `)} FROM unnest(${sql.param(added)}::integer[], ${sql.param(added.map(position))}::double precision[]) AS v("id", "ord")`)
    }
    if (rel.orderColumn !== undefined) {
      const stored = new Map(state.links)
      const moved = list.filter((id, index) => stored.has(id) && stored.get(id) !== index + 1)
      if (moved.length > 0) {
        changes.push(sql`UPDATE ${table} AS l SET ${ident(rel.orderColumn)} = v."ord" FROM unnest(${sql.param(moved)}::integer[], ${sql.param(moved.map(position))}::double precision[]) AS v("id", "ord") WHERE l.${self} = ${selfId}::integer AND l.${other} = v."id"${scopeOf(rel, 'l')}`)
      }
    }
    return changes
  }

  /** Per relation: its targets found among those `set`/`connect` name, and the row's current links in order. */
  function linkStates (data: WriteData): SQL {
    const states = data.relations.map((write) => {
      const { link: rel } = write
      const referenced = referencedIds(write)
      const found = referenced.length === 0
        ? sql`'[]'::json`
        : sql`(SELECT coalesce(json_agg("id"), '[]'::json) FROM ${ident(write.target.table)} WHERE "id" = ${ids(referenced)})`
      const ord = rel.orderColumn === undefined ? sql`NULL` : ident(rel.orderColumn)
      const order = rel.orderColumn === undefined ? sql`"id"` : sql`${ident(rel.orderColumn)}, "id"`
      const links = sql`(SELECT coalesce(json_agg(json_build_array(${ident(rel.otherColumn)}, ${ord}) ORDER BY ${order}), '[]'::json) FROM ${ident(rel.link.name)} WHERE ${ident(rel.selfColumn)} = t."id"${scopeOf(rel)})`
      return sql`json_build_array(${found}, ${links})`
    })
    return states.length === 0 ? sql`'[]'::json` : sql`json_build_array(${sql.join(states, sql`, `)})`
  }

  async function writeComponents (info: ModelInfo, entityId: number, write: ComponentWrite, creating: boolean): Promise<void> {
    const join = info.componentJoin
    if (join === undefined) throw new Error(`${info.uid} has no component join table`)
    const table = ident(join.name)
    const existing = creating
      ? []
      : (await exec(prepared(sql`SELECT ${ident(join.componentIdColumn)} AS "id", ${ident(join.componentTypeColumn)} AS "type" FROM ${table} WHERE ${ident(join.entityColumn)} = ${entityId}::integer AND ${ident(join.fieldColumn)} = ${write.name}::text`)))
          .map(r => ({ id: Number(r.id), type: String(r.type) }))
    const kept: Array<{ id: number, type: string }> = []
    for (const [index, item] of write.items.entries()) {
      kept.push({ id: await writeComponentItem(item, existing, [write.name, String(index)]), type: item.info.uid })
    }
    const keptKeys = new Set(kept.map(k => `${k.type}:${k.id}`))
    const removed = existing.filter(e => !keptKeys.has(`${e.type}:${e.id}`))
    if (existing.length > 0) {
      await exec(prepared(sql`DELETE FROM ${table} WHERE ${ident(join.entityColumn)} = ${entityId}::integer AND ${ident(join.fieldColumn)} = ${write.name}::text`))
    }
    for (const type of new Set(removed.map(r => r.type))) {
      await remove(catalog.get(type), removed.filter(r => r.type === type).map(r => r.id))
    }
    if (kept.length > 0) {
      const rows = kept.map((k, index) => sql`(${entityId}::integer, ${k.id}::integer, ${k.type}::text, ${write.name}::text, ${joinOrder(write, index)}::double precision)`)
      await exec(sql`INSERT INTO ${table} (${ident(join.entityColumn)}, ${ident(join.componentIdColumn)}, ${ident(join.componentTypeColumn)}, ${ident(join.fieldColumn)}, ${ident(join.orderColumn)}) VALUES ${sql.join(rows, sql`, `)}`)
    }
  }

  /** A `_cmps` row's order: 1..n in a repeatable component or a zone, NULL for a single component, as Strapi writes it. */
  function joinOrder (write: ComponentWrite, index: number): number | null {
    return write.attribute.type === 'component' && !write.attribute.repeatable ? null : index + 1
  }

  /** Updates a component in place when its id is one of this field's, creates it otherwise. */
  async function writeComponentItem (item: ComponentItem, existing: Array<{ id: number, type: string }>, path: string[]): Promise<number> {
    const { id } = item.data
    if (id === undefined) return await create(item.info, item.data)
    if (!existing.some(e => e.id === id && e.type === item.info.uid)) {
      throw ValidationError.fromItems([{
        path: [...path, 'id'],
        message: `Component ${item.info.uid} with id ${id} is not part of ${path.join('.')}`,
        name: 'ValidationError',
        value: id
      }])
    }
    await update(item.info, id, item.data)
    return id
  }

  /**
   * The CTEs inserting the items of component fields with their `_cmps` join rows, for the row `entity` names
   * (default: the one CTE "new_row" inserts); items with relations or components of their own are written
   * after, step by step.
   */
  function componentRows (info: ModelInfo, writes: ComponentWrite[], entity: SQL = sql`(SELECT "id" FROM "new_row")`): SQL[] {
    if (writes.length === 0) return []
    const join = info.componentJoin
    if (join === undefined) throw new Error(`${info.uid} has no component join table`)
    const ctes: SQL[] = []
    const rows: SQL[] = []
    for (const write of writes) {
      for (const [index, item] of write.items.entries()) {
        const name = sql.identifier(`c_${ctes.length}`)
        ctes.push(sql`${name} AS (${insertStatement(item.info, item.data, sql`"id"`)})`)
        rows.push(sql`SELECT "id", ${item.info.uid}::text AS "type", ${write.name}::text AS "field", ${joinOrder(write, index)}::double precision AS "ord" FROM ${name}`)
      }
    }
    if (rows.length === 0) return ctes
    const columns = [join.entityColumn, join.componentIdColumn, join.componentTypeColumn, join.fieldColumn, join.orderColumn].map(c => ident(c))
    // No entity row (a new document whose targets are missing, reported by the caller): no join rows.
    ctes.push(sql`"cmps" AS (INSERT INTO ${ident(join.name)} (${sql.join(columns, sql`, `)}) SELECT ${entity}, x."id", x."type", x."field", x."ord" FROM (${sql.join(rows, sql` UNION ALL `)}) AS x WHERE ${entity} IS NOT NULL)`)
    return ctes
  }

  /** New component items written by the row's own statement: no id, relations or components of their own. */
  function flat (write: ComponentWrite): boolean {
    return write.items.every(item => item.data.id === undefined && item.data.relations.length === 0 && item.data.components.length === 0)
  }

  async function create (info: ModelInfo, data: WriteData): Promise<number> {
    const id = await createRow(info, data)
    for (const write of data.morphs ?? []) await writeMorph(info, id, write)
    return id
  }

  async function createRow (info: ModelInfo, data: WriteData): Promise<number> {
    const inline = data.components.filter(flat)
    const id = await insertWithLinks(info, data, inline)
    for (const component of data.components) if (!inline.includes(component)) await writeComponents(info, id, component, true)
    return id
  }

  async function createMany (info: ModelInfo, rows: WriteData[]): Promise<number[]> {
    if (rows.length === 0) return []
    if (rows.some(r => r.relations.length > 0 || r.components.length > 0 || r.morphs !== undefined)) {
      const created: number[] = []
      for (const row of rows) created.push(await create(info, row))
      return created
    }
    const prepared = rows.map(r => withDefaults(info, r))
    const fields = new Map<string, FieldInfo>()
    for (const row of prepared) for (const { field } of row.values()) fields.set(field.name, field)
    if (fields.size === 0) {
      const created: number[] = []
      for (const row of rows) created.push(await insertRow(info, row))
      return created
    }
    const columns = [...fields.values()]
    const values = prepared.map(row => sql`(${sql.join(columns.map((field) => {
      const entry = row.get(field.name)
      return entry === undefined ? sql`DEFAULT` : param(field.type, entry.value)
    }), sql`, `)})`)
    // Multi-row VALUES ... RETURNING returns rows in VALUES order.
    const result = await exec(sql`INSERT INTO ${ident(info.table)} (${sql.join(columns.map(f => ident(f.column)), sql`, `)}) VALUES ${sql.join(values, sql`, `)} RETURNING "id"`)
    return idsOf(result)
  }

  function setClause (data: WriteData): SQL | undefined {
    const values = [...data.scalars.values()]
    return values.length === 0 ? undefined : sql.join(values.map(v => sql`${ident(v.field.column)} = ${param(v.field.type, v.value)}`), sql`, `)
  }

  /**
   * Updates the row `target` names (an id, or a statement selecting one "id"): scalars alone are one
   * statement; else one statement reads the row, its links, the targets named and the items of the component
   * fields replaced, and one writes the row, every link change and the new items (see componentRows). Items
   * updated in place by id, and removed components holding links or components, follow step by step.
   * Returns the row, or undefined when none matched.
   */
  async function update (info: ModelInfo, target: number | SQL, data: WriteData): Promise<UpdatedRow | undefined> {
    const row = await updateRow(info, target, data)
    if (row !== undefined) for (const write of data.morphs ?? []) await writeMorph(info, row.id, write)
    return row
  }

  async function updateRow (info: ModelInfo, target: number | SQL, data: WriteData): Promise<UpdatedRow | undefined> {
    const locate = typeof target === 'number' ? sql`SELECT ${target}::integer AS "id"` : target
    const documentId = info.fields.get('documentId')
    const returning = sql`t."id"${documentId === undefined ? sql`` : sql`, t.${ident(documentId.column)} AS "documentId"`}`
    const sets = setClause(data)
    const table = ident(info.table)
    if (data.relations.length === 0 && data.components.length === 0) {
      const [row] = await exec(prepared(sets === undefined
        ? sql`SELECT ${returning} FROM ${table} AS t JOIN (${locate}) AS r ON t."id" = r."id"`
        : sql`UPDATE ${table} AS t SET ${sets} FROM (${locate}) AS r WHERE t."id" = r."id" RETURNING ${returning}`))
      return row === undefined ? undefined : updatedRow(row)
    }
    const inline = data.components.filter(flat)
    const fields = inline.map(c => c.name)
    const join = info.componentJoin
    const current = fields.length === 0 || join === undefined
      ? sql`'[]'::json`
      : sql`(SELECT coalesce(json_agg(json_build_array(${ident(join.componentIdColumn)}, ${ident(join.componentTypeColumn)})), '[]'::json) FROM ${ident(join.name)} WHERE ${ident(join.entityColumn)} = t."id" AND ${ident(join.fieldColumn)} = ANY(${textArray(fields)}::text[]))`
    const [row] = await exec(prepared(sql`SELECT ${returning}, ${linkStates(data)} AS "state", ${current} AS "components" FROM ${table} AS t JOIN (${locate}) AS r ON t."id" = r."id"`))
    if (row === undefined) return undefined
    const id = Number(row.id)
    const states = parseJson<Array<[number[], Array<[number, number | null]>]>>(row.state, [])
    const changes: SQL[] = sets === undefined ? [] : [sql`UPDATE ${table} SET ${sets} WHERE "id" = ${id}::integer`]
    for (const [n, write] of data.relations.entries()) {
      const [found, links] = states[n] ?? [[], []]
      const present = new Set(found)
      requireTargets(write, referencedIds(write).filter(t => !present.has(t)))
      changes.push(...linkChanges(info, id, write, { links }))
    }
    // Inline component fields: their old items go (join rows and component rows), the new ones come in.
    const replaced = parseJson<Array<[number, string]>>(row.components, [])
    const removals = new Map<string, number[]>()
    for (const [cmp, type] of replaced) removals.set(type, [...removals.get(type) ?? [], cmp])
    const nested: Array<[ModelInfo, number[]]> = []
    if (join !== undefined && fields.length > 0) {
      changes.push(sql`DELETE FROM ${ident(join.name)} WHERE ${ident(join.entityColumn)} = ${id}::integer AND ${ident(join.fieldColumn)} = ANY(${textArray(fields)}::text[])`)
      for (const [type, list] of removals) {
        const component = catalog.get(type)
        // A component with links or components of its own is removed with them, after.
        if (component.componentJoin !== undefined || component.incomingLinks.length > 0) nested.push([component, list])
        else changes.push(sql`DELETE FROM ${ident(component.table)} WHERE "id" = ${ids(list)}`)
      }
    }
    const ctes = changes.map((change, n) => sql`${sql.identifier(`w_${n}`)} AS (${change})`)
    ctes.push(...componentRows(info, inline.filter(c => c.items.length > 0), sql`${id}::integer`))
    if (ctes.length === 1 && changes.length === 1) await exec(prepared(changes[0]!))
    else if (ctes.length > 0) await exec(prepared(sql`WITH ${sql.join(ctes, sql`, `)} SELECT 1`))
    for (const [component, list] of nested) await remove(component, list)
    for (const component of data.components) if (!inline.includes(component)) await writeComponents(info, id, component, false)
    return updatedRow(row)
  }

  /**
   * Writes a polymorphic owning side of row `ownerId`: one statement reads the rows named (per type) and the
   * current links, one rewrites the links in their final order. A kept link keeps its position in the linked
   * row's list; a new one comes last there, and takes the place of another owner's link in a single-valued side
   * (morphOne, a single media).
   */
  async function writeMorph (info: ModelInfo, ownerId: number, write: MorphWrite): Promise<void> {
    const { link, ops } = write
    const table = ident(link.name)
    const [owner, related, type, field, order] = [link.sourceColumn, link.targetColumn, link.typeColumn, link.fieldColumn, link.orderColumn].map(c => ident(c))
    const named = [...(ops.set ?? []), ...ops.connect]
    const types = [...new Set(named.map(item => item.type))]
    const lookups = types.map(uid => sql`SELECT ${uid}::text AS "t", "id" FROM ${ident(catalog.get(uid).table)} WHERE "id" = ${ids(named.filter(item => item.type === uid).map(item => item.id))}`)
    const found = lookups.length === 0 ? sql`'[]'::json` : sql`(SELECT coalesce(json_agg(json_build_array(x."t", x."id")), '[]'::json) FROM (${sql.join(lookups, sql` UNION ALL `)}) AS x)`
    const links = sql`(SELECT coalesce(json_agg(json_build_array(${related}, ${type}, ${field}, ${order}) ORDER BY "id"), '[]'::json) FROM ${table} WHERE ${owner} = ${ownerId}::integer)`
    const [state] = await exec(prepared(sql`SELECT ${found} AS "found", ${links} AS "links"`))
    const present = new Set(parseJson<Array<[string, number]>>(state?.found, []).map(([uid, id]) => `${uid}:${id}`))
    const missing = named.filter(item => !present.has(`${item.type}:${item.id}`))
    if (missing.length > 0) {
      throw ValidationError.fromItems([{
        path: [write.name],
        message: `${write.name}: no ${[...new Set(missing.map(item => `${item.type} with id ${item.id}`))].join(', ')}`,
        name: 'ValidationError',
        value: missing.map(item => ({ id: item.id, __type: item.type }))
      }])
    }
    const current = parseJson<Array<[number, string, string, number | null]>>(state?.links, [])
      .map(([id, uid, name, ord]) => ({ item: { id, type: uid, field: name }, ord }))
    const key = (item: MorphItem): string => `${item.type}:${item.id}:${item.field}`
    const dedupe = (items: MorphItem[]): MorphItem[] => [...new Map(items.map(item => [key(item), item])).values()]
    let list = ops.set === undefined ? current.map(entry => entry.item) : dedupe(ops.set)
    const dropped = new Set(ops.disconnect.map(key))
    list = list.filter(item => !dropped.has(key(item)))
    for (const item of ops.connect) list = [...list.filter(other => key(other) !== key(item)), item]
    if (!info.morphs.get(write.name)?.attribute.toMany) list = list.slice(-1)
    if (list.length === current.length && list.every((item, i) => key(item) === key(current[i]!.item))) return
    // -1: a new link, placed last in its linked row's list by the statement.
    const kept = new Map(current.map(entry => [key(entry.item), entry.ord ?? -1]))
    const fresh = list.filter(item => !kept.has(key(item)))
    const single = fresh.filter(item => catalog.get(item.type).relations.get(item.field)?.attribute.toMany === false)
    const take = single.length === 0
      ? sql``
      : sql` OR (${owner} <> ${ownerId}::integer AND (${related}, ${type}, ${field}) IN (SELECT * FROM unnest(${sql.param(single.map(item => item.id))}::integer[], ${textArray(single.map(item => item.type))}::text[], ${textArray(single.map(item => item.field))}::text[])))`
    const values = sql`unnest(${sql.param(list.map(item => item.id))}::integer[], ${textArray(list.map(item => item.type))}::text[], ${textArray(list.map(item => item.field))}::text[], ${sql.param(list.map(item => kept.get(key(item)) ?? -1))}::double precision[]) WITH ORDINALITY AS v("id", "type", "field", "ord", "n")`
    const last = sql`(SELECT coalesce(max(${order}), 0) + 1 FROM ${table} WHERE ${related} = v."id" AND ${type} = v."type" AND ${field} = v."field" AND ${owner} <> ${ownerId}::integer)`
    const insert = list.length === 0
      ? sql`SELECT 1`
      : sql`INSERT INTO ${table} (${owner}, ${related}, ${type}, ${field}, ${order}) SELECT ${ownerId}::integer, v."id", v."type", v."field", CASE WHEN v."ord" < 0 THEN ${last} ELSE v."ord" END FROM ${values} ORDER BY v."n"`
    await exec(prepared(sql`WITH "gone" AS (DELETE FROM ${table} WHERE ${owner} = ${ownerId}::integer${take}) ${insert}`))
  }

  async function updateMany (info: ModelInfo, list: number[], data: WriteData): Promise<void> {
    if (list.length === 0) return
    if (data.relations.length > 0 || data.components.length > 0 || data.morphs !== undefined) {
      for (const id of list) await update(info, id, data)
      return
    }
    const sets = setClause(data)
    if (sets === undefined) return
    await exec(prepared(sql`UPDATE ${ident(info.table)} SET ${sets} WHERE "id" = ${ids(list)}`))
  }

  async function remove (info: ModelInfo, list: number[]): Promise<void> {
    if (list.length === 0) return
    for (const { link, column: col, morph } of info.incomingLinks) {
      const own = morph === undefined ? sql`` : sql` AND ${ident(morph.typeColumn)} = ${literal(morph.type)}`
      await exec(prepared(sql`DELETE FROM ${ident(link.name)} WHERE ${ident(col)} = ${ids(list)}${own}`))
    }
    const join = info.componentJoin
    if (join !== undefined) {
      const children = await exec(prepared(sql`SELECT ${ident(join.componentIdColumn)} AS "id", ${ident(join.componentTypeColumn)} AS "type" FROM ${ident(join.name)} WHERE ${ident(join.entityColumn)} = ${ids(list)}`))
      await exec(prepared(sql`DELETE FROM ${ident(join.name)} WHERE ${ident(join.entityColumn)} = ${ids(list)}`))
      for (const type of new Set(children.map(c => String(c.type)))) {
        await remove(catalog.get(type), children.filter(c => c.type === type).map(c => Number(c.id)))
      }
    }
    await exec(prepared(sql`DELETE FROM ${ident(info.table)} WHERE ${column(info.table, 'id')} = ${ids(list)}`))
  }

  /** The lookup of one relation's targets: for each document, the row a draft links and the published row. */
  function targetLookup (n: number, write: DocumentLinks): SQL {
    const { target } = write
    const documentId = target.fields.get('documentId')
    if (documentId === undefined) throw new Error(`${target.uid} has no documentId`)
    const dp = target.fields.has('publishedAt') && target.model.kind !== 'component' && target.model.draftAndPublish
    const locale = target.fields.get('locale')
    const inLocale = write.locale === undefined || locale === undefined ? sql`` : sql` AND t.${ident(locale.column)} = ${write.locale}::text`
    const row = (status: SQL): SQL => sql`(SELECT t."id" FROM ${ident(target.table)} t WHERE t.${ident(documentId.column)} = u."doc"${inLocale}${status} ORDER BY t."id" LIMIT 1)`
    const draft = row(dp ? sql` AND t."published_at" IS NULL` : sql``)
    const published = dp ? row(sql` AND t."published_at" IS NOT NULL`) : sql`NULL::integer`
    return sql`${sql.identifier(`l_${n}`)} AS (SELECT u."doc", ${draft} AS "d", ${published} AS "p" FROM unnest(${textArray(write.checked)}::text[]) AS u("doc"))`
  }

  /** The INSERT of one relation's link rows for every row written (after the rows, so only if all were). */
  function documentLinks (n: number, write: DocumentLinks, rows: number): SQL {
    const { link: rel } = write
    const table = ident(rel.link.name)
    const other = ident(rel.otherColumn)
    const columns = [ident(rel.selfColumn), other]
    const values = [sql`i."id"`, sql`x."tid"`]
    if (rel.orderColumn !== undefined) {
      columns.push(ident(rel.orderColumn))
      values.push(sql`f."ord"::double precision`)
    }
    if (rel.otherOrderColumn !== undefined) {
      // Appended last among the target row's own list; two rows linking one target follow each other.
      columns.push(ident(rel.otherOrderColumn))
      values.push(sql`(SELECT coalesce(max(k.${ident(rel.otherOrderColumn)}), 0) FROM ${table} k WHERE k.${other} = x."tid") + row_number() OVER (PARTITION BY x."tid" ORDER BY i."id")`)
    }
    addScopeColumns(rel, columns, values)
    const lookup = sql.identifier(`l_${n}`)
    return sql`${sql.identifier(`k_${n}`)} AS (INSERT INTO ${table} (${sql.join(columns, sql`, `)}) SELECT ${sql.join(values, sql`, `)} FROM "ins" i CROSS JOIN unnest(${textArray(write.final)}::text[]) WITH ORDINALITY AS f("doc", "ord") JOIN ${lookup} l ON l."doc" = f."doc" CROSS JOIN LATERAL (SELECT CASE WHEN i."__pub" THEN coalesce(l."p", l."d") ELSE l."d" END AS "tid") x WHERE (SELECT count(*) FROM "ins") = ${rows}::integer ORDER BY i."id", f."ord")`
  }

  /** Writes a new document's rows, links and generated uid in one statement (see DocumentInsert). */
  async function insertDocument (info: ModelInfo, plan: DocumentInsert): Promise<DocumentInserted> {
    const values = [...withDefaults(info, plan.data).values()].filter(v => v.field.name !== plan.uid?.field.name)
    const columns = values.map(v => ident(v.field.column))
    const selected = values.map(v => param(v.field.type, v.value))
    const ctes: SQL[] = []
    const from = [sql`unnest(${textArray(plan.rows.map(r => r.createdAt))}::timestamptz[], ${textArray(plan.rows.map(r => r.updatedAt))}::timestamptz[], ${textArray(plan.rows.map(r => r.publishedAt))}::timestamptz[]) WITH ORDINALITY AS r("c", "u", "p", "n")`]
    if (plan.uid !== undefined) {
      // Under the base's lock: a value a concurrent write generated and committed while this one waited is not in
      // the snapshot, so the insert yields it on conflict and the next attempt, holding the lock, sees it.
      ctes.push(...uidPickCtes(info, plan.uid.field.name, plan.uid.base, plan.uid, plan.uid.skip, true))
      columns.push(ident(plan.uid.field.column))
      selected.push(sql`"pick"."v"`)
      from.push(sql`"pick"`)
    }
    for (const [n, write] of plan.relations.entries()) ctes.push(targetLookup(n, write))
    if (plan.relations.length > 0) {
      const missing = plan.relations.map((_, n) => sql`NOT EXISTS (SELECT 1 FROM ${sql.identifier(`l_${n}`)} WHERE "d" IS NULL)`)
      ctes.push(sql`"ok" AS (SELECT 1 AS "ok" WHERE ${sql.join(missing, sql` AND `)})`)
      from.push(sql`"ok"`)
    }
    columns.push(sql`"created_at"`, sql`"updated_at"`, sql`"published_at"`)
    selected.push(sql`r."c"`, sql`r."u"`, sql`r."p"`)
    let conflict = sql``
    if (plan.uid !== undefined && plan.yieldUid) {
      const column = plan.uid.field.column
      const index = info.tables.table.indexes.find(i => i.unique && i.columns[0] === column)
      if (index === undefined) throw new Error(`${info.uid}.${plan.uid.field.name} has no unique index`)
      conflict = sql` ON CONFLICT (${sql.join(index.columns.map(c => ident(c)), sql`, `)})${index.where === undefined ? sql`` : sql` WHERE ${sql.raw(index.where)}`} DO NOTHING`
    }
    ctes.push(sql`"ins" AS (INSERT INTO ${ident(info.table)} (${sql.join(columns, sql`, `)}) SELECT ${sql.join(selected, sql`, `)} FROM ${sql.join(from, sql`, `)} ORDER BY r."n"${conflict} RETURNING ${plan.entry === undefined ? sql`"id"` : sql`*`}, "published_at" IS NOT NULL AS "__pub")`)
    for (const [n, write] of plan.relations.entries()) ctes.push(documentLinks(n, write, plan.rows.length))
    // An empty list (`parts: []`) writes no component row, whatever the number of rows.
    const components = plan.data.components.filter(write => write.items.length > 0)
    if (components.length > 0) {
      if (plan.rows.length !== 1 || !components.every(flat)) throw new Error(`${info.uid}: only one row's plain components are written with it`)
      ctes.push(...componentRows(info, components, sql`(SELECT "id" FROM "ins")`))
    }
    const found = plan.relations.map((_, n) => sql`(SELECT json_agg("doc") FROM ${sql.identifier(`l_${n}`)} WHERE "d" IS NOT NULL)`)
    const uid = plan.uid === undefined ? sql`NULL::text` : sql`(SELECT "v" FROM "pick")`
    // The last row as a read of it would answer, from what the insert returned: no read-back.
    const entry = plan.entry === undefined ? sql`` : sql`, (SELECT ${entryJson(plan.entry, 'e')} FROM "ins" AS "e" ORDER BY "e"."id" DESC LIMIT 1) AS "entry"`
    const [row] = await exec(prepared(sql`WITH ${sql.join(ctes, sql`, `)} SELECT (SELECT json_agg("id" ORDER BY "id")::text FROM "ins") AS "ids", ${uid} AS "uid", json_build_array(${sql.join(found, sql`, `)})::text AS "found"${entry}`))
    const foundLists = parseJson<Array<string[] | null>>(row?.found, [])
    let inserted = parseJson<number[]>(row?.ids, []).map(Number)
    if (inserted.length > 0 && inserted.length < plan.rows.length) {
      // A row yielded its uid (no link was written): the others go too, and the caller picks again.
      await remove(info, inserted)
      inserted = []
    }
    return {
      ids: inserted,
      ...(plan.entry !== undefined && inserted.length > 0 && row?.entry !== null && row?.entry !== undefined && { entry: buildRow(plan.entry, row.entry) }),
      ...(typeof row?.uid === 'string' && { uid: row.uid }),
      found: plan.relations.map((_, n) => foundLists[n] ?? [])
    }
  }

  return { create, createMany, update, updateMany, remove, insertDocument }
}

/** The rows of one model a write may link: by documentId or by row id. */
export interface TargetLookup {
  info: ModelInfo
  documentIds: string[]
  ids: number[]
}

/**
 * One statement reading the rows of several models that a write's relation items name (instead of one read
 * per target model): each row with `n`, the index of its lookup, and what picks the rows to link (its
 * documentId, locale and whether it is published). Ordered by lookup, then id.
 */
export function compileTargetRows (lookups: readonly TargetLookup[]): Statement {
  const selects = lookups.map(({ info, documentIds, ids: rowIds }, n) => {
    const documentId = info.fields.get('documentId')
    const locale = info.fields.get('locale')
    const publishedAt = info.fields.get('publishedAt')
    if (documentId === undefined) throw new Error(`${info.uid} has no documentId`)
    const by: SQL[] = []
    if (documentIds.length > 0) by.push(sql`${ident(documentId.column)} = ANY(${textArray(documentIds)}::text[])`)
    if (rowIds.length > 0) by.push(sql`"id" = ${ids(rowIds)}`)
    const columns = [
      sql`${n}::integer AS "n"`,
      sql`"id"`,
      sql`${ident(documentId.column)} AS "documentId"`,
      locale === undefined ? sql`NULL::text AS "locale"` : sql`${ident(locale.column)} AS "locale"`,
      publishedAt === undefined ? sql`NULL::text AS "publishedAt"` : sql`${ident(publishedAt.column)}::text AS "publishedAt"`
    ]
    return sql`(SELECT ${sql.join(columns, sql`, `)} FROM ${ident(info.table)} WHERE ${by.length === 0 ? sql`false` : sql.join(by, sql` OR `)})`
  })
  return prepared(sql`SELECT * FROM (${sql.join(selects, sql` UNION ALL `)}) AS "targets" ORDER BY "n", "id"`)
}
