import type { SQL } from 'drizzle-orm'
import type { Schema } from '../content-types/index.js'
import type { Database, PhysicalModel, Statement } from '../db/index.js'
import { createTransactions, type TransactionOptions, type TransactionScope } from '../db/index.js'
import { ValidationError } from '../errors.js'
import type { Logger } from '../logger.js'
import { parseData, parseDataList } from './data.js'
import { createErrorMapper } from './errors.js'
import { findWithCount } from './find-count.js'
import { createLifecycles, type LifecyclesApi, type QueryAction } from './lifecycles.js'
import { type Catalog, createCatalog, type ModelInfo } from './model.js'
import { isPlainObject, type PlainObject } from './forms.js'
import { parseCount, parseFilter, parseFind, type ParseOptions } from './params.js'
import { isReadPlan, type ReadPlan } from './plan.js'
import { buildRow, compileIds, type Entry } from './select.js'
import type { FindPlan, SelectPlan, Where } from './ast.js'
import { limitError } from './limits.js'
import { createStatementCache, type FindStatementOptions, SHAPE_CACHE_SIZE } from './statements.js'
import { createWriter, type DocumentInsert, type DocumentInserted } from './write.js'

/**
 * The Query Engine (contract §14): row-level reads and writes of one model, with Strapi's params,
 * lifecycle hooks, and transactions joined implicitly through the async context.
 */

export type { DocumentInsert, DocumentInserted, Entry }
export type WhereParam = PlainObject | unknown[]
export type OrderByParam = string | PlainObject | Array<string | PlainObject>
export type PopulateParam = boolean | string | string[] | PlainObject

export type FindParams = {
  where?: WhereParam
  select?: string | string[]
  orderBy?: OrderByParam
  limit?: number
  offset?: number
  populate?: PopulateParam
  _q?: string
}
export type FindPageParams = FindParams & { page?: number, pageSize?: number }
export type CountParams = { where?: WhereParam, _q?: string }
export type Data = PlainObject
export type CreateParams = { data: Data, select?: string | string[], populate?: PopulateParam }
export type CreateManyParams = { data: Data[] }
export type UpdateParams = { where: WhereParam, data: Data, select?: string | string[], populate?: PopulateParam }
export type UpdateManyParams = { where?: WhereParam, data: Data }
export type DeleteParams = { where: WhereParam, select?: string | string[], populate?: PopulateParam }
export type DeleteManyParams = { where?: WhereParam }
export type LoadParams = true | Omit<FindParams, '_q'> & { count?: boolean }

export interface Pagination {
  page: number
  pageSize: number
  pageCount: number
  total: number
}

/**
 * The reads take Strapi's params, or a ReadPlan (lib/query/plan.ts) built from them by a layer that checked
 * them already: it runs without a second parse.
 */
export interface QueryRepository {
  findOne: (params?: FindParams | ReadPlan, options?: ReadOptions) => Promise<Entry | null>
  findMany: (params?: FindParams | ReadPlan, options?: ReadOptions) => Promise<Entry[]>
  findWithCount: (params?: FindParams | ReadPlan, options?: ReadOptions) => Promise<[Entry[], number]>
  findPage: (params?: FindPageParams) => Promise<{ results: Entry[], pagination: Pagination }>
  count: (params?: CountParams | ReadPlan, options?: ReadOptions) => Promise<number>
  create: (params: CreateParams) => Promise<Entry>
  createMany: (params: CreateManyParams) => Promise<{ count: number, ids: number[] }>
  update: (params: UpdateParams) => Promise<Entry | null>
  updateMany: (params: UpdateManyParams) => Promise<{ count: number }>
  delete: (params: DeleteParams) => Promise<Entry | null>
  deleteMany: (params?: DeleteManyParams) => Promise<{ count: number }>
  /** One relation, component or dynamic zone of one entry (no lifecycles). */
  load: (entity: { id: number } | number, field: string, params?: LoadParams) => Promise<unknown>
  /** The entry with the given attributes populated (no lifecycles). */
  populate: (entity: { id: number }, populate: PopulateParam) => Promise<Entry>
  /**
   * A read answered as the response's JSON text, for callers that would only serialize the entries (the REST
   * pass-through): each row as PostgreSQL built it, formatted as a response sends it, private attributes
   * never selected. Undefined when a lifecycle hook listens to the read (hooks see entries), or when `readable`
   * refuses a relation target the read would populate (the caller sanitizes entries then).
   */
  findText: (params: FindParams | ReadPlan, options: TextReadOptions) => Promise<TextRows | undefined>
}

