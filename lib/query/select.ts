import { sql, type SQL } from 'drizzle-orm'
import type { FindPlan, ListOptions, OrderTerm, PopulateNode, SelectPlan, Via, Where } from './ast.js'
import { lruPerOwner } from './keys.js'
import type { FieldInfo, ModelInfo } from './model.js'
import { type Normalize, outputNormalizer } from './values.js'
import { column, compileWhere, type Compiler, createCompiler, ident, join, type Joined, literal } from './where.js'

/**
 * Find plans → one SQL statement. Each row comes back as one JSON value built by PostgreSQL, populated
 * relations, components and dynamic zones included (correlated subqueries aggregated with `json_agg`), so a
 * findMany with any populate is a single round trip, and both drivers return the same text to normalize.
 */

export type Entry = Record<string, unknown> & { id: number }

/** Sort keys of the root page, selected so the outer query can number the page's rows by them. */
const SORT_KEY = '__vellum_k'
const COMPONENT_KEY = '__component'
/** The first key of a polymorphic item: its model's uid. */
const TYPE_KEY = '__type'

function fieldExpr (alias: string, field: FieldInfo, wire: boolean): SQL {
  const value = column(alias, field.column)
  // bigint inside JSON would become a lossy number: keep its exact text.
  if (field.type === 'biginteger') return sql`${value}::text`
  return wire ? wireValue(value, field) : value
}

/**
 * A field as the response sends it, what `outputNormalizer` (values.ts) does to the JSON value in JavaScript:
 * timestamps in UTC with milliseconds (Date#toJSON), times with milliseconds, numbers without trailing zeros,
 * non-finite numbers as null. Columns are the physical model's (timestamptz, time(3), numeric, float8).
 */
