import { isDeepStrictEqual } from 'node:util'
import { ValidationError } from '../errors.js'
import { findWithCount } from '../query/index.js'
import { createServiceContext } from './context.js'
import { createMiddlewareManager } from './middlewares.js'
import { withoutPagination } from './params.js'
import { createRepository } from './repository.js'
import { checkBodyBounds } from './validate.js'
import {
  DOCUMENT_ACTIONS, type DocumentAction, type DocumentContext, type DocumentEntry, type DocumentRepositoryWithCount,
  type Documents, type DocumentServiceOptions, type TextPlan, type TextReadOptions
} from './types.js'

/**
 * The Document Service (contract §9–§13): `documents(uid)` → findOne, findFirst, findMany, count, create,
 * update, delete, publish, unpublish, discardDraft, with draft & publish, i18n, relation writes by
 * documentId, components, validation, and middlewares (`documents.use`). Built on the Query Engine: every
 * row goes through `db.query(uid)`, so lifecycle hooks fire, and each write action (its middlewares
 * included) is one transaction. Pure: no Fastify.
 */

export * from './types.js'
export { checkLocale, checkStatus } from './context.js'
export { buildRead, type DocumentRead, withoutPagination } from './params.js'
export {
  convertPopulate, isLocalizations, starNames, type OutputNode, type PopulateOptions, type ReadScope
} from './populate.js'
export { createDocumentId } from './repository.js'

const READS = new Set<DocumentAction>(['findOne', 'findFirst', 'findMany', 'count'])
const BODY_ACTIONS = new Set<DocumentAction>(['create', 'update'])

/** The params a count is decided by: when a findMany and a count agree on these, one statement answers both. */
const COUNT_KEYS = ['filters', '_q', 'status', 'locale'] as const

function sameCount (count: Record<string, unknown>, find: Record<string, unknown>): boolean {
  return COUNT_KEYS.every(key => isDeepStrictEqual(count[key], find[key]))
}

function paramsObject (params: unknown): Record<string, unknown> {
  return typeof params === 'object' && params !== null && !Array.isArray(params) ? { ...params } : {}
}

export function createDocumentService ({ db, schema, i18n, log, bounds }: DocumentServiceOptions): Documents {
  const ctx = createServiceContext(db, schema, i18n, log)
  const middlewares = createMiddlewareManager()
  const repositories = new Map<string, DocumentRepositoryWithCount>()

  function repository (uid: string): DocumentRepositoryWithCount {
    const cached = repositories.get(uid)
    if (cached !== undefined) return cached
    const contentType = schema.contentTypes.get(uid)
    if (contentType === undefined) {
      throw new ValidationError(`Unknown content type ${JSON.stringify(uid)}`, { uid })
    }
    const core = createRepository(ctx, contentType)
    const context = (action: DocumentAction, params: unknown): DocumentContext => ({ uid, contentType, action, params: paramsObject(params) })
    const wrapped = {} as Record<DocumentAction | 'findWithCount', (params?: unknown) => Promise<unknown>>
    for (const action of DOCUMENT_ACTIONS) {
      const run = core[action] as (params: unknown) => Promise<unknown>
      const call = (params?: unknown): Promise<unknown> => middlewares.run(context(action, params), c => run(c.params))
      // A write is one whole transaction, middlewares included: a middleware that throws after next() rolls it
      // back, and so does a failed write whose error a middleware caught; its writes need no savepoints. One
      // aborted by a concurrent write (a deadlock) runs again from the start (see lock.ts for the order of locks).
      // A create of a collection type with no middleware opens the transaction itself, and only when it takes
      // more than one statement (repository.ts); a single type's takes the type's lock first, so it needs one.
      const own = action === 'create' && contentType.kind !== 'singleType'
      wrapped[action] = READS.has(action)
        ? call
        : params => {
          const given = paramsObject(params)
          // Sizes first: a huge body is refused before a transaction opens.
          if (bounds !== undefined && BODY_ACTIONS.has(action)) checkBodyBounds(schema, contentType, given.data, bounds)
          // The caller's signal cancels every statement of the transaction (a rollback).
          const signal = given.signal instanceof AbortSignal ? { signal: given.signal } : {}
          return own && middlewares.idle() && !db.inTransaction() ? call(params) : db.transaction(() => call(params), { whole: true, retry: true, ...signal })
        }
    }
    wrapped.findWithCount = async (params?: unknown): Promise<[DocumentEntry[], number]> => await findWithCount<Record<string, unknown>, DocumentEntry>({
      find: next => middlewares.run(context('findMany', params), async find => await next(find.params)) as Promise<DocumentEntry[]>,
      // The count gets the caller's params, as a separate count call would.
      count: async (_found, next) => Number(await middlewares.run(context('count', withoutPagination(paramsObject(params))), async count => await next(count.params))),
      same: sameCount,
      both: p => core.findWithCount(p),
      findOnly: p => core.findMany(p),
      countOnly: c => core.count(c)
    })
    // Text reads skip the middlewares' layer only when there is none: a middleware sees entries, so then
    // the caller reads entries.
    const text = {
      planText: core.planText,
      findText: (plan: TextPlan, options: TextReadOptions) => middlewares.idle() ? core.findText(plan, options) : Promise.resolve(undefined)
    }
    const repo = { ...wrapped, ...text } as unknown as DocumentRepositoryWithCount
    repositories.set(uid, repo)
    return repo
  }

  const documents = ((uid: string) => repository(uid)) as Documents
  documents.use = middleware => middlewares.use(middleware)
  return documents
}
