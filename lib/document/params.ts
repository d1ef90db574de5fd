import type { Model } from '../content-types/index.js'
import { PaginationError, ValidationError } from '../errors.js'
import { isPlainObject, type ParseOptions, planRead, type PlainObject, type ReadPlan } from '../query/index.js'
import { and, type ServiceContext } from './context.js'
import { convertPopulate, type OutputNode, type ReadScope } from './populate.js'

export { scopeWhere, type OutputNode, type ReadScope } from './populate.js'

/**
 * Document Service read params (REST syntax, contract §8) → Query Engine params. `filters` → `where`,
 * `fields` → `select`, `sort` → `orderBy`, `populate` → `populate` with, at every level, the request's status
 * added for draft-and-publish targets and its locale for localized ones, so relations never leak drafts into
 * published reads (nor the other way round). `populate` is converted by populate.ts, shared with the REST
 * layer; the virtual `localizations` relation is the Query Engine's (the other rows of the same document).
 */

const PARAM_NAMES: Record<string, string> = { where: 'filters', select: 'fields', orderBy: 'sort' }

function parseInteger (name: string, value: unknown, min: number): number | undefined {
  if (value === undefined || value === null || value === '') return undefined
  const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min) {
    throw new ValidationError(`Invalid value ${JSON.stringify(value)} for ${name}: expected an integer greater than or equal to ${min}`, { key: name, param: 'pagination', value })
  }
  return n
}

/**
 * The row window of the Document Service's pagination: `{ page, pageSize }` or `{ start, limit }`, in
 * `pagination` or at the root (pagination wins); limit -1 = no limit. (REST's pagination, with its limits
 * and meta, is lib/http's; its core service hands the window on as `start`/`limit`.)
 */
export function parseWindow (params: PlainObject): { limit?: number, offset?: number } {
  let source: PlainObject = params
  if (params.pagination !== undefined && params.pagination !== null) {
    if (!isPlainObject(params.pagination)) throw new ValidationError('The pagination parameter must be an object', { param: 'pagination', value: params.pagination })
    source = params.pagination
  }
  const pageMode = source.page !== undefined || source.pageSize !== undefined
  const offsetMode = source.start !== undefined || source.limit !== undefined
  if (pageMode && offsetMode) {
    throw new PaginationError('Invalid pagination attributes. You cannot use page and offset pagination in the same query', { param: 'pagination' })
  }
  if (pageMode) {
    const page = parseInteger('page', source.page, 1) ?? 1
    const pageSize = parseInteger('pageSize', source.pageSize, 1) ?? 25
    return { limit: pageSize, offset: (page - 1) * pageSize }
  }
  const start = parseInteger('start', source.start, 0)
  const limit = parseInteger('limit', source.limit, -1)
  return {
    ...(limit !== undefined && limit >= 0 && { limit }),
    ...(start !== undefined && start > 0 && { offset: start })
  }
}

const PAGINATION_KEYS = ['pagination', 'page', 'pageSize', 'start', 'limit'] as const

/** A copy of read params without their pagination (what a count of the same read takes). */
export function withoutPagination<T extends PlainObject> (params: T): T {
  const rest = { ...params }
  for (const key of PAGINATION_KEYS) delete rest[key]
  return rest
}

/** A ValidationError from the Query Engine's parsers, with REST's parameter names. */
export function restError (err: unknown): unknown {
  if (!(err instanceof ValidationError)) return err
  const param = err.details.param
  if (typeof param !== 'string' || PARAM_NAMES[param] === undefined) return err
  const renamed = PARAM_NAMES[param]
  const message = err.message.replace(`The ${param} parameter`, `The ${renamed} parameter`)
  const copy = new ValidationError(message, { ...err.details, param: renamed })
  copy.stack = err.stack
  return copy
}

/** A Query Engine read plan, plus the tree to shape its result with. */
export interface DocumentRead {
  plan: ReadPlan
  output: OutputNode
}

export interface ReadInput {
  fields?: unknown
  filters?: unknown
  sort?: unknown
  populate?: unknown
  _q?: unknown
  limit?: number
  offset?: number
}

/**
 * Builds (and checks against the model, once, with the caller's trust level, so a bad key never reaches a
 * lifecycle hook) the Query Engine plan of a read: the caller's conditions ANDed with `extra` (documentId,
 * status, locale). Every problem is a ValidationError named after the REST param.
 */
export function buildRead (service: ServiceContext, model: Model, input: ReadInput, scope: ReadScope, extra: unknown[], options: ParseOptions = {}): DocumentRead {
  const allowPrivate = options.allowPrivate ?? true
  try {
    const { populate, node } = convertPopulate(service.catalog, model.uid, input.populate, { allowPrivate, scope })
    const where = and(input.filters, ...extra)
    const params: PlainObject = {
      ...(input.fields !== undefined && input.fields !== null && { select: input.fields }),
      ...(where !== undefined && { where }),
      ...(input.sort !== undefined && input.sort !== null && { orderBy: input.sort }),
      ...(input._q !== undefined && input._q !== null && { _q: input._q }),
      ...(input.limit !== undefined && { limit: input.limit }),
      ...(input.offset !== undefined && { offset: input.offset }),
      ...(populate !== undefined && { populate })
    }
    return { plan: planRead(service.catalog, model.uid, params, { allowPrivate }), output: node }
  } catch (err) {
    throw restError(err)
  }
}
