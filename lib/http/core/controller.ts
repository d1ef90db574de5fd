import type { ContentType, Schema } from '../../content-types/index.js'
import { ValidationError } from '../../errors.js'
import type { JsonText, RequestContext } from '../../hooks/index.js'
import { isPlainObject } from '../../query/index.js'
import { requestSignal, withRequestSignal } from '../bounds.js'
import { jsonBody } from '../json-body.js'
import type { Controller } from '../types.js'
import { readableOf } from '../permissions.js'
import type { Pagination } from '../query/index.js'
import type { TextPlan } from './documents.js'
import { type CollectionService, singleTextReads, type SingleTypeService, textReads } from './service.js'
import { toV4, wantsV4 } from './v4.js'

/**
 * Core controllers (contract §7, §17). Every step goes through `this`, so a controller extending the core one
 * can replace any helper (`sanitizeOutput`, `transformResponse`, ...) and still reuse the actions.
 */

/** The request-facing checks, provided by the HTTP layer for one content type. */
export interface RequestGuards {
  validateQuery: (ctx: RequestContext) => void | Promise<void>
  sanitizeQuery: (ctx: RequestContext) => Record<string, unknown> | Promise<Record<string, unknown>>
  /**
   * The query validated (as `validateQuery`) with its pass-through plan: `plan` builds it from the sanitized
   * query and the validated pagination the first time a query of that shape is seen by a caller's permissions.
   */
  textPlan: (ctx: RequestContext, plan: (query: Record<string, unknown>, pagination: Pagination | undefined) => TextPlan) => { plan: TextPlan, pagination?: Pagination }
  /** Refuses relations to content types the caller may not read (400 "Invalid key", as Strapi). */
  validateInput: (data: Record<string, unknown>, ctx: RequestContext) => void
  /** The body's data without relations the caller may not read. */
  sanitizeInput: (data: Record<string, unknown>, ctx: RequestContext) => Record<string, unknown>
  sanitizeOutput: (data: unknown, ctx: RequestContext) => unknown
}

export interface CoreControllerDeps {
  contentType: ContentType
  /** The content type's service as registered (possibly extended), looked up at call time. */
  service: () => CollectionService | SingleTypeService
  guards: RequestGuards
  /**
   * Runs code below the controller as the request's (`vellum.requestContext.get()`). The route runs every other
   * controller in it; a core read enters it only when it leaves the pass-through, whose SQL-only path runs no
   * code that could ask (on Node 20 each entry costs async-context tracking on every promise of the request).
   */
  inRequestContext: <T>(ctx: RequestContext, fn: () => T) => T
  /** The request being answered, if any: `transformResponse` (called without ctx) reads its response format there. */
  currentRequest: () => RequestContext | undefined
  /** The whole model, for the v4 format's walk into relations and components. */
  schema: Schema
}

/** The unextended core controllers, whose reads the route leaves out of the request context (see inRequestContext). */
const coreControllers = new WeakSet<object>()

/** Whether a route's action enters the request context itself: a read of an unextended core controller. */
export function entersRequestContextItself (controller: object, action: string): boolean {
  return coreControllers.has(controller) && (action === 'find' || action === 'findOne')
}

