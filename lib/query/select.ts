import { sql, type SQL } from 'drizzle-orm'
import type { FindPlan, ListOptions, OrderTerm, PopulateNode, SelectPlan, Via, Where } from './ast.js'
import type { FieldInfo, ModelInfo } from './model.js'
import { normalizeOutput } from './values.js'
import { type Aliases, column, compileWhere, createAliases, ident, join, type Joined, literal } from './where.js'

/**
 * Find plans → one SQL statement. Each row comes back as one JSON value built by PostgreSQL, populated
 * relations, components and dynamic zones included (correlated subqueries aggregated with `json_agg`), so a
 * findMany with any populate is a single round trip, and both drivers return the same text to normalize.
 */

export type Entry = Record<string, unknown> & { id: number }

const TOTAL = '__vellum_total'
const POSITION = '__vellum_n'
const COMPONENT_KEY = '__component'

function fieldExpr (alias: string, field: FieldInfo): SQL {
  // bigint inside JSON would become a lossy number: keep its exact text.
  return field.type === 'biginteger' ? sql`${column(alias, field.column)}::text` : column(alias, field.column)
}

/** json_build_object takes at most 100 arguments. */
const MAX_PAIRS = 50

/** The row aliased `alias` as one JSON object: its selected fields and populated attributes. */
function rowJson (plan: SelectPlan, alias: string, aliases: Aliases, component?: string): SQL {
  const pairs: Array<[string, SQL]> = []
  if (component !== undefined) pairs.push([COMPONENT_KEY, literal(component)])
  for (const field of plan.fields) pairs.push([field.name, fieldExpr(alias, field)])
  for (const node of plan.populate) pairs.push([node.name, populateExpr(node, alias, aliases)])
  if (pairs.length <= MAX_PAIRS) {
    // The cheapest to plan: one function call, keys inlined from the model.
    return sql`json_build_object(${sql.join(pairs.map(([key, value]) => sql`${literal(key)}, ${value}`), sql`, `)})`
  }
  // Wider rows: row_to_json over a one-row select has no argument limit.
  const r = aliases.next()
  return sql`(SELECT row_to_json(${ident(r)}) FROM (SELECT ${sql.join(pairs.map(([key, value]) => sql`${value} AS ${ident(key)}`), sql`, `)}) AS ${ident(r)})`
}

/** A sort key on the row aliased `alias`, walking relations/components with a scalar subquery per step. */
function sortExpr (alias: string, path: Via[], field: FieldInfo, direction: 'asc' | 'desc', aliases: Aliases): SQL {
  const [step, ...rest] = path
  if (step === undefined) return column(alias, field.column)
  const joined = join(step, alias, aliases)
  const inner = sortExpr(joined.alias, rest, field, direction, aliases)
  // To-many: the smallest value sorts ascending, the largest descending; NULLs only when nothing else.
  return sql`(SELECT ${inner} AS "v" FROM ${joined.from} WHERE ${joined.on} ORDER BY "v" ${sql.raw(direction.toUpperCase())} NULLS LAST LIMIT 1)`
}

function orderKeys (terms: OrderTerm[], alias: string, aliases: Aliases): SQL[] {
  return terms.map(t => sql`${sortExpr(alias, t.path, t.field, t.direction, aliases)} ${sql.raw(t.direction.toUpperCase())}`)
}

function limitOffset (limit: number | undefined, offset: number | undefined): SQL {
  // Validated integers, inlined: parameterized LIMIT makes postgres.js plans generic (and slower).
  return sql.raw(`${limit === undefined ? '' : ` LIMIT ${limit}`}${offset === undefined || offset === 0 ? '' : ` OFFSET ${offset}`}`)
}

function filtered (joined: Joined, where: Where | undefined, aliases: Aliases): SQL {
  return where === undefined ? joined.on : sql`${joined.on} AND ${compileWhere(where, joined.alias, aliases)}`
}

/** Keys a populated list is ordered by: the caller's, else the stored order; ties by id. */
function listOrder (joined: Joined, options: ListOptions, aliases: Aliases): SQL[] {
  if (options.orderBy.length === 0) return joined.order
  return [...orderKeys(options.orderBy, joined.alias, aliases), column(joined.alias, 'id')]
}