/** How a read runs, beside what it reads. */
export interface ReadOptions {
  /**
   * Cancels the read's running statement (PostgreSQL) when aborted: a departed client's. Writes take theirs
   * from their transaction (`transaction(fn, { signal })`).
   */
  signal?: AbortSignal
}

export interface TextReadOptions extends ReadOptions {
  /** One row (findOne), else a list. */
  one?: boolean
  /** The total of matching rows, in the same statement. */
  total?: boolean
  readable?: (uid: string) => boolean
  /** Only this document's rows: a plan kept for every document of a shape (the REST pass-through's findOne). */
  documentId?: string
}

export interface TextRows {
  /** The entries' JSON texts as the response sends them, joined by commas in order ('' when none). */
  entries: string
  count: number
  total: number
}

export interface QueryEngine {
  query: (uid: string) => QueryRepository
  /** Runs one statement in the open transaction, or outside one (raw access, as Strapi's `db.connection`; no lifecycles). */
  execute: (query: SQL | Statement, signal?: AbortSignal) => Promise<Array<Record<string, unknown>>>
  /** Runs `fn` in a transaction (a savepoint when one is open); every call inside joins it. */
  transaction: <T>(fn: (scope: TransactionScope) => Promise<T>, options?: TransactionOptions) => Promise<T>
  /** True inside `transaction()`: a statement run now joins it rather than committing on its own. */
  inTransaction: () => boolean
  lifecycles: LifecyclesApi
  /** The model whitelist the parsers check against (for the REST layer's validation). */
  catalog: Catalog
  /** Resolves at once: `lifecycles.(ts|js)` files come loaded with the schema (lib/project). */
  ready: () => Promise<void>
  /** True when no hook but the built-in timestamps step listens to these actions of the model. */
  quiet: (uid: string, actions: readonly QueryAction[]) => boolean
  /**
   * Writes a new document in one statement, without lifecycle events (for callers that checked `quiet`);
   * database errors are mapped as the actions' are.
   */
  insertDocument: (uid: string, plan: DocumentInsert) => Promise<DocumentInserted>
}

export interface QueryEngineOptions {
  /** The database from `createDatabase`: its Drizzle instance, and how a statement is made cancellable. */
  database: Pick<Database, 'drizzle'> & Partial<Pick<Database, 'cancellable'>>
  schema: Schema
  physical: PhysicalModel
  log: Logger
  /** Related rows one read may build across its populate, else a 400 naming the bound (`bounds.maxPopulatedRows`). */
  maxPopulatedRows?: number
}

type Params = Record<string, unknown>

/** A read's params as its hooks see them, how to parse them, and the caller's plan when it can run as it is. */
interface Planned {
  p: Params
  options: ParseOptions
  find?: FindPlan
  signal?: AbortSignal
}

/** Copies params so hooks (and the timestamps step) never edit the caller's objects. */
function copyParams (params: unknown, name: string): Params {
  if (params === undefined || params === null) return {}
  if (!isPlainObject(params)) throw new ValidationError(`${name} expects an object of params`, { param: name, value: params })
  const copy: Params = { ...params }
  if (isPlainObject(copy.data)) copy.data = { ...copy.data }
  else if (Array.isArray(copy.data)) copy.data = copy.data.map(d => isPlainObject(d) ? { ...d } : d)
  return copy
}

function requireWhere (params: Params, action: string): void {
  const { where } = params
  if (where === undefined || where === null || (isPlainObject(where) && Object.keys(where).length === 0)) {
    throw new ValidationError(`${action} requires a where parameter`, { param: 'where' })
  }
}

function requireData (params: Params, action: string): void {
  if (!isPlainObject(params.data)) throw new ValidationError(`${action} requires a data object`, { param: 'data', value: params.data ?? null })
}

function positive (name: string, value: unknown, fallback: number): number {
  const n = parseCount(name, value) ?? fallback
  if (n < 1) throw new ValidationError(`Invalid value ${n} for ${name}: expected a positive integer`, { key: name, path: name, param: name, value })
  return n
}

