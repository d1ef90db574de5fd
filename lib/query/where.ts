import { sql, type SQL } from 'drizzle-orm'
import type { ScalarType } from '../content-types/index.js'
import type { ScalarOperator, Via, Where } from './ast.js'
import type { RelationLink } from '../db/index.js'
import type { ModelInfo } from './model.js'
import type { SqlValue } from './values.js'
import { escapeLike, PARAM_TYPES } from './values.js'

/**
 * Where AST → SQL. Names come from the physical model through `sql.identifier`, values are parameters;
 * conditions through relations and components are `EXISTS` subqueries, so parent rows never duplicate.
 */

/**
 * State of one statement's compilation: table aliases unique within the statement (a model may appear at
 * several levels), and how values become SQL. `bind` receives the AST node a value belongs to and the
 * value's index within it: inline compilation makes each value a parameter, while statements.ts makes it a
 * placeholder numbered from the node, so the rendered text can be cached per query shape and reused.
 */
export interface Compiler {
  alias (): string
  bind (node: object, index: number, value: unknown): SQL
  /** Rows' JSON as the response sends it (values formatted in SQL, hidden keys left out): see select.ts. */
  wire: boolean
}

const inlineValue = (_node: object, _index: number, value: unknown): SQL => sql`${value}`

export function createCompiler (bind: Compiler['bind'] = inlineValue, wire = false): Compiler {
  let n = 0
  return { alias: () => `t${n++}`, bind, wire }
}

export const ident = (name: string): SQL => sql`${sql.identifier(name)}`

export function column (alias: string, name: string): SQL {
  return sql`${sql.identifier(alias)}.${sql.identifier(name)}`
}

const SAFE_LITERAL = /^[A-Za-z0-9_.:-]*$/

/**
 * A constant from the model (a component uid, an attribute name) inlined as a SQL string: the model's
 * names are validated at load, and the check here makes it impossible for anything else to slip in.
 * Inlined constants keep statements parameter-free, so their prepared plans are reused.
 */
export function literal (text: string): SQL {
  if (!SAFE_LITERAL.test(text)) throw new Error(`not a model name: ${JSON.stringify(text)}`)
  return sql.raw(`'${text}'`)
}

/** A parameter cast to the attribute's type, so PostgreSQL never has to guess it. */
export function param (type: ScalarType, value: SqlValue): SQL {
  return sql`${value}::${sql.raw(PARAM_TYPES[type])}`
}

/** The rows reached through a relation or a component from the row `parent` (an alias of `via`'s model). */
export interface Joined {
  /** `FROM` items: the link or component-join table, joined to the target table. */
  from: SQL
  /** Ties the joined rows to the parent row. */
  on: SQL
  /** Alias of the target table. */
  alias: string
  target: ModelInfo
  /** Stored order: the link's order column or the component position, ties by id. */
  order: SQL[]
}

/** A morph side's own rows in its `*_mph` table (`AND related_type = … AND field = …`); nothing for other links. */
export function scopeOf (rel: RelationLink, alias?: string): SQL {
  const { morph } = rel
  if (morph === undefined) return sql``
  const col = (name: string): SQL => alias === undefined ? ident(name) : column(alias, name)
  return sql` AND ${col(morph.typeColumn)} = ${literal(morph.type)} AND ${col(morph.fieldColumn)} = ${literal(morph.field)}`
}

export function join (via: Via, parent: string, compiler: Compiler): Joined {
  const link = compiler.alias()
  const alias = compiler.alias()
  if (via.kind === 'relation') {
    const { link: rel, target } = via
    return {
      from: sql`${ident(rel.link.name)} AS ${ident(link)} JOIN ${ident(target.table)} AS ${ident(alias)} ON ${column(alias, 'id')} = ${column(link, rel.otherColumn)}`,
      on: sql`${column(link, rel.selfColumn)} = ${column(parent, 'id')}${scopeOf(rel, link)}`,
      alias,
      target,
      order: rel.orderColumn === undefined ? [column(alias, 'id')] : [column(link, rel.orderColumn), column(alias, 'id')]
    }
  }
  const { join: cmps, component, name } = via
  return {
    from: sql`${ident(cmps.name)} AS ${ident(link)} JOIN ${ident(component.table)} AS ${ident(alias)} ON ${column(alias, 'id')} = ${column(link, cmps.componentIdColumn)}`,
    on: sql`${column(link, cmps.entityColumn)} = ${column(parent, 'id')} AND ${column(link, cmps.fieldColumn)} = ${literal(name)} AND ${column(link, cmps.componentTypeColumn)} = ${literal(component.uid)}`,
    alias,
    target: component,
    order: [column(link, cmps.orderColumn), column(link, 'id')]
  }
}

