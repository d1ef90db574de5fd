import type { ContentType, Schema } from '../content-types/index.js'
import type { Logger } from '../logger.js'
import type { PublicationFilter, QueryEngine, ReadPlan, TextReadOptions as QueryTextReadOptions, TextRows } from '../query/index.js'
import type { BodyBounds } from './validate.js'

/**
 * The Document Service's public types (contract §13): `documents(uid)` returns a repository whose methods
 * take Strapi v5's params (REST syntax for `fields`, `filters`, `sort`, `populate`, `pagination`) and return
 * flattened entries.
 */

export type Status = 'draft' | 'published'

/** One row of a document, flattened: id, documentId, the attributes, createdAt, updatedAt, publishedAt, locale (localized types only). */
export type DocumentEntry = Record<string, unknown> & { id: number, documentId: string }

/** Beyond Strapi: how a call runs, beside what it does. */
export interface RunParams {
  /**
   * Cancels the call's running statements (PostgreSQL) when aborted: the REST layer passes its request's,
   * aborted when the client goes away before the answer.
   */
  signal?: AbortSignal
}

/** REST-syntax read params shared by every method that returns entries. */
export interface ShapeParams extends RunParams {
  /** `'title,views'`, `['title']` or `'*'`: the scalar attributes returned (id and documentId always are). */
  fields?: string | string[]
  /** `'*'`, `'category'`, `['category', 'tags.articles']`, or `{ category: { fields, filters, sort, populate, count } }`. */
  populate?: unknown
}

export interface LocaleParams {
  /** A configured locale code, or `'*'` (all locales) where the method allows it. Default: the default locale. */
  locale?: string
}

export interface StatusParams {
  /** Default `'draft'`. Ignored for the rows of types without draft & publish (but still applies to populated targets that have it). */
  status?: Status
}

/** Reads of a publication cohort (contract §27.2); ignored on types without draft & publish. */
export interface PublicationFilterParams {
  /** Rows kept by whether the other version of their document (and locale) exists, and which is newer. */
  publicationFilter?: PublicationFilter
  /** Deprecated: `true` is `has-published-version-document`, `false` `never-published-document`; `publicationFilter` wins. */
  hasPublishedVersion?: boolean | 'true' | 'false'
}

export interface Pagination {
  page?: number | string
  pageSize?: number | string
  start?: number | string
  limit?: number | string
}

export interface FindManyParams extends ShapeParams, LocaleParams, StatusParams, PublicationFilterParams, Pagination {
  filters?: unknown
  sort?: unknown
  /** `{ page, pageSize }` or `{ start, limit }`; the root-level `start`/`limit` (or `page`/`pageSize`) work as well. */
  pagination?: Pagination & { withCount?: unknown }
  /** Case-insensitive search over the searchable text attributes (and numbers when numeric). */
  _q?: string
}

export type FindFirstParams = Omit<FindManyParams, 'pagination' | 'page' | 'pageSize' | 'start' | 'limit'>

export interface FindOneParams extends ShapeParams, LocaleParams, StatusParams, PublicationFilterParams {
  documentId: string
}

export interface CountParams extends LocaleParams, StatusParams, PublicationFilterParams, RunParams {
  filters?: unknown
  _q?: string
}

export interface CreateParams extends ShapeParams, LocaleParams, StatusParams {
  data: Record<string, unknown>
}

export interface UpdateParams extends CreateParams {
  documentId: string
}

export interface DeleteParams extends ShapeParams, LocaleParams {
  documentId: string
  /** Extra conditions on the rows deleted. */
  filters?: unknown
  /** Rejected when `'draft'` (a draft cannot be deleted alone: use discardDraft). */
  status?: Status
}

export interface PublicationParams extends ShapeParams {
  documentId: string
  /** A locale, `'*'` (all locales of the document) or a list of locales. */
  locale?: string | string[]
  /** Extra conditions on the rows acted on. */
  filters?: unknown
}