export function createQueryEngine ({ database, schema, physical, log, maxPopulatedRows }: QueryEngineOptions): QueryEngine {
  const catalog = createCatalog(schema, physical)
  const transactions = createTransactions(database.drizzle, log, { ...(database.cancellable !== undefined && { cancellable: database.cancellable }) })
  const lifecycles = createLifecycles(catalog)
  const mapError = createErrorMapper(catalog, log)
  const exec = (query: SQL | Statement, signal?: AbortSignal): Promise<Params[]> => transactions.execute(query, signal)
  const statements = createStatementCache(SHAPE_CACHE_SIZE, maxPopulatedRows)
  const writer = createWriter(catalog, exec)
  const repositories = new Map<string, QueryRepository>()

  /**
   * A find's rows, within `maxPopulatedRows`: a counted find answers one row `{ over: true }` when its populate
   * would build more; a capped one (one row, its lists limited) says `near` when what it built may be over,
   * and is counted exactly then, in a second statement.
   */
  async function findRows (plan: FindPlan, options: FindStatementOptions, signal: AbortSignal | undefined): Promise<Params[]> {
    let result = await exec(statements.find(plan, options), signal)
    if (maxPopulatedRows === undefined) return result
    if (result[0]?.near === true) result = await exec(statements.find(plan, { ...options, exact: true }), signal)
    if (result[0]?.over !== true) return result
    throw limitError(`Too many related rows to populate: at most ${maxPopulatedRows} allowed (bounds.maxPopulatedRows)`,
      'bounds.maxPopulatedRows', maxPopulatedRows, { param: 'populate' })
  }

  function repository (uid: string): QueryRepository {
    const info = catalog.get(uid)

    async function guarded<T> (params: Params, fn: () => Promise<T>): Promise<T> {
      try {
        return await fn()
      } catch (err) {
        throw mapError(err, { uid, data: params.data })
      }
    }

    function read<T> (action: QueryAction, params: Params, exec: (p: Params) => Promise<T>): Promise<T> {
      return guarded(params, () => lifecycles.run({ uid, action, params, exec }))
    }

    /** A write is one transaction (a savepoint inside an open one, but a whole one): a throwing hook leaves no partial rows. */
    function write<T> (action: QueryAction, params: Params, exec: (p: Params) => Promise<T>): Promise<T> {
      // Mapped inside: a whole transaction rethrows the error its write recorded.
      return transactions.write(() => guarded(params, () => lifecycles.run({ uid, action, params, exec, onCommit: transactions.onCommit })))
    }

    /**
     * A write's answer asks only for the row's id and documentId, known without reading the row back, and no
     * hook listens to the FindOne a read-back fires.
     */
    function bareSelect (p: Params): boolean {
      return p.populate === undefined && Array.isArray(p.select) && p.select.every(f => f === 'id' || f === 'documentId') && lifecycles.quiet(uid, 'findOne')
    }

    async function rows (p: Params, total = false): Promise<{ entries: Entry[], total?: number }> {
      return await runFind(parseFind(catalog, uid, p), total)
    }

    async function runFind (plan: FindPlan, total: boolean, signal?: AbortSignal): Promise<{ entries: Entry[], total?: number }> {
      const result = await findRows(plan, { total }, signal)
      const entries: Entry[] = []
      // With a total, an empty page is one row whose `row` is null.
      for (const r of result) if (r.row !== null && r.row !== undefined) entries.push(buildRow(plan.select, r.row))
      return total ? { entries, total: Number(result[0]?.total ?? 0) } : { entries }
    }

    async function countWhere (where: Where | undefined, signal?: AbortSignal): Promise<number> {
      const [row] = await exec(statements.count(info, where), signal)
      return Number(row?.total ?? 0)
    }

    /**
     * The params hooks see, and the plan: a caller's plan is run as it is when no hook listens to `actions`
     * (none can edit its params); otherwise, and for raw params, the params the hooks leave are parsed.
     */
    function planned (params: unknown, name: string, actions: readonly QueryAction[], signal: AbortSignal | undefined): Planned {
      const run = signal === undefined ? {} : { signal }
      if (!isReadPlan(params)) return { p: copyParams(params, name), options: {}, ...run }
      ownPlan(params)
      const options: ParseOptions = { allowPrivate: params.allowPrivate }
      if (actions.every(action => lifecycles.idle(uid, action))) return { p: params.params, options, find: params.find, ...run }
      return { p: copyParams(params.params, name), options, ...run }
    }

    function ownPlan (plan: ReadPlan): void {
      if (plan.uid !== uid) throw new Error(`a read plan of ${plan.uid} given to ${uid}`)
    }

    const findOf = (input: Planned, p: Params): FindPlan => input.find ?? parseFind(catalog, uid, p, input.options)

    async function findOne (params?: FindParams | ReadPlan, options?: ReadOptions): Promise<Entry | null> {
      const input = planned(params, 'findOne', ['findOne'], options?.signal)
      return await read('findOne', input.p, async p => (await runFind({ ...findOf(input, p), limit: 1 }, false, input.signal)).entries[0] ?? null)
    }

    /** FindMany and Count hooks on the same params (as Strapi's findWithCount); one statement when they agree. */
    async function findAndCount (input: Planned): Promise<[Entry[], number]> {
      return await findWithCount<Params, Entry>({
        find: next => read('findMany', input.p, next),
        count: (found, next) => read('count', found ?? input.p, next),
        // Lifecycle hooks edit the params object they are given: a count handed the find's params agrees.
        same: (counted, found) => counted === found,
        both: async (p) => {
          const page = await runFind(findOf(input, p), true, input.signal)
          return [page.entries, page.total ?? 0]
        },
        findOnly: async p => (await runFind(findOf(input, p), false, input.signal)).entries,
        countOnly: async c => await countWhere(parseFilter(catalog, uid, c, input.options), input.signal)
      })
    }

    async function findText (params: FindParams | ReadPlan, options: TextReadOptions): Promise<TextRows | undefined> {
      const action = options.one === true ? 'findOne' : 'findMany'
      if (!lifecycles.idle(uid, action) || (options.total === true && !lifecycles.idle(uid, 'count'))) return undefined
      return await guarded({}, async () => {
        if (isReadPlan(params)) ownPlan(params)
        // A plan that reached private attributes is parsed again without them: text goes to untrusted callers.
        const find = isReadPlan(params) && !params.allowPrivate
          ? params.find
          : parseFind(catalog, uid, copyParams(isReadPlan(params) ? params.params : params, action), { allowPrivate: false })
        const scoped = options.documentId === undefined ? find : { ...find, where: documentWhere(info, options.documentId, find.where) }
        // A one-row plan planned with its limit stays the caller's object (its statement is kept with it).
        const plan = options.one === true && scoped.limit !== 1 ? { ...scoped, limit: 1 } : scoped
        if (options.readable !== undefined && !readableSelect(plan.select, options.readable)) return undefined
        const total = options.total === true
        const [joined] = await findRows(plan, { total, wire: true, kept: isReadPlan(params) && plan === params.find }, options.signal)
        const count = Number(joined?.count ?? 0)
        return { entries: typeof joined?.rows === 'string' ? joined.rows : '', count, total: total ? Number(joined?.total ?? 0) : count }
      })
    }

    const repo: QueryRepository = {
      findOne,
      findText,
      async findMany (params, options) {
        const input = planned(params, 'findMany', ['findMany'], options?.signal)
        return await read('findMany', input.p, async p => (await runFind(findOf(input, p), false, input.signal)).entries)
      },
      async findWithCount (params, options) {
        return await findAndCount(planned(params, 'findWithCount', ['findMany', 'count'], options?.signal))
      },
      async findPage (params) {
        const { page: rawPage, pageSize: rawSize, ...rest } = copyParams(params, 'findPage')
        const page = positive('page', rawPage, 1)
        const pageSize = positive('pageSize', rawSize, 10)
        const [results, total] = await findAndCount({ p: { ...rest, limit: pageSize, offset: (page - 1) * pageSize }, options: {} })
        return { results, pagination: { page, pageSize, pageCount: Math.ceil(total / pageSize), total } }
      },
      async count (params, options) {
        const input = planned(params, 'count', ['count'], options?.signal)
        return await read('count', input.p, async p => await countWhere(input.find !== undefined ? input.find.where : parseFilter(catalog, uid, p, input.options), input.signal))
      },
      async create (params) {
        return await write('create', copyParams(params, 'create'), async (p) => {
          requireData(p, 'create')
          const data = parseData(catalog, uid, p.data)
          const id = await writer.create(info, data)
          // Columns have no defaults: a documentId not written is null.
          if (bareSelect(p)) return { id, ...(info.fields.has('documentId') && { documentId: data.scalars.get('documentId')?.value ?? null }) }
          const entry = await findOne({ where: { id }, ...pick(p) })
          if (entry === null) throw new Error(`created ${uid} ${id} could not be read back`)
          return entry
        })
      },
      async createMany (params) {
        return await write('createMany', copyParams(params, 'createMany'), async (p) => {
          if (!Array.isArray(p.data)) throw new ValidationError('createMany requires a data array', { param: 'data', value: p.data ?? null })
          const ids = await writer.createMany(info, parseDataList(catalog, uid, p.data))
          return { count: ids.length, ids }
        })
      },
      async update (params) {
        return await write('update', copyParams(params, 'update'), async (p) => {
          requireWhere(p, 'update')
          requireData(p, 'update')
          const data = parseData(catalog, uid, p.data)
          const row = await writer.update(info, compileIds(info, parseFilter(catalog, uid, { where: p.where }), 1), data)
          if (row === undefined) return null
          if (bareSelect(p)) return row as Entry
          return await findOne({ where: { id: row.id }, ...pick(p) })
        })
      },
      async updateMany (params) {
        return await write('updateMany', copyParams(params, 'updateMany'), async (p) => {
          requireData(p, 'updateMany')
          const data = parseData(catalog, uid, p.data)
          const ids = (await exec(compileIds(info, parseFilter(catalog, uid, { where: p.where })))).map(r => Number(r.id))
          await writer.updateMany(info, ids, data)
          return { count: ids.length }
        })
      },
      async delete (params) {
        return await write('delete', copyParams(params, 'delete'), async (p) => {
          requireWhere(p, 'delete')
          // Read (with the caller's select/populate) before the row is gone.
          const entry = await findOne({ where: p.where as WhereParam, ...pick(p) })
          if (entry === null) return null
          await writer.remove(info, [entry.id])
          return entry
        })
      },
      async deleteMany (params) {
        return await write('deleteMany', copyParams(params, 'deleteMany'), async (p) => {
          const ids = (await exec(compileIds(info, parseFilter(catalog, uid, { where: p.where })))).map(r => Number(r.id))
          await writer.remove(info, ids)
          return { count: ids.length }
        })
      },
      async load (entity, field, params = true) {
        const id = typeof entity === 'number' ? entity : entity.id
        if (!info.relations.has(field) && !info.components.has(field) && !info.zones.has(field)) {
          throw new ValidationError(`Invalid key ${field}`, { key: field, path: field, param: 'populate' })
        }
        const { entries: [entry] } = await guarded({}, () => rows({ where: { id }, select: ['id'], populate: { [field]: params }, limit: 1 }))
        if (entry === undefined) return null
        return entry[field]
      },
      async populate (entity, populate) {
        const { entries: [entry] } = await guarded({}, () => rows({ where: { id: entity.id }, select: ['id'], populate, limit: 1 }))
        if (entry === undefined) return { ...entity } as Entry
        const { id: _, documentId: __, ...populated } = entry
        return { ...entity, ...populated } as Entry
      }
    }
    return repo
  }

  return {
    query (uid) {
      let repo = repositories.get(uid)
      if (repo === undefined) {
        repo = repository(uid)
        repositories.set(uid, repo)
      }
      return repo
    },
    execute: exec,
    transaction: (fn, options) => transactions.transaction(fn, options),
    inTransaction: () => transactions.active(),
    lifecycles: lifecycles.api,
    catalog,
    ready: lifecycles.ready,
    quiet: (uid, actions) => actions.every(action => lifecycles.quiet(uid, action)),
    async insertDocument (uid, plan) {
      try {
        return await writer.insertDocument(catalog.get(uid), plan)
      } catch (err) {
        throw mapError(err, { uid, data: Object.fromEntries([...plan.data.scalars].map(([name, { value }]) => [name, value])) })
      }
    }
  }
}