function wireValue (value: SQL, field: FieldInfo): SQL {
  switch (field.type) {
    case 'datetime':
    case 'timestamp':
      return sql`to_char(${value} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
    case 'time':
      return sql`to_char(${value}::interval, 'HH24:MI:SS.MS')`
    case 'float':
    case 'decimal':
      return sql`CASE WHEN ${value}::float8 IN ('NaN', 'Infinity', '-Infinity') THEN NULL ELSE ${value}::float8 END`
    default:
      return value
  }
}

/** `locale` is a column of every content type, shown only on localized ones (document/output.ts). */
function hiddenOnWire (info: ModelInfo, field: FieldInfo): boolean {
  return field.name === 'locale' && info.model.kind !== 'component' && !info.model.localized
}

/** json_build_object takes at most 100 arguments. */
const MAX_PAIRS = 50

/** The row aliased `alias` as one JSON object: its selected fields and populated attributes. */
/** Per populated list of one row: at most this many rows built (a LIMIT), see `populateCaps`. */
type Caps = ReadonlyMap<PopulateNode, number>

function rowJson (plan: SelectPlan, alias: string, compiler: Compiler, component?: string, caps?: Caps, markerKey = COMPONENT_KEY): SQL {
  const pairs = rowPairs(plan, alias, compiler, component, caps, markerKey)
  if (pairs.length <= MAX_PAIRS && !compiler.wire) {
    // The cheapest to plan: one function call, keys inlined from the model.
    return sql`json_build_object(${sql.join(pairs.map(([key, value]) => sql`${literal(key)}, ${value}`), sql`, `)})`
  }
  // Wider rows: row_to_json over a one-row select has no argument limit. On the wire too: it prints compact
  // JSON, where json_build_object's text has a space around each colon and after each comma.
  const r = compiler.alias()
  return sql`(SELECT row_to_json(${ident(r)}) FROM (${pairsSelect(pairs)}) AS ${ident(r)})`
}

/** The JSON of the row aliased `alias`, as a read with this select (populating nothing) builds it for `buildRow`. */
export function entryJson (plan: SelectPlan, alias: string): SQL {
  if (plan.populate.length > 0) throw new Error(`${plan.info.uid}: an entry built from a written row populates nothing`)
  return rowJson(plan, alias, createCompiler())
}

/** `SELECT value AS "key", …`: a row's keys as the columns of a one-row select. */
function pairsSelect (pairs: Array<[string, SQL]>): SQL {
  return sql`SELECT ${sql.join(pairs.map(([key, value]) => sql`${value} AS ${ident(key)}`), sql`, `)}`
}

/** A row's keys and their expressions, in the model's result order. */
function rowPairs (plan: SelectPlan, alias: string, compiler: Compiler, component?: string, caps?: Caps, markerKey = COMPONENT_KEY): Array<[string, SQL]> {
  const values = new Map<string, SQL>()
  for (const field of plan.fields) {
    if (compiler.wire && hiddenOnWire(plan.info, field)) continue
    values.set(field.name, fieldExpr(alias, field, compiler.wire))
  }
  for (const node of plan.populate) values.set(node.name, populateExpr(node, alias, compiler, caps?.get(node)))
  // Keys in the model's result order, so the reader can keep the parsed object as it is.
  const pairs: Array<[string, SQL]> = component === undefined ? [] : [[markerKey, literal(component)]]
  for (const key of plan.info.keyOrder) {
    const value = values.get(key)
    if (value !== undefined) pairs.push([key, value])
  }
  if (pairs.length !== values.size + (component === undefined ? 0 : 1)) throw new Error(`${plan.info.uid}: a selected key is missing from the model's key order`)
  return pairs
}

/** A sort key on the row aliased `alias`, walking relations/components with a scalar subquery per step. */
function sortExpr (alias: string, path: Via[], field: FieldInfo, direction: 'asc' | 'desc', compiler: Compiler): SQL {
  const [step, ...rest] = path
  if (step === undefined) return column(alias, field.column)
  const joined = join(step, alias, compiler)
  const inner = sortExpr(joined.alias, rest, field, direction, compiler)
  // To-many: the smallest value sorts ascending, the largest descending; NULLs only when nothing else.
  return sql`(SELECT ${inner} AS "v" FROM ${joined.from} WHERE ${joined.on} ORDER BY "v" ${sql.raw(direction.toUpperCase())} NULLS LAST LIMIT 1)`
}

function orderKeys (terms: OrderTerm[], alias: string, compiler: Compiler): SQL[] {
  return terms.map(t => sql`${sortExpr(alias, t.path, t.field, t.direction, compiler)} ${sql.raw(t.direction.toUpperCase())}`)
}

/**
 * LIMIT is a validated integer inlined in the text: a parameter would let PostgreSQL settle on a generic plan
 * that guesses the row count. OFFSET is a parameter (bound to `holder`, the plan or populate node it belongs
 * to), so deeper pages reuse the first page's statement.
 */
function limitOffset (holder: object, limit: number | undefined, offset: number | undefined, compiler: Compiler): SQL {
  const limitText = sql.raw(limit === undefined ? '' : ` LIMIT ${limit}`)
  if (offset === undefined || offset === 0) return limitText
  return sql`${limitText} OFFSET ${compiler.bind(holder, 0, offset)}::bigint`
}

function filtered (joined: Joined, where: Where | undefined, compiler: Compiler): SQL {
  return where === undefined ? joined.on : sql`${joined.on} AND ${compileWhere(where, joined.alias, compiler)}`
}

/** Keys a populated list is ordered by: the caller's, else the stored order; ties by id. */
function listOrder (joined: Joined, options: ListOptions, compiler: Compiler): SQL[] {
  if (options.orderBy.length === 0) return joined.order
  return [...orderKeys(options.orderBy, joined.alias, compiler), column(joined.alias, 'id')]
}

/**
 * A JSON array of values in order. On the wire, array_to_json over array_agg: compact, where json_agg's text
 * has a space after each comma.
 */
function jsonList (value: SQL, order: SQL, compiler: Compiler): SQL {
  return compiler.wire
    ? sql`coalesce(array_to_json(array_agg(${value} ORDER BY ${order})), '[]'::json)`
    : sql`coalesce(json_agg(${value} ORDER BY ${order}), '[]'::json)`
}

/** `cap`: at most this many rows (the list has no limit of its own then). */
function listExpr (joined: Joined, plan: SelectPlan, options: ListOptions, compiler: Compiler, cap?: number): SQL {
  const order = sql.join(listOrder(joined, options, compiler), sql`, `)
  const row = rowJson(plan, joined.alias, compiler)
  const where = filtered(joined, options.where, compiler)
  const limit = options.limit ?? cap
  if (limit === undefined && (options.offset ?? 0) === 0) {
    return sql`(SELECT ${jsonList(row, order, compiler)} FROM ${joined.from} WHERE ${where})`
  }
  const s = compiler.alias()
  return sql`(SELECT ${jsonList(sql`${ident(s)}."r"`, sql`${ident(s)}."n"`, compiler)} FROM (SELECT ${row} AS "r", row_number() OVER (ORDER BY ${order}) AS "n" FROM ${joined.from} WHERE ${where} ORDER BY ${order}${limitOffset(options, limit, options.offset, compiler)}) AS ${ident(s)})`
}

function oneExpr (joined: Joined, plan: SelectPlan, options: ListOptions, compiler: Compiler): SQL {
  const order = sql.join(listOrder(joined, options, compiler), sql`, `)
  return sql`(SELECT ${rowJson(plan, joined.alias, compiler)} FROM ${joined.from} WHERE ${filtered(joined, options.where, compiler)} ORDER BY ${order} LIMIT 1)`
}

/** The virtual `localizations` relation: the other rows of the same document, in the scope the caller's conditions give (status, say). */
function siblingsJoin (node: Extract<PopulateNode, { kind: 'localizations' }>, parent: string, compiler: Compiler): Joined {
  const { info } = node.plan
  const documentId = info.fields.get('documentId')?.column
  if (documentId === undefined) throw new Error(`${info.uid} has no documentId column`)
  const alias = compiler.alias()
  return {
    from: sql`${ident(info.table)} AS ${ident(alias)}`,
    on: sql`${column(alias, documentId)} = ${column(parent, documentId)} AND ${column(alias, 'id')} <> ${column(parent, 'id')}`,
    alias,
    target: info,
    order: [column(alias, 'id')]
  }
}

/** `cap`: at most this many rows of an unlimited list (`populateCaps`). */
function populateExpr (node: PopulateNode, parent: string, compiler: Compiler, cap?: number): SQL {
  switch (node.kind) {
    case 'relation': {
      const joined = join({ kind: 'relation', name: node.name, link: node.link, target: node.target }, parent, compiler)
      if (node.count) {
        const count = sql`(SELECT count(*) FROM ${joined.from} WHERE ${filtered(joined, node.where, compiler)})`
        return compiler.wire ? sql`('{"count":' || ${count} || '}')::json` : count
      }
      return node.attribute.toMany ? listExpr(joined, node.plan, node, compiler, cap) : oneExpr(joined, node.plan, node, compiler)
    }
    case 'component': {
      const joined = join({ kind: 'component', name: node.name, join: node.join, component: node.component }, parent, compiler)
      return node.attribute.repeatable ? listExpr(joined, node.plan, node, compiler, cap) : oneExpr(joined, node.plan, node, compiler)
    }
    case 'localizations':
      return listExpr(siblingsJoin(node, parent, compiler), node.plan, node, compiler, cap)
    case 'morph':
      return morphExpr(node, parent, compiler)
    case 'zone': {
      if (node.on.length === 0) return sql`'[]'::json`
      const j = compiler.alias()
      const cmps = node.join
      const cases = node.on.map((plan) => {
        const c = compiler.alias()
        // An item its fragment's where leaves out is NULL, and NULLs are dropped below.
        const where = plan.where === undefined ? sql`` : sql` AND ${compileWhere(plan.where, c, compiler)}`
        return sql`WHEN ${literal(plan.info.uid)} THEN (SELECT ${rowJson(plan, c, compiler, plan.info.uid)} FROM ${ident(plan.info.table)} AS ${ident(c)} WHERE ${column(c, 'id')} = ${column(j, cmps.componentIdColumn)}${where})`
      })
      const s = compiler.alias()
      const types = sql.join(node.on.map(plan => literal(plan.info.uid)), sql`, `)
      // OFFSET 0 keeps the fragments a subquery: pulled up, each item's JSON is built twice, for the NULL test
      // and for the list (so is a polymorphic link's, below).
      const fragments = sql`SELECT CASE ${column(j, cmps.componentTypeColumn)} ${sql.join(cases, sql` `)} END AS "r", ${column(j, cmps.orderColumn)} AS "o", ${column(j, 'id')} AS "i" FROM ${ident(cmps.name)} AS ${ident(j)} WHERE ${column(j, cmps.entityColumn)} = ${column(parent, 'id')} AND ${column(j, cmps.fieldColumn)} = ${literal(node.name)} AND ${column(j, cmps.componentTypeColumn)} IN (${types}) OFFSET 0`
      const list = (from: SQL): SQL => sql`(SELECT ${jsonList(sql`${ident(s)}."r"`, sql`${ident(s)}."o", ${ident(s)}."i"`, compiler)} FROM ${from} AS ${ident(s)}${cap === undefined ? sql` WHERE ${ident(s)}."r" IS NOT NULL` : sql``})`
      if (cap === undefined) return list(sql`(${fragments})`)
      // The fragments that exist, up to the cap, in order.
      const f = compiler.alias()
      return list(sql`(SELECT ${ident(f)}.* FROM (${fragments}) AS ${ident(f)} WHERE ${ident(f)}."r" IS NOT NULL ORDER BY ${ident(f)}."o", ${ident(f)}."i" LIMIT ${sql.raw(String(cap))})`)
    }
  }
}

/**
 * A polymorphic owning side: its `*_mph` rows in link order, each the linked row's JSON with `__type`, built by
 * the plan of its type (rows of types no longer in the model, or deleted, are left out).
 */
function morphExpr (node: Extract<PopulateNode, { kind: 'morph' }>, parent: string, compiler: Compiler): SQL {
  const empty = node.attribute.toMany ? sql`'[]'::json` : sql`NULL::json`
  if (node.on.length === 0) return empty
  const l = compiler.alias()
  const { link } = node
  const cases = node.on.map((plan) => {
    const c = compiler.alias()
    return sql`WHEN ${literal(plan.info.uid)} THEN (SELECT ${rowJson(plan, c, compiler, plan.info.uid, undefined, TYPE_KEY)} FROM ${ident(plan.info.table)} AS ${ident(c)} WHERE ${column(c, 'id')} = ${column(l, link.targetColumn)})`
  })
  const s = compiler.alias()
  const rows = sql`SELECT CASE ${column(l, link.typeColumn)} ${sql.join(cases, sql` `)} END AS "r", ${column(l, 'id')} AS "i" FROM ${ident(link.name)} AS ${ident(l)} WHERE ${column(l, link.sourceColumn)} = ${column(parent, 'id')} OFFSET 0`
  if (!node.attribute.toMany) return sql`(SELECT ${ident(s)}."r" FROM (${rows}) AS ${ident(s)} WHERE ${ident(s)}."r" IS NOT NULL ORDER BY ${ident(s)}."i" LIMIT 1)`
  return sql`(SELECT ${jsonList(sql`${ident(s)}."r"`, sql`${ident(s)}."i"`, compiler)} FROM (${rows}) AS ${ident(s)} WHERE ${ident(s)}."r" IS NOT NULL)`
}

/**
 * One statement for a find: the page of root rows, then each row's JSON built over that page only. The page
 * is sorted and limited on its own (so PostgreSQL can keep only the top rows), carrying its sort keys out
 * for the rows' final numbering. With `total`, the count of every matching row comes in the same
 * statement, as a scalar count joined to the page: the result always has one row (`row` null when the
 * page is empty) carrying it. On the wire, the rows come as one row (`joinedRows`).
 */
export function compileFind (plan: FindPlan, options: FindOptions = {}, compiler: Compiler = createCompiler()): SQL {
  const { statement, columns } = findStatement(plan, options, compiler)
  return compiler.wire ? joinedRows(statement, columns) : statement
}

/** The flags a find statement's rows carry besides `row` and `n`. */
type FindColumns = Array<'total' | 'over' | 'near'>

function findStatement (plan: FindPlan, options: FindOptions, compiler: Compiler): { statement: SQL, columns: FindColumns } {
  const { maxRows } = options
  const total = options.total === true
  const counted: FindColumns = total ? ['total'] : []
  if (maxRows === undefined || mostRelated(plan.select, plan.limit ?? Infinity) <= maxRows) {
    const { body, order } = compileRows(plan, total, compiler)
    return { statement: sql`${body} ORDER BY ${order}`, columns: counted }
  }
  const capped = total || options.exact === true ? undefined : populateCaps(plan, maxRows)
  if (capped !== undefined) {
    const { body, order } = compileRows(plan, false, compiler, capped)
    return { statement: sql`${body} ORDER BY ${order}`, columns: ['near'] }
  }
  const { body, order } = compileRows(plan, total, compiler)
  const paths = relatedRows(plan, compiler)
  // The related rows counted first, up to one over the bound: over it, the statement answers one row whose
  // `over` is true and never builds the rows (the lateral's condition is constant for it: a one-time filter).
  const gate = compiler.alias()
  const over = sql`SELECT count(*) > ${sql.raw(String(maxRows))} AS "over" FROM (${sql.join(paths, sql` UNION ALL `)} LIMIT ${sql.raw(String(maxRows + 1))}) AS ${ident(compiler.alias())}`
  const rows = compiler.alias()
  // One gate row, so the lateral join keeps the rows' order.
  return {
    statement: sql`SELECT ${column(gate, 'over')} AS "over", ${ident(rows)}.* FROM (${over}) AS ${ident(gate)} LEFT JOIN LATERAL (${body} WHERE NOT ${column(gate, 'over')} ORDER BY ${order}) AS ${ident(rows)} ON TRUE`,
    columns: [...counted, 'over']
  }
}

/**
 * A wire find's rows as one row: `rows`, their JSON texts joined by commas in order (null when none), `count`,
 * and the statement's flags. A row per entry cost the driver a row's parsing and objects each: a list of 25
 * took ~30-50 µs more of Node's CPU than one text of them all.
 */
function joinedRows (statement: SQL, columns: FindColumns): SQL {
  const flags = columns.map(name => name === 'total' ? sql`, max("w"."total") AS "total"` : sql`, bool_or("w".${ident(name)}) AS ${ident(name)}`)
  return sql`SELECT string_agg("w"."row", ',' ORDER BY "w"."n") AS "rows", count("w"."row") AS "count"${sql.join(flags, sql``)} FROM (${statement}) AS "w"`
}

/**
 * A read of one root row whose unbounded lists are all directly under it, each of rows that build a bounded
 * number of rows in turn: each list takes a LIMIT that the bound cannot pass without (`fixed` rows of the
 * to-one and limited nodes, plus each list's rows times its `weight`, rows built per list row). The row says
 * `near` when what it built reaches over the bound: maybe over (`fixed` counts a to-one that is null as one
 * row), so the caller counts exactly then. Counting every read first cost d (one article, populate=*) twice
 * its PostgreSQL CPU.
 */
interface PopulateCaps {
  caps: Caps
  lists: Array<{ name: string, weight: number }>
  fixed: number
  max: number
}

function populateCaps (plan: FindPlan, max: number): PopulateCaps | undefined {
  if (plan.limit !== 1) return undefined
  let fixed = 0
  const lists: Array<{ node: PopulateNode, weight: number }> = []
  for (const node of plan.select.populate) {
    if (node.kind === 'relation' && node.count) continue
    if (node.kind === 'morph') return undefined
    const below = node.kind === 'zone' ? Math.max(0, ...node.on.map(on => mostRelated(on, 1))) : mostRelated(node.plan, 1)
    if (!Number.isFinite(below)) return undefined
    const per = node.kind === 'zone' ? Infinity : perParent(node)
    if (Number.isFinite(per)) fixed += per * (1 + below)
    else lists.push({ node, weight: 1 + below })
  }
  if (lists.length === 0 || fixed > max) return undefined
  return {
    caps: new Map(lists.map(({ node, weight }) => [node, Math.floor((max - fixed) / weight) + 1])),
    lists: lists.map(({ node, weight }) => ({ name: node.name, weight })),
    fixed,
    max
  }
}

export interface FindOptions {
  /** The page's total (all matching rows) in the same statement. */
  total?: boolean
  /**
   * Related rows (populated at any depth) the statement may build; over it, one row `{ over: true }`. A read
   * of one row may instead cap its lists and say `near` on its row (`populateCaps`): counted exactly then.
   */
  maxRows?: number
  /** Counted exactly, never capped. */
  exact?: boolean
}

/**
 * The page of root rows (the find's own window), then one select per populated node of every depth listing
 * its rows through the page: their union lists what a find would build.
 */
function relatedRows (plan: FindPlan, compiler: Compiler): SQL[] {
  const root = compiler.alias()
  const page = sql`(${pageSelect(plan, root, false, compiler).page}) AS ${ident(root)}`
  const paths: SQL[] = []
  const walk = (select: SelectPlan, parent: string, from: SQL): void => {
    for (const node of select.populate) {
      for (const step of relatedSteps(node, parent, compiler)) {
        const through = sql`${from} CROSS JOIN LATERAL (${step.rows}) AS ${ident(step.alias)}`
        paths.push(sql`SELECT 1 FROM ${through}`)
        if (step.plan !== undefined) walk(step.plan, step.alias, through)
      }
    }
  }
  walk(plan.select, root, page)
  return paths
}

/**
 * The most related rows a select can build under `parents` rows, known from the plan alone: to-one relations
 * and single components hold one row each, limited lists their limit; anything else is unbounded.
 */
function mostRelated (select: SelectPlan, parents: number): number {
  let total = 0
  for (const node of select.populate) {
    if (node.kind === 'zone' || node.kind === 'morph') return Infinity
    if (node.kind === 'relation' && node.count) continue
    const rows = parents * perParent(node)
    total += rows + mostRelated(node.plan, rows)
  }
  return total
}

function perParent (node: Exclude<PopulateNode, { kind: 'zone' | 'morph' }>): number {
  const list = node.kind === 'relation' ? node.attribute.toMany : node.kind === 'component' ? node.attribute.repeatable : true
  return list ? node.limit ?? Infinity : 1
}

interface RelatedStep {
  /** The node's rows of one parent row, each with every column of its table. */
  rows: SQL
  alias: string
  /** What each row populates in turn. */
  plan?: SelectPlan
}

/** A populated node's rows under the row aliased `parent`: one step, or one per fragment of a zone. */
function relatedSteps (node: PopulateNode, parent: string, compiler: Compiler): RelatedStep[] {
  const listed = (joined: Joined, options: ListOptions, plan: SelectPlan): RelatedStep => ({
    // Any rows of the window count the same: no order needed.
    rows: sql`SELECT ${ident(joined.alias)}.* FROM ${joined.from} WHERE ${filtered(joined, options.where, compiler)}${limitOffset(options, options.limit, options.offset, compiler)}`,
    alias: compiler.alias(),
    plan
  })
  switch (node.kind) {
    case 'relation':
      // A count is one value, whatever it counts.
      if (node.count) return []
      return [listed(join({ kind: 'relation', name: node.name, link: node.link, target: node.target }, parent, compiler), node, node.plan)]
    case 'component':
      return [listed(join({ kind: 'component', name: node.name, join: node.join, component: node.component }, parent, compiler), node, node.plan)]
    case 'localizations':
      return [listed(siblingsJoin(node, parent, compiler), node, node.plan)]
    case 'morph':
      return node.on.map((plan) => {
        const l = compiler.alias()
        const c = compiler.alias()
        const { link } = node
        return {
          rows: sql`SELECT ${ident(c)}.* FROM ${ident(link.name)} AS ${ident(l)} JOIN ${ident(plan.info.table)} AS ${ident(c)} ON ${column(c, 'id')} = ${column(l, link.targetColumn)} WHERE ${column(l, link.sourceColumn)} = ${column(parent, 'id')} AND ${column(l, link.typeColumn)} = ${literal(plan.info.uid)}`,
          alias: compiler.alias(),
          plan
        }
      })
    case 'zone':
      return node.on.map((plan) => {
        const j = compiler.alias()
        const c = compiler.alias()
        const cmps = node.join
        return {
          rows: sql`SELECT ${ident(c)}.* FROM ${ident(cmps.name)} AS ${ident(j)} JOIN ${ident(plan.info.table)} AS ${ident(c)} ON ${column(c, 'id')} = ${column(j, cmps.componentIdColumn)} WHERE ${column(j, cmps.entityColumn)} = ${column(parent, 'id')} AND ${column(j, cmps.fieldColumn)} = ${literal(node.name)} AND ${column(j, cmps.componentTypeColumn)} = ${literal(plan.info.uid)}${plan.where === undefined ? sql`` : sql` AND ${compileWhere(plan.where, c, compiler)}`}`,
          alias: compiler.alias(),
          plan
        }
      })
  }
}

/** The find's rows (`row`, numbered `n`), with `total` first when asked for; unordered. */
/**
 * The page of root rows aliased `root`: matching rows sorted by the plan's keys (selected as `__vellum_k<i>`),
 * then id, and windowed. `narrow` selects ids and keys only.
 */
function pageSelect (plan: FindPlan, root: string, narrow: boolean, compiler: Compiler): { page: SQL, keys: Array<{ name: string, direction: SQL }> } {
  const table = sql`${ident(plan.info.table)} AS ${ident(root)}`
  const where = plan.where === undefined ? sql`` : sql` WHERE ${compileWhere(plan.where, root, compiler)}`
  const keys = plan.orderBy.map((term, i) => ({
    name: `${SORT_KEY}${i}`,
    expr: sortExpr(root, term.path, term.field, term.direction, compiler),
    direction: sql.raw(term.direction.toUpperCase())
  }))
  const selectedKeys = sql.join(keys.map(k => sql`, ${k.expr} AS ${ident(k.name)}`), sql``)
  const pageOrder = sql.join([...keys.map(k => sql`${ident(k.name)} ${k.direction}`), column(root, 'id')], sql`, `)
  const page = sql`SELECT ${narrow ? column(root, 'id') : sql`${ident(root)}.*`}${selectedKeys} FROM ${table}${where} ORDER BY ${pageOrder}${limitOffset(plan, plan.limit, plan.offset, compiler)}`
  return { page, keys }
}

/**
 * The find's rows (`row`, numbered `n`), with `total` first when asked for, and what orders them. Capped
 * (never with a total): each row also says whether it is `near` the bound.
 */
function compileRows (plan: FindPlan, total: boolean, compiler: Compiler, capped?: PopulateCaps): { body: SQL, order: SQL } {
  const root = compiler.alias()
  // A limited page sorted on something else than the id is a top-N sort over every match: it sorts ids and
  // keys only, and the page's rows are read back by id (c: a sort of 5,000 whole articles took 4 ms more).
  const narrow = plan.orderBy.length > 0 && plan.limit !== undefined
  const { page, keys } = pageSelect(plan, root, narrow, compiler)
  const picked = narrow ? compiler.alias() : root
  const source = narrow
    ? sql`(${page}) AS ${ident(picked)} JOIN ${ident(plan.info.table)} AS ${ident(root)} ON ${column(root, 'id')} = ${column(picked, 'id')}`
    : sql`(${page}) AS ${ident(root)}`
  const rowOrder = sql.join([...keys.map(k => sql`${column(picked, k.name)} ${k.direction}`), column(picked, 'id')], sql`, `)
  if (capped !== undefined) return { body: cappedRows(plan.select, root, rowOrder, source, capped, compiler), order: sql`"n"` }
  // On the wire, each row is its JSON text: the response is assembled from it without parsing.
  const row = compiler.wire ? sql`${rowJson(plan.select, root, compiler)}::text` : rowJson(plan.select, root, compiler)
  const rows = sql`SELECT ${row} AS "row", row_number() OVER (ORDER BY ${rowOrder}) AS "n" FROM ${source}`
  if (!total) return { body: rows, order: sql`"n"` }
  const counted = compiler.alias()
  const paged = compiler.alias()
  return {
    body: sql`SELECT ${column(counted, 'total')} AS "total", ${column(paged, 'row')} AS "row", ${column(paged, 'n')} AS "n" FROM (${compileCount(plan.info, plan.where, compiler)}) AS ${ident(counted)} LEFT JOIN (${rows}) AS ${ident(paged)} ON TRUE`,
    order: column(paged, 'n')
  }
}

/**
 * Rows built with their lists capped, each with `near`: the rows it built reach over the bound. The row's keys
 * are a lateral's columns, so each list's length is read from its own JSON: `json -> 'key'` on the whole row
 * parsed the row once per list (d's PostgreSQL time, a third of it).
 */
function cappedRows (select: SelectPlan, root: string, rowOrder: SQL, source: SQL, capped: PopulateCaps, compiler: Compiler): SQL {
  const o = compiler.alias()
  const built = sql.join(capped.lists.map(list => sql` + json_array_length(${column(o, list.name)}) * ${sql.raw(String(list.weight))}`), sql``)
  const json = sql`row_to_json(${ident(o)})`
  const row = compiler.wire ? sql`${json}::text` : json
  // OFFSET 0 keeps the lateral a subquery: pulled up, each list read by `near` would be built a second time.
  const keys = sql`(${pairsSelect(rowPairs(select, root, compiler, undefined, capped.caps))} OFFSET 0) AS ${ident(o)}`
  return sql`SELECT ${row} AS "row", row_number() OVER (ORDER BY ${rowOrder}) AS "n", ${sql.raw(String(capped.fixed))}${built} > ${sql.raw(String(capped.max))} AS "near" FROM ${source} CROSS JOIN LATERAL ${keys}`
}

/** `SELECT count(*) AS "total"` of the rows matching a condition. */
export function compileCount (info: ModelInfo, where: Where | undefined, compiler: Compiler = createCompiler()): SQL {
  const root = compiler.alias()
  const condition = where === undefined ? sql`` : sql` WHERE ${compileWhere(where, root, compiler)}`
  return sql`SELECT count(*) AS "total" FROM ${ident(info.table)} AS ${ident(root)}${condition}`
}

/** Ids of the rows matching a condition, in id order (update, delete). */
export function compileIds (info: ModelInfo, where: Where | undefined, limit?: number): SQL {
  const compiler = createCompiler()
  const root = compiler.alias()
  const condition = where === undefined ? sql`` : sql` WHERE ${compileWhere(where, root, compiler)}`
  return sql`SELECT ${column(root, 'id')} AS "id" FROM ${ident(info.table)} AS ${ident(root)}${condition} ORDER BY ${column(root, 'id')}${sql.raw(limit === undefined ? '' : ` LIMIT ${limit}`)}`
}

// ---------------------------------------------------------------------------------------------
// JSON → results

/**
 * One key of a result row: a field, with its normalizer when its JSON value is not final, or a populated
 * attribute, by its index in the plan's `populate` (readers outlive the plans they were made for).
 */
interface Slot { key: string, normalize: Normalize | undefined, node: number }

const FIELD = -1

/** How JSON rows of one shape (model, fields, populated attributes) become entries. */
interface Reader {
  /** Every key, in the model's result order: rowJson's order, so a row's JSON is kept and only `work` is visited. */
  slots: Slot[]
  /** The slots with something to do: a normalizer or a node. */
  work: Slot[]
}

/** Distinct shapes kept per model, the least recently used dropped first: clients choose fields and populate. */
const READER_CACHE_SIZE = 100

// Readers are cached by plan (one plan per select shape, lib/query/params.ts), and by shape per model for
// plans parsed afresh (values the parse cache does not key).
const byShape = lruPerOwner<ModelInfo, Reader>(READER_CACHE_SIZE)
const byPlan = new WeakMap<SelectPlan, Reader>()

function buildReader (plan: SelectPlan): Reader {
  const byKey = new Map<string, Slot>()
  for (const field of plan.fields) byKey.set(field.name, { key: field.name, normalize: outputNormalizer(field.type), node: FIELD })
  plan.populate.forEach((node, index) => byKey.set(node.name, { key: node.name, normalize: undefined, node: index }))
  const slots = plan.info.keyOrder.flatMap(key => byKey.get(key) ?? [])
  return { slots, work: slots.filter(slot => slot.normalize !== undefined || slot.node !== FIELD) }
}

function readerOf (plan: SelectPlan): Reader {
  let reader = byPlan.get(plan)
  if (reader !== undefined) return reader
  const cache = byShape(plan.info)
  let key = ''
  for (const field of plan.fields) key += `${field.name},`
  key += '|'
  for (const node of plan.populate) key += `${node.name},`
  reader = cache.get(key)
  if (reader === undefined) {
    reader = buildReader(plan)
    cache.set(key, reader)
  }
  byPlan.set(plan, reader)
  return reader
}

function asObject (value: unknown): Record<string, unknown> | null {
  if (typeof value === 'string') return JSON.parse(value) as Record<string, unknown> | null
  return value as Record<string, unknown> | null
}

/** The parsed array itself (a fresh value of the row's JSON), items replaced in place. */
function asList (value: unknown): unknown[] {
  const parsed = typeof value === 'string' ? JSON.parse(value) as unknown : value
  return Array.isArray(parsed) ? parsed : []
}

function readList (plan: SelectPlan, value: unknown): unknown[] {
  const list = asList(value)
  for (let i = 0; i < list.length; i++) list[i] = readRow(plan, asObject(list[i]), undefined)
  return list
}

function readZone (node: Extract<PopulateNode, { kind: 'zone' | 'morph' }>, value: unknown, key = COMPONENT_KEY): unknown[] {
  const list = asList(value)
  for (let i = 0; i < list.length; i++) {
    const item = asObject(list[i]) ?? {}
    const uid = item[key]
    const plan = node.on.find(p => p.info.uid === uid)
    if (plan === undefined) throw new Error(`unexpected component ${String(uid)} in ${node.name}`)
    list[i] = readRow(plan, item, uid)
  }
  return list
}

function readNode (node: PopulateNode, value: unknown): unknown {
  switch (node.kind) {
    case 'relation':
      if (node.count) return { count: Number(value ?? 0) }
      return node.attribute.toMany ? readList(node.plan, value) : value == null ? null : readRow(node.plan, asObject(value), undefined)
    case 'component':
      return node.attribute.repeatable ? readList(node.plan, value) : value == null ? null : readRow(node.plan, asObject(value), undefined)
    case 'localizations':
      return readList(node.plan, value)
    case 'zone':
      return readZone(node, value)
    case 'morph':
      if (node.attribute.toMany) return readZone(node, value, TYPE_KEY)
      return value == null ? null : readZone(node, [asObject(value)], TYPE_KEY)[0]
  }
}

/** `component`: a zone item's uid, its first key. */
function readRow (plan: SelectPlan, json: Record<string, unknown> | null, component: unknown): Entry {
  const reader = readerOf(plan)
  if (json !== null) {
    for (const slot of reader.work) {
      const value = json[slot.key]
      if (slot.node !== FIELD) json[slot.key] = readNode(plan.populate[slot.node] as PopulateNode, value)
      else if (value !== null && slot.normalize !== undefined) json[slot.key] = slot.normalize(value)
    }
    return json as Entry
  }
  // No JSON at all: every key, empty.
  const out: Record<string, unknown> = component === undefined ? {} : { [COMPONENT_KEY]: component }
  for (const slot of reader.slots) out[slot.key] = slot.node === FIELD ? null : readNode(plan.populate[slot.node] as PopulateNode, undefined)
  return out as Entry
}

/** One result row from its JSON: keys in model order, every value normalized per attribute type. */
export function buildRow (plan: SelectPlan, value: unknown): Entry {
  return readRow(plan, asObject(value), undefined)
}
