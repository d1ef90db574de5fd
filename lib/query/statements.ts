import { Placeholder, sql, type SQL } from 'drizzle-orm'
import { PgDialect } from 'drizzle-orm/pg-core'
import type { Statement } from '../db/index.js'
import type { FindPlan, ListOptions, OrderTerm, PopulateNode, SelectPlan, Where } from './ast.js'
import type { ModelInfo } from './model.js'
import { compileCount, compileFind } from './select.js'
import { compareValues, type Compiler, createCompiler } from './where.js'

/**
 * Find and count plans → rendered statements, cached per query shape. A shape is the plan without its
 * values: model, fields, populate tree, condition structure (fields, operators, list lengths), order, limits.
 * Requests of one shape (every `GET /api/articles?page=N`, every `findOne` by documentId) share one SQL text,
 * which is compiled and rendered once and then prepared by the driver (see `Statement`). Per call, only the
 * plan is walked: for its shape key and its values.
 */

/** Distinct shapes kept, least recently used evicted first. */
export const SHAPE_CACHE_SIZE = 500

interface Shape {
  key: string
  /** Every value of the plan, in walk order. */
  values: unknown[]
  /** Where each value-holding node's values start in `values`. */
  starts: Map<object, number>
}

interface Rendered {
  sql: string
  /** In text order: placeholders (indexes into `Shape.values`) or constants. */
  params: unknown[]
}

export interface StatementCache {
  find: (plan: FindPlan, options?: { total?: boolean }) => Statement
  count: (info: ModelInfo, where: Where | undefined) => Statement
}

const dialect = new PgDialect()

/** Walks a plan once, writing its shape key and collecting its values (the order only needs to be stable). */
class ShapeWalker {
  private readonly parts: string[] = []
  readonly values: unknown[] = []
  readonly starts = new Map<object, number>()

  shape (): Shape {
    return { key: this.parts.join(''), values: this.values, starts: this.starts }
  }

  push (part: string): void {
    this.parts.push(part)
  }

  where (where: Where | undefined): void {
    if (where === undefined) return this.push('-')
    switch (where.kind) {
      case 'and':
      case 'or':
        this.push(`${where.kind}(`)
        for (const item of where.items) this.where(item)
        return this.push(')')
      case 'not':
        this.push('not(')
        this.where(where.item)
        return this.push(')')
      case 'const':
        return this.push(where.value ? 'T' : 'F')
      case 'compare': {
        const values = compareValues(where)
        this.starts.set(where, this.values.length)
        this.values.push(...values)
        return this.push(`[${where.field.name} ${where.op} ${values.length}]`)
      }
      case 'exists':
        this.push(`exists(${where.via.kind} ${where.via.name} `)
        this.where(where.where)
        return this.push(')')
    }
  }

  order (terms: OrderTerm[]): void {
    for (const term of terms) this.push(`<${term.path.map(via => via.name).join('.')} ${term.field.name} ${term.direction}>`)
  }

  /** LIMIT is part of the text; OFFSET is a value, but whether there is one changes the text. */
  window (holder: object, limit: number | undefined, offset: number | undefined): void {
    this.push(`{${limit ?? ''}`)
    if (offset !== undefined && offset !== 0) {
      this.starts.set(holder, this.values.length)
      this.values.push(offset)
      this.push('+')
    }
    this.push('}')
  }

  list (options: ListOptions): void {
    this.where(options.where)
    this.order(options.orderBy)
    this.window(options, options.limit, options.offset)
  }

  select (plan: SelectPlan): void {
    this.push(`(${plan.info.uid} `)
    for (const field of plan.fields) this.push(`${field.name},`)
    for (const node of plan.populate) this.populate(node)
    this.push(')')
  }

  populate (node: PopulateNode): void {
    switch (node.kind) {
      case 'relation':
        this.push(`${node.name}${node.count ? '#' : ''}:`)
        this.list(node)
        return this.select(node.plan)
      case 'component':
      case 'localizations':
        this.push(`${node.name}:`)
        this.list(node)
        return this.select(node.plan)
      case 'zone':
        this.push(`${node.name}[`)
        for (const plan of node.on) this.select(plan)
        return this.push(']')
    }
  }
}

function findShape (plan: FindPlan, total: boolean): Shape {
  const walker = new ShapeWalker()
  walker.push(total ? 'find+total ' : 'find ')
  walker.select(plan.select)
  walker.where(plan.where)
  walker.order(plan.orderBy)
  walker.window(plan, plan.limit, plan.offset)
  return walker.shape()
}

function countShape (info: ModelInfo, where: Where | undefined): Shape {
  const walker = new ShapeWalker()
  walker.push(`count ${info.uid} `)
  walker.where(where)
  return walker.shape()
}

/** Compiles with each value as a placeholder named after its index in the shape's values. */
type Compile = (compiler: Compiler) => SQL

function render (shape: Shape, compile: Compile): Rendered {
  const compiler = createCompiler((node, index) => {
    const start = shape.starts.get(node)
    if (start === undefined) throw new Error('a value outside the walked shape reached the compiler')
    return sql`${sql.placeholder(String(start + index))}`
  })
  const { sql: text, params } = dialect.sqlToQuery(compile(compiler))
  return { sql: text, params }
}

function fill (rendered: Rendered, values: unknown[]): Statement {
  const params = rendered.params.map(p => p instanceof Placeholder ? values[Number(p.name)] : p)
  return { sql: rendered.sql, params, prepare: true }
}

export function createStatementCache (size = SHAPE_CACHE_SIZE): StatementCache {
  const cache = new Map<string, Rendered>()

  function statement (shape: Shape, compile: Compile): Statement {
    let rendered = cache.get(shape.key)
    if (rendered === undefined) {
      rendered = render(shape, compile)
      if (cache.size >= size) cache.delete(cache.keys().next().value as string)
    } else {
      // Map order is insertion order: re-inserting keeps the most recently used last.
      cache.delete(shape.key)
    }
    cache.set(shape.key, rendered)
    return fill(rendered, shape.values)
  }

  return {
    find (plan, options = {}) {
      const total = options.total === true
      return statement(findShape(plan, total), compiler => compileFind(plan, { total }, compiler))
    },
    count (info, where) {
      return statement(countShape(info, where), compiler => compileCount(info, where, compiler))
    }
  }
}
