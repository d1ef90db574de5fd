import { checkLocale, checkStatus, convertPopulate, type PopulateOptions } from '../../document/index.js'
import { ValidationError } from '../../errors.js'
import {
  checkFilterDepth, checkList, isPlainObject, type ModelInfo, parseOrderBy, parsePopulate, parseSelect, parseWhere, type ParseOptions,
  type PlainObject, readPublicationFilter
} from '../../query/index.js'
import { checkOrder, checkPopulate, checkWhere } from './access.js'
import { asRest, queryInvalidKey } from './errors.js'
import { checkShape } from './limits.js'
import { parsePagination } from './pagination.js'
import { queryStringDepth } from './parse.js'
import type { CanRead, Pagination, QueryAction, QueryKind, RestLimits, ValidateQueryContext } from './types.js'

/**
 * The query of a core action, checked against the model before anything runs (contract §7, §8, §27.3). A
 * top-level key no action reads is ignored, as in Strapi (a 400 "Invalid key" with `rest.strictParams`);
 * vellum is strict where Strapi is lenient on the rest: a parameter the action would ignore (`filters` on
 * findOne) is a 400 "Invalid key", so is an unknown `status`, and every limit is enforced. Private and
 * password attributes are unknown keys at every depth: in filters (any operator, inside `$and`/`$or`/`$not`,
 * through relations and components), sort, fields, populate and populate options.
 */

const UNTRUSTED: ParseOptions = { allowPrivate: false, allowPublication: false }
const PUBLICATION_KEYS = ['publicationFilter', 'hasPublishedVersion']
const LIST_KEYS = ['filters', 'sort', 'fields', 'populate', 'status', 'locale', 'pagination', '_q', ...PUBLICATION_KEYS]
const ENTRY_KEYS = ['fields', 'populate', 'status', 'locale']
const READ_ONE_KEYS = [...ENTRY_KEYS, ...PUBLICATION_KEYS]
const DELETE_KEYS = ['status', 'locale']
const PAGINATION_ROOT_KEYS = new Set(['page', 'pageSize', 'start', 'limit'])
/** Keys some action reads, or pagination misplaced at the root: refused where they would be ignored. */
const REFUSED_KEYS = new Set([...LIST_KEYS, ...PAGINATION_ROOT_KEYS])
/** Keys Strapi's `strictParams` lets through that no vellum action reads. */
const STRAPI_IGNORED_KEYS = new Set(['count', 'ordering'])

/**
 * The top-level parameters each core action reads; another key that some action reads is refused, any other
 * key ignored (or refused under `strictParams`). A custom action may read anything a list reads.
 */
export function allowedParams (action: QueryAction, kind: QueryKind): ReadonlySet<string> {
  switch (action) {
    case 'find': return new Set(kind === 'collectionType' ? LIST_KEYS : READ_ONE_KEYS)
    case 'findOne': return new Set(READ_ONE_KEYS)
    case 'create':
    case 'update': return new Set(ENTRY_KEYS)
    case 'delete': return new Set(DELETE_KEYS)
    default: return new Set(LIST_KEYS)
  }
}

/** A top-level key the action does not read: a PaginationError, an "Invalid key", or nothing (ignored). */
function checkOtherKey (query: Record<string, unknown>, key: string, allowed: ReadonlySet<string>, rest: RestLimits): void {
  // Top-level page/start on a list: Strapi's PaginationError, which says where they belong.
  if (PAGINATION_ROOT_KEYS.has(key) && allowed.has('pagination')) parsePagination(query, rest)
  if (REFUSED_KEYS.has(key)) throw queryInvalidKey(undefined, key, [])
  if (rest.strictParams === true && !STRAPI_IGNORED_KEYS.has(key)) {
    throw new ValidationError(`Invalid key ${key}`, { key, path: null, source: 'query', param: key })
  }
}

function absent (value: unknown): boolean {
  return value === undefined || value === null || value === ''
}

/** `status` and `locale`, checked as the Document Service checks them, their errors with REST's details. */
function checkScope (param: 'status' | 'locale', check: () => unknown): void {
  try {
    check()
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err
    throw new ValidationError(err.message, { ...err.details, path: param, source: 'query', param })
  }
}