/** Whether a core read may answer with the pass-through's texts: `this` is the core controller and the v5 shape is asked. */
function passesThrough (self: object, core: object, ctx: RequestContext): boolean {
  return self === core && !wantsV4(ctx)
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

/**
 * The first steps of every action: the query checked, then sanitized (each overridable on `this`). The
 * request's signal goes with it to the service, and on to the Document Service (`signal`).
 */
async function readQuery (self: Self, ctx: RequestContext): Promise<Record<string, unknown>> {
  await self.validateQuery(ctx)
  const query = await self.sanitizeQuery(ctx)
  const signal = requestSignal(ctx.request)
  return signal === undefined ? query : { ...query, signal }
}

/** The body's `data` of a write, checked, then sanitized. */
async function readData (self: Self, ctx: RequestContext): Promise<Record<string, unknown>> {
  const data = bodyData(ctx)
  await self.validateInput(data, ctx)
  return await self.sanitizeInput(data, ctx)
}

function helpers ({ guards, contentType, currentRequest, schema }: CoreControllerDeps): CoreControllerHelpers {
  return {
    async validateQuery (ctx) { await guards.validateQuery(ctx) },
    async sanitizeQuery (ctx) { return await guards.sanitizeQuery(ctx) },
    async validateInput (data, ctx) {
      // Root system keys and unreadable relations are refused here, with the body as source; the Document
      // Service checks the rest.
      if (!isPlainObject(data)) throw new ValidationError('Missing "data" payload in the request body')
      for (const key of ['id', 'documentId']) {
        if (key in data) throw new ValidationError(`Invalid key ${key}`, { key, path: key, source: 'body' })
      }
      guards.validateInput(data, ctx)
    },
    async sanitizeInput (data, ctx) { return guards.sanitizeInput(data, ctx) },
    async sanitizeOutput (data, ctx) { return guards.sanitizeOutput(data, ctx) },
    transformResponse (data, meta) {
      if (data === null || data === undefined) return data
      return { data: wantsV4(currentRequest()) ? toV4(data, contentType.uid, schema) : data, meta: meta ?? {} }
    }
  }
}

/**
 * The pass-through: when the controller and the service are the core ones (no custom code between the query
 * and the response), the entries never become objects. PostgreSQL builds each one's JSON as sanitizeOutput
 * and serialization would leave it (private attributes not selected, unreadable relations refused), and the
 * body is assembled around those texts (JsonText: parsed only if a middleware reads `ctx.body`). A repeated
 * query is one cache lookup away from its statement: the guards keep its plan with its validation.
 */
async function textFind (ctx: RequestContext, guards: RequestGuards, service: CollectionService): Promise<JsonText | undefined> {
  const reads = textReads(service)
  if (reads === undefined) return undefined
  const { plan, pagination } = guards.textPlan(ctx, (query, pagination) => reads.planFind(query, paginationOf(pagination)))
  const page = await withRequestSignal(ctx.request, async signal => await reads.find(plan, paginationOf(pagination), readableOf(ctx), signal))
  if (page === undefined) return undefined
  return jsonBody('{"data":[', [page.entries], `],"meta":${JSON.stringify({ pagination: page.pagination })}}`)
}

/** A list's validated pagination (a find's query always has one). */
function paginationOf (pagination: Pagination | undefined): Pagination {
  if (pagination === undefined) throw new Error('a find validated without its pagination')
  return pagination
}

/** One entry's response around its JSON text; null (no entry) and undefined (entries needed) as they are. */
function entryText (row: string | null | undefined): JsonText | null | undefined {
  if (row === undefined || row === null) return row
  return jsonBody('{"data":', [row], ',"meta":{}}')
}

async function textFindOne (ctx: RequestContext, guards: RequestGuards, service: CollectionService): Promise<JsonText | null | undefined> {
  const reads = textReads(service)
  if (reads === undefined) return undefined
  const { plan } = guards.textPlan(ctx, query => reads.planFindOne(query))
  return entryText(await withRequestSignal(ctx.request, async signal => await reads.findOne(plan, String(ctx.params.id), readableOf(ctx), signal)))
}

async function textFindSingle (ctx: RequestContext, guards: RequestGuards, service: SingleTypeService): Promise<JsonText | null | undefined> {
  const reads = singleTextReads(service)
  if (reads === undefined) return undefined
  const { plan } = guards.textPlan(ctx, query => reads.plan(query))
  return entryText(await withRequestSignal(ctx.request, async signal => await reads.find(plan, readableOf(ctx), signal)))
}

export function createCollectionController (deps: CoreControllerDeps): Controller {
  const service = deps.service as () => CollectionService
  const core: CoreControllerHelpers = {
    ...helpers(deps),
    async find (this: Self, ctx: RequestContext) {
      // `this` is the core controller: no helper (validateQuery, sanitizeOutput, ...) was replaced.
      const text = passesThrough(this, core, ctx) ? await textFind(ctx, deps.guards, service()) : undefined
      if (text !== undefined) return text
      return await deps.inRequestContext(ctx, async () => {
        const query = await readQuery(this, ctx)
        const { results, pagination } = await service().find(query)
        return this.transformResponse(await this.sanitizeOutput(results, ctx), { pagination })
      })
    },
    async findOne (this: Self, ctx: RequestContext) {
      const text = passesThrough(this, core, ctx) ? await textFindOne(ctx, deps.guards, service()) : undefined
      if (text !== undefined) return text
      return await deps.inRequestContext(ctx, async () => {
        const query = await readQuery(this, ctx)
        const entry = await service().findOne(String(ctx.params.id), query)
        return this.transformResponse(await this.sanitizeOutput(entry, ctx))
      })
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
  coreControllers.add(core)
  return core
}

export function createSingleTypeController (deps: CoreControllerDeps): Controller {
  const service = deps.service as () => SingleTypeService
  const core: CoreControllerHelpers = {
    ...helpers(deps),
    async find (this: Self, ctx: RequestContext) {
      const text = passesThrough(this, core, ctx) ? await textFindSingle(ctx, deps.guards, service()) : undefined
      if (text !== undefined) return text
      return await deps.inRequestContext(ctx, async () => {
        const query = await readQuery(this, ctx)
        const entry = await service().find(query)
        return this.transformResponse(await this.sanitizeOutput(entry, ctx))
      })
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
  coreControllers.add(core)
  return core
}