function listExpr (joined: Joined, plan: SelectPlan, options: ListOptions, aliases: Aliases): SQL {
  const order = sql.join(listOrder(joined, options, aliases), sql`, `)
  const row = rowJson(plan, joined.alias, aliases)
  const where = filtered(joined, options.where, aliases)
  if (options.limit === undefined && (options.offset ?? 0) === 0) {
    return sql`(SELECT coalesce(json_agg(${row} ORDER BY ${order}), '[]'::json) FROM ${joined.from} WHERE ${where})`
  }
  const s = aliases.next()
  return sql`(SELECT coalesce(json_agg(${ident(s)}."r" ORDER BY ${ident(s)}."n"), '[]'::json) FROM (SELECT ${row} AS "r", row_number() OVER (ORDER BY ${order}) AS "n" FROM ${joined.from} WHERE ${where} ORDER BY ${order}${limitOffset(options.limit, options.offset)}) AS ${ident(s)})`
}

function oneExpr (joined: Joined, plan: SelectPlan, options: ListOptions, aliases: Aliases): SQL {
  const order = sql.join(listOrder(joined, options, aliases), sql`, `)
  return sql`(SELECT ${rowJson(plan, joined.alias, aliases)} FROM ${joined.from} WHERE ${filtered(joined, options.where, aliases)} ORDER BY ${order} LIMIT 1)`
}

function populateExpr (node: PopulateNode, parent: string, aliases: Aliases): SQL {
  switch (node.kind) {
    case 'relation': {
      const joined = join({ kind: 'relation', name: node.name, link: node.link, target: node.target }, parent, aliases)
      if (node.count) return sql`(SELECT count(*) FROM ${joined.from} WHERE ${filtered(joined, node.where, aliases)})`
      return node.attribute.toMany ? listExpr(joined, node.plan, node, aliases) : oneExpr(joined, node.plan, node, aliases)
    }
    case 'component': {
      const joined = join({ kind: 'component', name: node.name, join: node.join, component: node.component }, parent, aliases)
      return node.attribute.repeatable ? listExpr(joined, node.plan, node, aliases) : oneExpr(joined, node.plan, node, aliases)
    }
    case 'zone': {
      if (node.on.length === 0) return sql`'[]'::json`
      const j = aliases.next()
      const cmps = node.join
      const cases = node.on.map((plan) => {
        const c = aliases.next()
        return sql`WHEN ${literal(plan.info.uid)} THEN (SELECT ${rowJson(plan, c, aliases, plan.info.uid)} FROM ${ident(plan.info.table)} AS ${ident(c)} WHERE ${column(c, 'id')} = ${column(j, cmps.componentIdColumn)})`
      })
      const s = aliases.next()
      const types = sql.join(node.on.map(plan => literal(plan.info.uid)), sql`, `)
      return sql`(SELECT coalesce(json_agg(${ident(s)}."r" ORDER BY ${ident(s)}."o", ${ident(s)}."i"), '[]'::json) FROM (SELECT CASE ${column(j, cmps.componentTypeColumn)} ${sql.join(cases, sql` `)} END AS "r", ${column(j, cmps.orderColumn)} AS "o", ${column(j, 'id')} AS "i" FROM ${ident(cmps.name)} AS ${ident(j)} WHERE ${column(j, cmps.entityColumn)} = ${column(parent, 'id')} AND ${column(j, cmps.fieldColumn)} = ${literal(node.name)} AND ${column(j, cmps.componentTypeColumn)} IN (${types})) AS ${ident(s)} WHERE ${ident(s)}."r" IS NOT NULL)`
    }
  }
}

/**
 * One statement for a find: the page of root rows (with the total matching count when asked, computed by a
 * window over the same scan), then each row's JSON built over that page only.
 */