function checkSearch (value: unknown): void {
  if (value === undefined || value === null || typeof value === 'string' || typeof value === 'number') return
  throw new ValidationError('Invalid _q parameter: expected a string', { key: '_q', path: '_q', source: 'query', param: '_q', value })
}

/** `filters`, `fields` and `sort`, checked and access-checked. */
function checkShapeParams (ctx: ValidateQueryContext, info: ModelInfo, params: PlainObject): void {
  const { catalog, rest, canRead } = ctx
  if (!absent(params.filters)) {
    if (!isPlainObject(params.filters) && !Array.isArray(params.filters)) {
      throw new ValidationError('The filters parameter must be an object or an array', {
        key: 'filters', path: 'filters', source: 'query', param: 'filters', value: params.filters
      })
    }
    checkFilterDepth(params.filters, rest.maxFilterDepth, 'filters')
    const where = asRest('filters', () => parseWhere(catalog, info.uid, params.filters, UNTRUSTED))
    if (canRead !== undefined) checkWhere(where, canRead, 'filters', [])
  }
  if (!absent(params.sort)) {
    if (typeof params.sort === 'string') checkList(params.sort, rest.maxArrayLength, 'sort', ['sort'])
    const terms = asRest('sort', () => parseOrderBy(catalog, info.uid, params.sort, UNTRUSTED))
    if (canRead !== undefined) checkOrder(terms, canRead, 'sort', [])
  }
  if (!absent(params.fields)) {
    if (typeof params.fields === 'string') checkList(params.fields, rest.maxArrayLength, 'fields', ['fields'])
    asRest('fields', () => parseSelect(catalog, info.uid, params.fields, UNTRUSTED))
  }
}

/** Runs a conversion, its ValidationErrors marked as the query's (`details.source`). */
function fromQuery<T> (convert: () => T): T {
  try {
    return convert()
  } catch (err) {
    if (!(err instanceof ValidationError) || err.details.source !== undefined) throw err
    const { key, path, ...rest } = err.details
    throw new ValidationError(err.message, { ...(key !== undefined && { key }), path, source: 'query', ...rest })
  }
}

/**
 * `populate`, converted as the Document Service converts it (one implementation, lib/document/populate.ts)
 * with what only REST has (private attributes unknown, strict `count`, the limits), then
 * through the Query Engine's parser, `localizations` included as any populated relation.
 */
function checkPopulateParam (ctx: ValidateQueryContext, info: ModelInfo, value: unknown): void {
  const options: PopulateOptions = { allowPrivate: false, strict: true, limits: ctx.rest }
  const { populate } = fromQuery(() => convertPopulate(ctx.catalog, info.uid, value, options))
  if (populate === undefined) return
  const nodes = asRest('populate', () => parsePopulate(ctx.catalog, info.uid, populate, UNTRUSTED))
  if (ctx.canRead !== undefined) checkPopulate(nodes, ctx.canRead, [])
}

/**
 * Throws the first problem of a query: 400 ValidationError "Invalid key <key>" (`details { key, path,
 * source: 'query', param }`), a 400 naming an exceeded limit, or a 400 PaginationError. Returns the
 * pagination of an action that reads one; the rest of the query is used as given (after `sanitizeQuery`).
 */
export function validateQuery (query: Record<string, unknown>, uid: string, ctx: ValidateQueryContext): Pagination | undefined {
  const info = ctx.catalog.get(uid)
  const allowed = allowedParams(ctx.action, ctx.kind)
  for (const key of Object.keys(query)) {
    if (!allowed.has(key)) checkOtherKey(query, key, allowed, ctx.rest)
  }
  checkShape(query, allowed, ctx.rest.maxArrayLength, queryStringDepth(ctx.rest) + 1)
  // A given value (`?status` is null) must be valid: only an absent one means the default.
  if (query.status !== undefined) checkScope('status', () => checkStatus(query.status))
  if (query.locale !== undefined) checkScope('locale', () => checkLocale(ctx.locales, query.locale, true))
  if (allowed.has('publicationFilter')) readPublicationFilter(query)
  checkSearch(query._q)
  checkShapeParams(ctx, info, query)
  if (!absent(query.populate)) checkPopulateParam(ctx, info, query.populate)
  return allowed.has('pagination') ? parsePagination(query, ctx.rest) : undefined
}

export type { CanRead }
