import { ValidationError } from '../errors.js'
import { createServiceContext } from './context.js'
import { createMiddlewareManager } from './middlewares.js'
import { createRepository } from './repository.js'
import {
  DOCUMENT_ACTIONS, type DocumentAction, type DocumentContext, type DocumentRepository, type Documents,
  type DocumentServiceOptions
} from './types.js'

/**
 * The Document Service (contract §9–§13): `documents(uid)` → findOne, findFirst, findMany, count, create,
 * update, delete, publish, unpublish, discardDraft, with draft & publish, i18n, relation writes by
 * documentId, components, validation, and middlewares (`documents.use`). Built on the Query Engine: every
 * row goes through `db.query(uid)`, so lifecycle hooks fire, and each write action (its middlewares
 * included) is one transaction. Pure: no Fastify.
 */

export * from './types.js'
export { buildRead, parsePagination, type ReadPlan } from './params.js'
export {
  convertPopulate, isLocalizations, starNames, type OutputNode, type PopulateOptions, type ReadScope
} from './populate.js'
export { createDocumentId } from './repository.js'

const READS = new Set<DocumentAction>(['findOne', 'findFirst', 'findMany', 'count'])

export function createDocumentService ({ db, schema, i18n, log }: DocumentServiceOptions): Documents {
  const ctx = createServiceContext(db, schema, i18n, log)
  const middlewares = createMiddlewareManager()
  const repositories = new Map<string, DocumentRepository>()

  function repository (uid: string): DocumentRepository {
    const cached = repositories.get(uid)
    if (cached !== undefined) return cached
    const contentType = schema.contentTypes.get(uid)
    if (contentType === undefined) {
      throw new ValidationError(`Unknown content type ${JSON.stringify(uid)}`, { uid })
    }
    const core = createRepository(ctx, contentType)
    const wrapped = {} as Record<DocumentAction, (params?: unknown) => Promise<unknown>>
    for (const action of DOCUMENT_ACTIONS) {
      const run = core[action] as (params: unknown) => Promise<unknown>
      const call = async (params?: unknown): Promise<unknown> => {
        const context: DocumentContext = {
          uid,
          contentType,
          action,
          params: typeof params === 'object' && params !== null && !Array.isArray(params) ? { ...params } : {}
        }
        return await middlewares.run(context, c => run(c.params))
      }
      // A write is one transaction, middlewares included: a middleware that throws after next() rolls it back.
      wrapped[action] = READS.has(action) ? call : params => db.transaction(() => call(params))
    }
    const repo = wrapped as unknown as DocumentRepository
    repositories.set(uid, repo)
    return repo
  }

  const documents = ((uid: string) => repository(uid)) as Documents
  documents.use = middleware => middlewares.use(middleware)
  return documents
}