export function compileFind (plan: FindPlan, options: { total?: boolean } = {}): SQL {
  const aliases = createAliases()
  const root = aliases.next()
  const table = sql`${ident(plan.info.table)} AS ${ident(root)}`
  const where = plan.where === undefined ? sql`` : sql` WHERE ${compileWhere(plan.where, root, aliases)}`
  const order = sql.join([...orderKeys(plan.orderBy, root, aliases), column(root, 'id')], sql`, `)
  const total = options.total === true ? sql`, count(*) OVER () AS ${ident(TOTAL)}` : sql``
  const page = sql`SELECT ${ident(root)}.*${total}, row_number() OVER (ORDER BY ${order}) AS ${ident(POSITION)} FROM ${table}${where} ORDER BY ${order}${limitOffset(plan.limit, plan.offset)}`
  const totalColumn = options.total === true ? sql`, ${column(root, TOTAL)} AS "total"` : sql``
  return sql`SELECT ${rowJson(plan.select, root, aliases)} AS "row"${totalColumn} FROM (${page}) AS ${ident(root)} ORDER BY ${column(root, POSITION)}`
}

export function compileCount (info: ModelInfo, where: Where | undefined): SQL {
  const aliases = createAliases()
  const root = aliases.next()
  const condition = where === undefined ? sql`` : sql` WHERE ${compileWhere(where, root, aliases)}`
  return sql`SELECT count(*) AS "count" FROM ${ident(info.table)} AS ${ident(root)}${condition}`
}

/** Ids of the rows matching a condition, in id order (update, delete). */
export function compileIds (info: ModelInfo, where: Where | undefined, limit?: number): SQL {
  const aliases = createAliases()
  const root = aliases.next()
  const condition = where === undefined ? sql`` : sql` WHERE ${compileWhere(where, root, aliases)}`
  return sql`SELECT ${column(root, 'id')} AS "id" FROM ${ident(info.table)} AS ${ident(root)}${condition} ORDER BY ${column(root, 'id')}${limitOffset(limit, undefined)}`
}

// ---------------------------------------------------------------------------------------------
// JSON → results

type Slot = { key: string, field: FieldInfo } | { key: string, node: PopulateNode }

const slotsCache = new WeakMap<SelectPlan, Slot[]>()

/** A plan's keys in the model's result order, computed once per plan. */
function slotsOf (plan: SelectPlan): Slot[] {
  let slots = slotsCache.get(plan)
  if (slots !== undefined) return slots
  const byKey = new Map<string, Slot>()
  for (const field of plan.fields) byKey.set(field.name, { key: field.name, field })
  for (const node of plan.populate) byKey.set(node.name, { key: node.name, node })
  slots = plan.info.keyOrder.flatMap(key => byKey.get(key) ?? [])
  slotsCache.set(plan, slots)
  return slots
}

function asObject (value: unknown): Record<string, unknown> | null {
  if (typeof value === 'string') return JSON.parse(value) as Record<string, unknown> | null
  return value as Record<string, unknown> | null
}

function asList (value: unknown): unknown[] {
  const parsed = typeof value === 'string' ? JSON.parse(value) as unknown : value
  return Array.isArray(parsed) ? parsed : []
}

function buildNode (node: PopulateNode, value: unknown): unknown {
  switch (node.kind) {
    case 'relation':
      if (node.count) return { count: Number(value ?? 0) }
      return node.attribute.toMany ? asList(value).map(v => buildRow(node.plan, v)) : value == null ? null : buildRow(node.plan, value)
    case 'component':
      return node.attribute.repeatable ? asList(value).map(v => buildRow(node.plan, v)) : value == null ? null : buildRow(node.plan, value)
    case 'zone':
      return asList(value).map((item) => {
        const uid = (item as Record<string, unknown>)[COMPONENT_KEY]
        const plan = node.on.find(p => p.info.uid === uid)
        if (plan === undefined) throw new Error(`unexpected component ${String(uid)} in ${node.name}`)
        return { [COMPONENT_KEY]: uid, ...buildRow(plan, item) }
      })
  }
}

/** One result row from its JSON: keys in model order, every value normalized per attribute type. */
export function buildRow (plan: SelectPlan, value: unknown): Entry {
  const json = asObject(value) ?? {}
  const out: Record<string, unknown> = {}
  for (const slot of slotsOf(plan)) {
    out[slot.key] = 'field' in slot ? normalizeOutput(slot.field.type, json[slot.key]) : buildNode(slot.node, json[slot.key])
  }
  return out as Entry
}
