import { Placeholder, sql, type SQL } from 'drizzle-orm'
import { LruMap } from 'toad-cache'
import type { Statement } from '../db/index.js'
import type { FindPlan, ListOptions, OrderTerm, PopulateNode, SelectPlan, Where } from './ast.js'
import type { ModelInfo } from './model.js'
import { renderSql } from './prepared.js'
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
  /** Where each value-holding node's values start in `values`: only walked for a text not rendered yet. */
  starts?: Map<object, number>
}

interface Rendered {
  sql: string
  /** In text order: placeholders (indexes into `Shape.values`) or constants. */
  params: unknown[]
}

export interface StatementCache {
  /**
   * `wire`: rows as their response JSON text (select.ts). `kept`: the caller keeps the plan and runs it again,
   * so its statement is kept with it. `exact`: populated rows counted, never capped (select.ts `FindOptions`).
   */
  find: (plan: FindPlan, options?: FindStatementOptions) => Statement
  count: (info: ModelInfo, where: Where | undefined) => Statement
}

export interface FindStatementOptions { total?: boolean, wire?: boolean, kept?: boolean, exact?: boolean }

/** Walks a plan once, writing its shape key and collecting its values (the order only needs to be stable). */
class ShapeWalker {
  private readonly parts: string[] = []
  readonly values: unknown[] = []
  readonly starts: Map<object, number> | undefined

  constructor (recordStarts: boolean) {
    this.starts = recordStarts ? new Map() : undefined
  }

  shape (): Shape {
    return { key: this.parts.join(''), values: this.values, ...(this.starts !== undefined && { starts: this.starts }) }
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
        this.starts?.set(where, this.values.length)
        this.values.push(...values)
        return this.push(`[${where.field.name} ${where.op} ${values.length}]`)
      }
      case 'version':
        return this.push(`version(${where.status} ${where.sameLocale ? 'L' : 'D'} ${String(where.draftNewer)})`)
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
      this.starts?.set(holder, this.values.length)
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
        for (const plan of node.on) {
          this.where(plan.where)
          this.select(plan)
        }
        return this.push(']')
      case 'morph':
        this.push(`${node.name}~[`)
        for (const plan of node.on) this.select(plan)
        return this.push(']')
    }
  }
}

// The select tree is walked first, so its values start at 0: its key and values are kept with the plan,
// which the parser reuses for every request of one shape (lib/query/params.ts).
const selectShapes = new WeakMap<SelectPlan, Shape>()
// A select key (hundreds of characters for `populate=*`) stands in statement keys as a short id: a request
// then builds and hashes a key of its conditions only. Plans of one select key share its id while it is kept.
const selectIds = new LruMap<string>(SHAPE_CACHE_SIZE * 2)
let nextSelectId = 0

function selectShape (plan: SelectPlan): Shape {
  let shape = selectShapes.get(plan)
  if (shape === undefined) {
    const walker = new ShapeWalker(false)
    walker.select(plan)
    const full = walker.shape()
    let id = selectIds.get(full.key)
    if (id === undefined) {
      id = `@${nextSelectId++} `
      selectIds.set(full.key, id)
    }
    shape = { key: id, values: full.values }
    selectShapes.set(plan, shape)
  }
  return shape
}

function findShape (plan: FindPlan, total: boolean, wire: boolean, exact: boolean, recordStarts: boolean): Shape {
  const walker = new ShapeWalker(recordStarts)
  walker.push(total ? 'find+total ' : 'find ')
  if (wire) walker.push('wire ')
  if (exact) walker.push('exact ')
  if (recordStarts) {
    walker.select(plan.select)
  } else {
    const head = selectShape(plan.select)
    walker.push(head.key)
    for (const value of head.values) walker.values.push(value)
  }
  walker.where(plan.where)
  walker.order(plan.orderBy)
  walker.window(plan, plan.limit, plan.offset)
  return walker.shape()
}

function countShape (info: ModelInfo, where: Where | undefined, recordStarts: boolean): Shape {
  const walker = new ShapeWalker(recordStarts)
  walker.push(`count ${info.uid} `)
  walker.where(where)
  return walker.shape()
}

/** Compiles with each value as a placeholder named after its index in the shape's values. */
type Compile = (compiler: Compiler) => SQL

function render (starts: Map<object, number>, compile: Compile, wire: boolean): Rendered {
  const compiler = createCompiler((node, index) => {
    const start = starts.get(node)
    if (start === undefined) throw new Error('a value outside the walked shape reached the compiler')
    return sql`${sql.placeholder(String(start + index))}`
  }, wire)
  return renderSql(compile(compiler))
}

function fill (rendered: Rendered, values: unknown[]): Statement {
  const params = rendered.params.map(p => p instanceof Placeholder ? values[Number(p.name)] : p)
  return { sql: rendered.sql, params, prepare: true }
}

/** `maxRows`: related rows a find may build (select.ts `FindOptions`); a gated result says `over` instead. */
export function createStatementCache (size = SHAPE_CACHE_SIZE, maxRows?: number): StatementCache {
  const cache = new LruMap<Rendered>(size)

  /** `walk(recordStarts)`: the plan's shape; the text is rendered from a walk that records where values start. */
  function statement (walk: (recordStarts: boolean) => Shape, compile: Compile, wire = false): Statement {
    const shape = walk(false)
    let rendered = cache.get(shape.key)
    if (rendered === undefined) {
      rendered = render(walk(true).starts ?? new Map(), compile, wire)
      cache.set(shape.key, rendered)
    }
    return fill(rendered, shape.values)
  }

  // Plans are never mutated: one kept by its caller (the REST pass-through keeps one per query shape) has the
  // same statement, values included, every time it runs. Plans made per call are not recorded.
  const planned = new WeakMap<FindPlan, Array<Statement | undefined>>()

  return {
    find (plan, options = {}) {
      const total = options.total === true
      const wire = options.wire === true
      const exact = options.exact === true
      const flags = (total ? 1 : 0) + (wire ? 2 : 0) + (exact ? 4 : 0)
      let known = options.kept === true ? planned.get(plan) : undefined
      const found = known?.[flags]
      if (found !== undefined) return found
      const made = statement(recordStarts => findShape(plan, total, wire, exact, recordStarts), compiler => compileFind(plan, { total, exact, ...(maxRows !== undefined && { maxRows }) }, compiler), wire)
      if (options.kept !== true) return made
      if (known === undefined) {
        known = []
        planned.set(plan, known)
      }
      known[flags] = made
      return made
    },
    count (info, where) {
      return statement(recordStarts => countShape(info, where, recordStarts), compiler => compileCount(info, where, compiler))
    }
  }
}