const COMPARISONS: Partial<Record<ScalarOperator, string>> = {
  $eq: '=', $ne: '<>', $lt: '<', $lte: '<=', $gt: '>', $gte: '>='
}

/** LIKE patterns: the value is escaped, then wrapped; case-insensitive variants lower both sides. */
const LIKES: Partial<Record<ScalarOperator, { not: boolean, ci: boolean, pattern: (v: string) => string }>> = {
  $contains: { not: false, ci: false, pattern: v => `%${v}%` },
  $notContains: { not: true, ci: false, pattern: v => `%${v}%` },
  $containsi: { not: false, ci: true, pattern: v => `%${v}%` },
  $notContainsi: { not: true, ci: true, pattern: v => `%${v}%` },
  $startsWith: { not: false, ci: false, pattern: v => `${v}%` },
  $startsWithi: { not: false, ci: true, pattern: v => `${v}%` },
  $endsWith: { not: false, ci: false, pattern: v => `%${v}` },
  $endsWithi: { not: false, ci: true, pattern: v => `%${v}` }
}

type Compare = Extract<Where, { kind: 'compare' }>
type Version = Extract<Where, { kind: 'version' }>

/** The parameters a comparison sends, in order (LIKE patterns escaped and wrapped). */
export function compareValues ({ op, value }: Compare): SqlValue[] {
  const one = (): SqlValue => {
    if (Array.isArray(value)) throw new Error(`${op} takes one value`)
    return value
  }
  const like = LIKES[op]
  if (like !== undefined) return [like.pattern(escapeLike(String(one())))]
  switch (op) {
    case '$in':
    case '$notIn':
      if (!Array.isArray(value)) throw new Error(`${op} takes a list`)
      return value
    case '$between':
      if (!Array.isArray(value) || value.length !== 2) throw new Error('$between takes two values')
      return value
    case '$null':
    case '$notNull':
      return []
    case '$eqi':
    case '$nei':
      return [String(one())]
    default:
      return [one()]
  }
}

function compare (where: Compare, alias: string, compiler: Compiler): SQL {
  const { field, op } = where
  const col = column(alias, field.column)
  const values = compareValues(where)
  const bound = (index: number): SQL => compiler.bind(where, index, values[index] ?? null)
  const typed = (index: number): SQL => sql`${bound(index)}::${sql.raw(PARAM_TYPES[field.type])}`
  const comparison = COMPARISONS[op]
  if (comparison !== undefined) return sql`${col} ${sql.raw(comparison)} ${typed(0)}`
  const like = LIKES[op]
  if (like !== undefined) {
    const not = like.not ? sql` NOT` : sql``
    return like.ci
      ? sql`lower(${col})${not} LIKE lower(${bound(0)}::text)`
      : sql`${col}${not} LIKE ${bound(0)}::text`
  }
  switch (op) {
    case '$eqi': return sql`lower(${col}) = lower(${bound(0)}::text)`
    case '$nei': return sql`lower(${col}) <> lower(${bound(0)}::text)`
    case '$in': return sql`${col} IN (${sql.join(values.map((_, i) => typed(i)), sql`, `)})`
    case '$notIn': return sql`${col} NOT IN (${sql.join(values.map((_, i) => typed(i)), sql`, `)})`
    case '$null': return sql`${col} IS NULL`
    case '$notNull': return sql`${col} IS NOT NULL`
    case '$between': return sql`${col} BETWEEN ${typed(0)} AND ${typed(1)}`
    default: throw new Error(`unsupported operator ${op}`)
  }
}

function columnOf (info: ModelInfo, name: string): string {
  const field = info.fields.get(name)
  if (field === undefined) throw new Error(`${info.uid} has no ${name}`)
  return field.column
}

/** A correlated subquery on the row's own table: one statement, whatever the cohort. */
function compileVersion (where: Version, alias: string, compiler: Compiler): SQL {
  const { info, status, sameLocale, draftNewer } = where
  const other = compiler.alias()
  const same = (name: string): SQL => sql`${column(other, columnOf(info, name))} = ${column(alias, columnOf(info, name))}`
  const conditions = [same('documentId')]
  if (sameLocale && info.fields.has('locale')) {
    const locale = columnOf(info, 'locale')
    conditions.push(sql`${column(other, locale)} IS NOT DISTINCT FROM ${column(alias, locale)}`)
  }
  conditions.push(sql`${column(other, columnOf(info, 'publishedAt'))} ${sql.raw(status === 'draft' ? 'IS NULL' : 'IS NOT NULL')}`)
  if (draftNewer !== undefined) {
    const [draft, published] = status === 'published' ? [alias, other] : [other, alias]
    const updatedAt = columnOf(info, 'updatedAt')
    conditions.push(sql`${column(draft, updatedAt)} ${sql.raw(draftNewer ? '>' : '<=')} ${column(published, updatedAt)}`)
  }
  return sql`EXISTS (SELECT 1 FROM ${ident(info.table)} AS ${ident(other)} WHERE ${sql.join(conditions, sql` AND `)})`
}

