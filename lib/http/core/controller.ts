import type { ContentType } from '../../content-types/index.js'
import { ValidationError } from '../../errors.js'
import type { RequestContext } from '../../hooks/index.js'
import { isPlainObject } from '../../query/index.js'
import type { Controller } from '../types.js'
import type { CollectionService, SingleTypeService } from './service.js'

/**
 * Core controllers (contract §7, §17). Every step goes through `this`, so a controller extending the core one
 * can replace any helper (`sanitizeOutput`, `transformResponse`, ...) and still reuse the actions.
 */

/** The request-facing checks, provided by the HTTP layer for one content type. */
export interface RequestGuards {
  validateQuery: (ctx: RequestContext) => void | Promise<void>
  sanitizeQuery: (ctx: RequestContext) => Record<string, unknown> | Promise<Record<string, unknown>>
  sanitizeOutput: (data: unknown, ctx: RequestContext) => unknown
}

export interface CoreControllerDeps {
  contentType: ContentType
  /** The content type's service as registered (possibly extended), looked up at call time. */
  service: () => CollectionService | SingleTypeService
  guards: RequestGuards
}

export interface CoreControllerHelpers extends Controller {
  validateQuery: (ctx: RequestContext) => Promise<void>
  sanitizeQuery: (ctx: RequestContext) => Promise<Record<string, unknown>>
  validateInput: (data: unknown, ctx: RequestContext) => Promise<void>
  sanitizeInput: (data: Record<string, unknown>, ctx: RequestContext) => Promise<Record<string, unknown>>
  sanitizeOutput: (data: unknown, ctx: RequestContext) => Promise<unknown>
  transformResponse: (data: unknown, meta?: Record<string, unknown>) => unknown
}

type Self = CoreControllerHelpers

/** `{ data }` of the body, or Strapi's 400 when it is missing or not an object. */
function bodyData (ctx: RequestContext): Record<string, unknown> {
  const body = ctx.request.body as { data?: unknown } | undefined
  if (!isPlainObject(body) || !isPlainObject(body.data)) {
    throw new ValidationError('Missing "data" payload in the request body')
  }
  return body.data
}

/** The first steps of every action: the query checked, then sanitized (each overridable on `this`). */
async function readQuery (self: Self, ctx: RequestContext): Promise<Record<string, unknown>> {
  await self.validateQuery(ctx)
  return await self.sanitizeQuery(ctx)
}

/** The body's `data` of a write, checked, then sanitized. */
async function readData (self: Self, ctx: RequestContext): Promise<Record<string, unknown>> {
  const data = bodyData(ctx)
  await self.validateInput(data, ctx)
  return await self.sanitizeInput(data, ctx)
}

function helpers ({ guards }: CoreControllerDeps): CoreControllerHelpers {
  return {
    async validateQuery (ctx) { await guards.validateQuery(ctx) },
    async sanitizeQuery (ctx) { return await guards.sanitizeQuery(ctx) },
    async validateInput (data) {
      // Root system keys are refused here, with the body as source; the Document Service checks the rest.
      if (!isPlainObject(data)) throw new ValidationError('Missing "data" payload in the request body')
      for (const key of ['id', 'documentId']) {
        if (key in data) throw new ValidationError(`Invalid key ${key}`, { key, path: key, source: 'body' })
      }
    },
    async sanitizeInput (data) { return data },
    async sanitizeOutput (data, ctx) { return guards.sanitizeOutput(data, ctx) },
    transformResponse (data, meta) {
      if (data === null || data === undefined) return data
      return { data, meta: meta ?? {} }
    }
  }
}

export function createCollectionController (deps: CoreControllerDeps): Controller {
  const service = deps.service as () => CollectionService
  const core: CoreControllerHelpers = {
    ...helpers(deps),
    async find (this: Self, ctx: RequestContext) {
      const query = await readQuery(this, ctx)
      const { results, pagination } = await service().find(query)
      return this.transformResponse(await this.sanitizeOutput(results, ctx), { pagination })
    },
    async findOne (this: Self, ctx: RequestContext) {
      const query = await readQuery(this, ctx)
      const entry = await service().findOne(String(ctx.params.id), query)
      return this.transformResponse(await this.sanitizeOutput(entry, ctx))
    },
    async create (this: Self, ctx: RequestContext) {
      const query = await readQuery(this, ctx)
      const entry = await service().create({ ...query, data: await readData(this, ctx) })
      ctx.status = 201
      return this.transformResponse(await this.sanitizeOutput(entry, ctx))
    },
    async update (this: Self, ctx: RequestContext) {
      const query = await readQuery(this, ctx)
      const entry = await service().update(String(ctx.params.id), { ...query, data: await readData(this, ctx) })
      return this.transformResponse(await this.sanitizeOutput(entry, ctx))
    },
    async delete (this: Self, ctx: RequestContext) {
      const query = await readQuery(this, ctx)
      const { deletedEntries } = await service().delete(String(ctx.params.id), query)
      // An unknown document is a 404, not a silent 204 (a deliberate difference from Strapi).
      if (deletedEntries === 0) return null
      ctx.status = 204
    }
  }
  return core
}

export function createSingleTypeController (deps: CoreControllerDeps): Controller {
  const service = deps.service as () => SingleTypeService
  const core: CoreControllerHelpers = {
    ...helpers(deps),
    async find (this: Self, ctx: RequestContext) {
      const query = await readQuery(this, ctx)
      const entry = await service().find(query)
      return this.transformResponse(await this.sanitizeOutput(entry, ctx))
    },
    async update (this: Self, ctx: RequestContext) {
      const query = await readQuery(this, ctx)
      const entry = await service().createOrUpdate({ ...query, data: await readData(this, ctx) })
      return this.transformResponse(await this.sanitizeOutput(entry, ctx))
    },
    async delete (this: Self, ctx: RequestContext) {
      const query = await readQuery(this, ctx)
      await service().delete(query)
      ctx.status = 204
    }
  }
  return core
}
