/**
 * The REST query string (contract §7, §8): parsing with qs inside vellum's scope, validation against the
 * model (private attributes unreachable, limits enforced), pagination, and the populate sanitizer.
 */
export { createQueryStringParser, parseQueryString } from './parse.js'
export { allowedParams, validateQuery } from './validate.js'
export { paginationMeta, parsePagination } from './pagination.js'
export { sanitizeQuery, type SanitizeQueryOptions } from './sanitize.js'
export type { QueryParam } from './errors.js'
export type {
  CanRead, CoreQueryAction, OffsetPagination, PagePagination, Pagination, PaginationMeta, QueryAction, QueryKind,
  QueryStringLimits, RestLimits, ValidateQueryContext
} from './types.js'
