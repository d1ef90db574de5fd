import { PaginationError, ValidationError } from '../../errors.js'
import { queryInvalidKey } from './errors.js'
import type { Pagination, PaginationMeta, RestLimits } from './types.js'
import { isPlainObject } from '../../query/index.js'

/**
 * Strapi's two pagination modes (contract §8.3) with its defaults and `maxLimit` clamping, but where Strapi
 * silently clamps nonsense (page 0, pageSize 0, a negative start, `limit=-1` from a query string becoming 1)
 * vellum answers 400 naming the parameter.
 */

const PAGINATION_KEYS = new Set(['page', 'pageSize', 'start', 'limit', 'withCount'])
const BOOLEANS = new Map<unknown, boolean>([
  [true, true], ['true', true], ['t', true], ['1', true], [1, true],
  [false, false], ['false', false], ['f', false], ['0', false], [0, false]
])

type Limits = Pick<RestLimits, 'defaultLimit' | 'maxLimit' | 'withCount'>

function details (key: string, value?: unknown): Record<string, unknown> {
  return { key, path: `pagination.${key}`, source: 'query', param: 'pagination', ...(value !== undefined && { value }) }
}

function integer (key: string, value: unknown, min: number, allowMinusOne = false): number | undefined {
  if (value === undefined) return undefined
  const n = typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value) ? Number(value) : value
  if (typeof n === 'number' && Number.isSafeInteger(n) && (n >= min || (allowMinusOne && n === -1))) return n
  const expected = allowMinusOne ? `an integer greater than or equal to ${min}, or -1` : `an integer greater than or equal to ${min}`
  throw new ValidationError(`pagination[${key}] must be ${expected}`, details(key, value))
}

function withCountOf (value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback
  const parsed = BOOLEANS.get(value)
  if (parsed === undefined) {
    throw new ValidationError('Invalid withCount parameter. Expected "t","1","true","false","0","f"', details('withCount', value))
  }
  return parsed
}

/**
 * The pagination of a `find`: `pagination[page|pageSize]` (default mode) or `pagination[start|limit]`, with
 * `pagination[withCount]`. Page size and limit are clamped to `maxLimit`; `limit=-1` means `maxLimit`.
 */
export function parsePagination (query: Record<string, unknown>, rest: Limits): Pagination {
  if (query.page !== undefined || query.pageSize !== undefined) {
    throw new PaginationError('Invalid pagination attributes. The page parameters are incorrect and must be in the pagination object', {
      key: query.page !== undefined ? 'page' : 'pageSize', source: 'query'
    })
  }
  if (query.start !== undefined || query.limit !== undefined) {
    // Strapi ignores these silently; a client sending them expects an effect it would not get.
    throw new PaginationError('Invalid pagination attributes. The offset parameters are incorrect and must be in the pagination object', {
      key: query.start !== undefined ? 'start' : 'limit', source: 'query'
    })
  }
  const raw = query.pagination
  let input: Record<string, unknown> = {}
  if (raw !== undefined && raw !== null && raw !== '') {
    if (!isPlainObject(raw)) {
      throw new ValidationError('The pagination parameter must be an object', { key: 'pagination', path: 'pagination', source: 'query', param: 'pagination', value: raw })
    }
    for (const key of Object.keys(raw)) {
      if (!PAGINATION_KEYS.has(key)) throw queryInvalidKey('pagination', key, ['pagination'])
    }
    input = raw
  }
  const withCount = withCountOf(input.withCount, rest.withCount)
  const maxLimit = rest.maxLimit
  const pageMode = input.page !== undefined || input.pageSize !== undefined
  const offsetMode = input.start !== undefined || input.limit !== undefined
  if (pageMode && offsetMode) {
    throw new PaginationError('Cannot use both page & offset pagination in the same query', { source: 'query', param: 'pagination' })
  }
  if (offsetMode) {
    const start = integer('start', input.start, 0) ?? 0
    const limit = integer('limit', input.limit, 1, true) ?? rest.defaultLimit
    return { mode: 'offset', start, limit: limit === -1 ? maxLimit : Math.min(limit, maxLimit), withCount }
  }
  const page = integer('page', input.page, 1) ?? 1
  const pageSize = Math.min(integer('pageSize', input.pageSize, 1) ?? rest.defaultLimit, maxLimit)
  const start = (page - 1) * pageSize
  if (!Number.isSafeInteger(start)) {
    throw new ValidationError('pagination[page] is too large', details('page', input.page))
  }
  return { mode: 'page', page, pageSize, withCount, start, limit: pageSize }
}

/** Strapi's `meta.pagination`; `total` (and `pageCount`) only when the rows were counted. */
export function paginationMeta (pagination: Pagination, total?: number): PaginationMeta {
  if (pagination.mode === 'offset') {
    const { start, limit } = pagination
    return total === undefined ? { start, limit } : { start, limit, total }
  }
  const { page, pageSize } = pagination
  if (total === undefined) return { page, pageSize }
  return { page, pageSize, pageCount: Math.ceil(total / pageSize), total }
}
