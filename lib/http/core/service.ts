import type { ContentType } from '../../content-types/index.js'
import { withoutPagination } from '../../document/index.js'
import { type Pagination, paginationMeta, parsePagination } from '../query/index.js'
import type { DocumentParams, DocumentsAccessor, Entry, TextPlan, TextReadOptions, TextRows } from './documents.js'
import type { Service } from '../types.js'

/**
 * Core services (contract §17): they add `status: 'published'` when the query has none and do the pagination
 * math before calling the Document Service. Pure: no request, no reply.
 */

export interface CoreServiceDeps {
  contentType: ContentType
  documents: DocumentsAccessor
  rest: { defaultLimit: number, maxLimit: number, withCount: boolean }
}

export interface CollectionService extends Service {
  find: (params?: DocumentParams) => Promise<{ results: Entry[], pagination: Record<string, number> }>
  findOne: (documentId: string, params?: DocumentParams) => Promise<Entry | null>
  create: (params: DocumentParams & { data: Record<string, unknown> }) => Promise<Entry>
  update: (documentId: string, params: DocumentParams & { data: Record<string, unknown> }) => Promise<Entry | null>
  delete: (documentId: string, params?: DocumentParams) => Promise<{ deletedEntries: number }>
}

/** A page of entries as JSON texts (see `textReads`). */
export interface TextPage {
  /** The entries' JSON texts joined by commas. */
  entries: string
  pagination: Record<string, number>
}

type Readable = ((uid: string) => boolean) | undefined
/** The request's: its statements are cancelled when its client goes away. */
type Signal = AbortSignal | undefined

/** A text read's options, without the keys left undefined. */
function textOptions (readable: Readable, signal: Signal): TextReadOptions {
  return { ...(readable !== undefined && { readable }), ...(signal !== undefined && { signal }) }
}

/**
 * The core services' reads as response JSON text, for the core controllers' pass-through. Only for services
 * that are the core one, unextended (`textReads` answers undefined otherwise): a custom `find` must be the
 * one that runs. Each read is planned once per validated query shape (the plan is kept by the guards with
 * the validation) from the sanitized query; running it answers undefined when entries are needed (a hook or
 * middleware listens, or a relation target is not `readable`).
 */
export interface TextReads {
  planFind: (query: DocumentParams, pagination: Pagination) => TextPlan
  find: (plan: TextPlan, pagination: Pagination, readable: Readable, signal: Signal) => Promise<TextPage | undefined>
  planFindOne: (query: DocumentParams) => TextPlan
  findOne: (plan: TextPlan, documentId: string, readable: Readable, signal: Signal) => Promise<string | null | undefined>
}

/** A single type's find as response JSON text (see `TextReads`). */
export interface SingleTextReads {
  plan: (query: DocumentParams) => TextPlan
  find: (plan: TextPlan, readable: Readable, signal: Signal) => Promise<string | null | undefined>
}

const coreTextReads = new WeakMap<object, TextReads>()
const coreSingleTextReads = new WeakMap<object, SingleTextReads>()

export function textReads (service: object): TextReads | undefined {
  return coreTextReads.get(service)
}

export function singleTextReads (service: object): SingleTextReads | undefined {
  return coreSingleTextReads.get(service)
}

/** The first row of a text read: undefined when entries are needed, null when nothing matched. */
function firstRow (found: TextRows | undefined): string | null | undefined {
  return found === undefined ? undefined : found.count === 0 ? null : found.entries
}

export interface SingleTypeService extends Service {
  find: (params?: DocumentParams) => Promise<Entry | null>
  createOrUpdate: (params: DocumentParams & { data: Record<string, unknown> }) => Promise<Entry | null>
  delete: (params?: DocumentParams) => Promise<{ deletedEntries: number }>
}

/**
 * REST defaults: published rows unless asked otherwise. Also on types without draft & publish: the status
 * still applies to the draft & publish targets they populate, and drafts must never leak through relations.
 */