/** Whether every relation a select plan populates, at any depth, targets a readable model. */
function readableSelect (plan: SelectPlan, readable: (uid: string) => boolean): boolean {
  return plan.populate.every((node) => {
    if (node.kind === 'zone') return node.on.every(on => readableSelect(on, readable))
    if (node.kind === 'morph') return node.on.every(on => readable(on.info.uid) && readableSelect(on, readable))
    // localizations: the other rows of the document, which sanitizeOutput treats as a relation to the model.
    const target = node.kind === 'relation' ? node.target.uid : node.kind === 'localizations' ? node.plan.info.uid : undefined
    return (target === undefined || readable(target)) && readableSelect(node.plan, readable)
  })
}

/** `documentId = <value>` ANDed with a plan's conditions. */
function documentWhere (info: ModelInfo, documentId: string, where: Where | undefined): Where {
  const field = info.fields.get('documentId')
  if (field === undefined) throw new ValidationError(`${info.uid} has no documentId`, { key: 'documentId', param: 'documentId' })
  const item: Where = { kind: 'compare', field, op: '$eq', value: documentId }
  return where === undefined ? item : { kind: 'and', items: [item, where] }
}

/** The read-back params a write passes on to its findOne. */
function pick (p: Params): FindParams {
  return {
    ...(p.select !== undefined && { select: p.select as string[] }),
    ...(p.populate !== undefined && { populate: p.populate as PopulateParam })
  }
}
