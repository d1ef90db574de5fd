import type { Catalog, ReadLimits } from '../../query/index.js'

/** The `rest` options the query layer reads (a subset of vellum's `rest` options). */
export interface RestLimits extends ReadLimits {
  /** pageSize / limit when none is given. */
  defaultLimit: number
  /** Largest pageSize / limit; larger values are clamped to it, `limit=-1` means it. */
  maxLimit: number
  /** Whether `meta.pagination` carries `total` (and `pageCount`) unless `pagination[withCount]` says otherwise. */
  withCount: boolean
  /** An unknown top-level query key is a 400 (Strapi's `rest.strictParams`); ignored when false or absent. */
  strictParams?: boolean
}

/** What `parseQueryString` needs from the limits. */
export interface QueryStringLimits {
  maxArrayLength: number
  maxFilterDepth: number
  maxPopulateDepth: number
  /** Most `key=value` pairs in one query string; default 1000. */
  maxParameters?: number
}

export type CoreQueryAction = 'find' | 'findOne' | 'create' | 'update' | 'delete'
/** A core action, or a custom controller action's name (validated like a list: every parameter allowed). */
export type QueryAction = CoreQueryAction | (string & Record<never, never>)
export type QueryKind = 'collectionType' | 'singleType'

/** Whether the caller may read (`find`) a content type; components are always readable. */
export type CanRead = (uid: string) => boolean

export interface ValidateQueryContext {
  catalog: Catalog
  rest: RestLimits
  action: QueryAction
  kind: QueryKind
  /** When given, filtering or sorting through a relation whose target the caller may not read is a 400. */
  canRead?: CanRead
  /** The configured locale codes: `locale` must be one of them or `*`. */
  locales: readonly string[]
}

export type PagePagination = { mode: 'page', page: number, pageSize: number, withCount: boolean }
export type OffsetPagination = { mode: 'offset', start: number, limit: number, withCount: boolean }
/**
 * Validated pagination. Both modes also carry the row window (`start`, `limit`) the Document Service takes,
 * so callers need not redo the page math.
 */
export type Pagination = (PagePagination & { start: number, limit: number }) | OffsetPagination

/** Strapi's `meta.pagination`: `total`/`pageCount` only when counted. */
export type PaginationMeta =
  | { page: number, pageSize: number, pageCount?: number, total?: number }
  | { start: number, limit: number, total?: number }