function withStatus (params: DocumentParams): DocumentParams {
  if (params.status !== undefined) return params
  return { ...params, status: 'published' }
}

/** A list read's params with the REST pagination turned into its row window. */
function listQuery (params: DocumentParams, pagination: Pagination): DocumentParams {
  return { ...withStatus(withoutPagination(params)), start: pagination.start, limit: pagination.limit }
}

/** A list read's params and the pagination to report. */
function listParams (params: DocumentParams, rest: CoreServiceDeps['rest']): { query: DocumentParams, pagination: Pagination } {
  const pagination = parsePagination(params, rest)
  return { query: listQuery(params, pagination), pagination }
}

export function createCollectionService ({ contentType, documents, rest }: CoreServiceDeps): CollectionService {
  const repository = () => documents(contentType.uid)
  const service: CollectionService = {
    async find (params = {}) {
      const { query, pagination } = listParams(params, rest)
      if (!pagination.withCount) return { results: await repository().findMany(query), pagination: paginationMeta(pagination, undefined) }
      const [results, total] = await repository().findWithCount(query)
      return { results, pagination: paginationMeta(pagination, total) }
    },
    async findOne (documentId, params = {}) {
      return await repository().findOne({ ...withStatus(params), documentId })
    },
    async create (params) {
      return await repository().create(withStatus(params) as DocumentParams & { data: Record<string, unknown> })
    },
    async update (documentId, params) {
      return await repository().update({ ...withStatus(params), documentId } as DocumentParams & { documentId: string, data: Record<string, unknown> })
    },
    async delete (documentId, params = {}) {
      const { entries } = await repository().delete({ ...params, documentId })
      return { deletedEntries: entries.length }
    }
  }
  coreTextReads.set(service, {
    planFind: (query, pagination) => repository().planText('findMany', listQuery(query, pagination)),
    async find (plan, pagination, readable, signal) {
      const page = await repository().findText(plan, { total: pagination.withCount, ...textOptions(readable, signal) })
      if (page === undefined) return undefined
      return { entries: page.entries, pagination: paginationMeta(pagination, pagination.withCount ? page.total : undefined) }
    },
    planFindOne: query => repository().planText('findOne', withStatus(query)),
    async findOne (plan, documentId, readable, signal) {
      return firstRow(await repository().findText(plan, { documentId, ...textOptions(readable, signal) }))
    }
  })
  return service
}

export function createSingleTypeService ({ contentType, documents }: CoreServiceDeps): SingleTypeService {
  const repository = () => documents(contentType.uid)
  /** A single type holds one document, whatever the locale asked: its localizations share the documentId. */
  const documentId = async (): Promise<string | undefined> => {
    const existing = await repository().findFirst({ status: 'draft', locale: '*', fields: ['documentId'] })
    return existing === null ? undefined : String(existing.documentId)
  }
  const service: SingleTypeService = {
    async find (params = {}) {
      return await repository().findFirst(withStatus(params))
    },
    async createOrUpdate (params) {
      const existing = await documentId()
      const next = withStatus(params) as DocumentParams & { data: Record<string, unknown> }
      if (existing === undefined) return await repository().create(next)
      // Deleted since it was found: a create makes it again (the Document Service's create of a single type
      // updates the one document if a concurrent write made it meanwhile).
      return await repository().update({ ...next, documentId: existing }) ?? await repository().create(next)
    },
    async delete (params = {}) {
      const existing = await documentId()
      if (existing === undefined) return { deletedEntries: 0 }
      const { entries } = await repository().delete({ ...params, documentId: existing })
      return { deletedEntries: entries.length }
    }
  }
  coreSingleTextReads.set(service, {
    plan: query => repository().planText('findFirst', withStatus(query)),
    async find (plan, readable, signal) {
      return firstRow(await repository().findText(plan, textOptions(readable, signal)))
    }
  })
  return service
}