/** SQL's three truth values: `null` is unknown. */
type Truth = boolean | null

/**
 * What `where` is on a related row whose columns are all NULL: Strapi filters through LEFT JOINs, so an entry
 * with nothing linked is tested against such a row (`filters[category][id][$null]=true` matches it). Only
 * `$null`/`$notNull` decide on NULL; every other comparison is unknown, and the logic is SQL's.
 */
function onNullRow (where: Where): Truth {
  switch (where.kind) {
    case 'const': return where.value
    case 'compare': return where.op === '$null' ? true : where.op === '$notNull' ? false : null
    case 'not': {
      if (reachesRows(where.item)) return onNullRow(negate(where.item))
      const inner = onNullRow(where.item)
      return inner === null ? null : !inner
    }
    case 'and':
    case 'or': {
      const decisive = where.kind === 'or'
      let unknown = false
      for (const item of where.items) {
        const value = onNullRow(item)
        if (value === decisive) return decisive
        if (value === null) unknown = true
      }
      return unknown ? null : !decisive
    }
    // Nothing is linked to a NULL row; an `exists` is never unknown (see compileWhere).
    case 'exists': return where.where !== undefined && onNullRow(where.where) === true
    // A NULL row belongs to no document.
    case 'version': return false
  }
}

/** A condition through a relation or component on its related rows (not a mere "something is linked"). */
function reachesRows (where: Where): boolean {
  switch (where.kind) {
    case 'exists': return where.where !== undefined
    case 'not': return reachesRows(where.item)
    case 'and':
    case 'or': return where.items.some(reachesRows)
    default: return false
  }
}

/**
 * `$not` as Strapi runs it: its filters join related rows (LEFT JOINs) and `NOT` applies to each joined row,
 * so `$not: { items: { name: 'a' } }` keeps an entry with *some* linked item not named `a` (or, with nothing
 * linked, whose NULL row passes), not one with *no* such item. The negation goes down to the related rows:
 * De Morgan through `and`/`or`, inside each `exists`; a bare "something is linked" stays negated as a whole
 * (`NOT EXISTS`: nothing linked, which is the NULL row's answer).
 */
function negate (where: Where): Where {
  switch (where.kind) {
    case 'and': return { kind: 'or', items: where.items.map(negate) }
    case 'or': return { kind: 'and', items: where.items.map(negate) }
    case 'not': return where.item
    case 'const': return { kind: 'const', value: !where.value }
    case 'exists': return where.where === undefined ? { kind: 'not', item: where } : { kind: 'exists', via: where.via, where: negate(where.where) }
    default: return { kind: 'not', item: where }
  }
}

/** Compiles a condition on rows of the table aliased `alias`. */
export function compileWhere (where: Where, alias: string, compiler: Compiler): SQL {
  switch (where.kind) {
    case 'and':
    case 'or':
      return sql`(${sql.join(where.items.map(w => compileWhere(w, alias, compiler)), where.kind === 'and' ? sql` AND ` : sql` OR `)})`
    case 'not':
      if (reachesRows(where.item)) return compileWhere(negate(where.item), alias, compiler)
      // SQL's NOT, as Strapi's: a comparison on NULL stays unknown, so `views: { $not: { $gt: 15 } }` skips NULL views.
      return sql`NOT (${compileWhere(where.item, alias, compiler)})`
    case 'const':
      return where.value ? sql`TRUE` : sql`FALSE`
    case 'compare':
      return compare(where, alias, compiler)
    case 'version':
      return compileVersion(where, alias, compiler)
    case 'exists': {
      // True when a linked row matches, or when nothing is linked and the condition holds on a NULL row
      // (Strapi's LEFT JOIN); never unknown. `$not` around it goes inside (see negate).
      const joined = join(where.via, alias, compiler)
      const condition = where.where === undefined ? sql`` : sql` AND ${compileWhere(where.where, joined.alias, compiler)}`
      const some = sql`EXISTS (SELECT 1 FROM ${joined.from} WHERE ${joined.on}${condition})`
      if (where.where === undefined || onNullRow(where.where) !== true) return some
      const none = join(where.via, alias, compiler)
      return sql`(${some} OR NOT EXISTS (SELECT 1 FROM ${none.from} WHERE ${none.on}))`
    }
  }
}