/** What delete, publish, unpublish and discardDraft return: the rows the action removed or produced. */
export interface DocumentResult {
  documentId: string
  entries: DocumentEntry[]
}

export interface DocumentRepository {
  findOne: (params: FindOneParams) => Promise<DocumentEntry | null>
  findFirst: (params?: FindFirstParams) => Promise<DocumentEntry | null>
  findMany: (params?: FindManyParams) => Promise<DocumentEntry[]>
  count: (params?: CountParams) => Promise<number>
  create: (params: CreateParams) => Promise<DocumentEntry>
  /** null when the document does not exist. */
  update: (params: UpdateParams) => Promise<DocumentEntry | null>
  delete: (params: DeleteParams) => Promise<DocumentResult>
  publish: (params: PublicationParams) => Promise<DocumentResult>
  unpublish: (params: PublicationParams) => Promise<DocumentResult>
  discardDraft: (params: PublicationParams) => Promise<DocumentResult>
}

/**
 * Beyond Strapi: `findMany` and `count` of the same params in one statement, as the core service's `find`
 * needs them. Both actions' middlewares run, with the params each would get from `findMany(params)` then
 * `count(params)`; the count's chain runs inside the findMany's, and when both chains end with the same
 * filters, status, locale and `_q`, the rows and the total come from one statement.
 */
export interface DocumentRepositoryWithCount extends DocumentRepository {
  findWithCount: (params?: FindManyParams) => Promise<[DocumentEntry[], number]>
  /**
   * A findMany, findOne (of any document: its documentId is `findText`'s option) or findFirst checked once
   * against the model, private attributes unknown, for the REST pass-through to keep per query shape.
   */
  planText: (action: TextAction, params: FindManyParams) => TextPlan
  /**
   * A planned read answered as response JSON text: see the Query Engine's `findText`. Undefined when a Document
   * Service middleware or a lifecycle hook would see the read, or a populated relation's target is not
   * `readable`: the caller reads entries then.
   */
  findText: (plan: TextPlan, options: TextReadOptions) => Promise<TextRows | undefined>
}

export type TextAction = 'findMany' | 'findOne' | 'findFirst'

/** A read planned by `planText`: the Query Engine's plan, run as it is by every request of its shape. */
export interface TextPlan {
  readonly action: TextAction
  readonly read: ReadPlan
}

/**
 * A text read's options: the Query Engine's, but the plan's action already says one row or a list. `readable`
 * names the relation targets the caller may read (all when undefined).
 */
export type TextReadOptions = Omit<QueryTextReadOptions, 'one'>

export type { TextRows }

export type DocumentAction = keyof DocumentRepository

export const DOCUMENT_ACTIONS: readonly DocumentAction[] = [
  'findOne', 'findFirst', 'findMany', 'count', 'create', 'update', 'delete', 'publish', 'unpublish', 'discardDraft'
]

/** What a Document Service middleware receives. `params` may be edited or replaced. */
export interface DocumentContext {
  uid: string
  contentType: ContentType
  action: DocumentAction
  params: Record<string, unknown>
}

/**
 * `async (ctx, next) => { …; const result = await next(); …; return result }`. Registration order = outermost
 * first. Returning without calling `next()` short-circuits the action with that value.
 */
export type DocumentMiddleware = (ctx: DocumentContext, next: () => Promise<unknown>) => unknown

export interface Documents {
  (uid: string): DocumentRepositoryWithCount
  /** Registers a middleware around every action of every content type; returns the function that removes it. */
  use: (middleware: DocumentMiddleware) => () => void
}

export interface I18nOptions {
  /** Configured locale codes; default `['en']`. */
  locales: readonly string[]
  /** Default `'en'` (or the first locale). */
  defaultLocale: string
}

export interface DocumentServiceOptions {
  db: QueryEngine
  schema: Schema
  i18n?: Partial<I18nOptions>
  log: Logger
  /** Array sizes a create's or update's `data` may hold, checked before anything runs. */
  bounds?: BodyBounds
}
