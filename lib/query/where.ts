import { sql, type SQL } from 'drizzle-orm'
import type { ScalarType } from '../content-types/index.js'
import type { ScalarOperator, Via, Where } from './ast.js'
import type { FieldInfo, ModelInfo } from './model.js'
import type { SqlValue } from './values.js'
import { escapeLike, PARAM_TYPES } from './values.js'

/**
 * Where AST → SQL. Names come from the physical model through `sql.identifier`, values are parameters;
 * conditions through relations and components are `EXISTS` subqueries, so parent rows never duplicate.
 */

/** Hands out table aliases unique within one statement (a model may appear at several levels). */
export interface Aliases {
  next (): string
}

export function createAliases (): Aliases {
  let n = 0
  return { next: () => `t${n++}` }
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

export function join (via: Via, parent: string, aliases: Aliases): Joined {
  const link = aliases.next()
  const alias = aliases.next()
  if (via.kind === 'relation') {
    const { link: rel, target } = via
    return {
      from: sql`${ident(rel.link.name)} AS ${ident(link)} JOIN ${ident(target.table)} AS ${ident(alias)} ON ${column(alias, 'id')} = ${column(link, rel.otherColumn)}`,
      on: sql`${column(link, rel.selfColumn)} = ${column(parent, 'id')}`,
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

function compare (alias: string, field: FieldInfo, op: ScalarOperator, value: SqlValue | SqlValue[]): SQL {
  const col = column(alias, field.column)
  const one = (): SqlValue => {
    if (Array.isArray(value)) throw new Error(`${op} takes one value`)
    return value
  }
  const many = (): SQL => {
    if (!Array.isArray(value)) throw new Error(`${op} takes a list`)
    return sql.join(value.map(v => param(field.type, v)), sql`, `)
  }
  const comparison = COMPARISONS[op]
  if (comparison !== undefined) return sql`${col} ${sql.raw(comparison)} ${param(field.type, one())}`
  const like = LIKES[op]
  if (like !== undefined) {
    const pattern = like.pattern(escapeLike(String(one())))
    const not = like.not ? sql` NOT` : sql``
    return like.ci
      ? sql`lower(${col})${not} LIKE lower(${pattern}::text)`
      : sql`${col}${not} LIKE ${pattern}::text`
  }
  switch (op) {
    case '$eqi': return sql`lower(${col}) = lower(${String(one())}::text)`
    case '$nei': return sql`lower(${col}) <> lower(${String(one())}::text)`
    case '$in': return sql`${col} IN (${many()})`
    case '$notIn': return sql`${col} NOT IN (${many()})`
    case '$null': return sql`${col} IS NULL`
    case '$notNull': return sql`${col} IS NOT NULL`
    case '$between': {
      if (!Array.isArray(value) || value.length !== 2) throw new Error('$between takes two values')
      return sql`${col} BETWEEN ${param(field.type, value[0] ?? null)} AND ${param(field.type, value[1] ?? null)}`
    }
    default: throw new Error(`unsupported operator ${op}`)
  }
}

/** Compiles a condition on rows of the table aliased `alias`. */
export function compileWhere (where: Where, alias: string, aliases: Aliases): SQL {
  switch (where.kind) {
    case 'and':
    case 'or':
      return sql`(${sql.join(where.items.map(w => compileWhere(w, alias, aliases)), where.kind === 'and' ? sql` AND ` : sql` OR `)})`
    case 'not':
      // NOT over a NULL comparison would drop the row: coalesce keeps "not (unknown)" true, as Strapi's users expect.
      return sql`NOT coalesce(${compileWhere(where.item, alias, aliases)}, false)`
    case 'const':
      return where.value ? sql`TRUE` : sql`FALSE`
    case 'compare':
      return compare(alias, where.field, where.op, where.value)
    case 'exists': {
      const joined = join(where.via, alias, aliases)
      const condition = where.where === undefined ? sql`` : sql` AND ${compileWhere(where.where, joined.alias, aliases)}`
      return sql`EXISTS (SELECT 1 FROM ${joined.from} WHERE ${joined.on}${condition})`
    }
  }
}
