import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import type { ContentType } from '../content-types/index.js'
import {
  createRouteHandlers, errorForStatus, releaseSuspended, type BoundPolicy, type RequestContext
} from '../hooks/index.js'
import { contentKey, lruPerOwner } from '../query/index.js'
import type { Vellum } from '../types.js'
import { createCollectionController, createSingleTypeController, type RequestGuards } from './core/controller.js'
import { createCollectionService, createSingleTypeService } from './core/service.js'
import { handleNotFound, handlePipelineError } from './errors.js'
import { extendCore } from './factories.js'
import { registerHealthRoutes } from './health.js'
import { registerGlobalMiddlewares, resolveGlobalMiddlewares, resolveRouteMiddlewares } from './middlewares/index.js'
import { createPublicAccess, readsAll, type AuthState } from './permissions.js'
import { resolvePolicies } from './policies/index.js'
import { type CanRead, createQueryStringParser, sanitizeQuery, validateQuery } from './query/index.js'
import { resolveRoutes, type ResolvedRoute } from './routes.js'
import { sanitizeOutput } from './sanitize/index.js'
import type { Controller, ControllerFactory, FactoryDeps, ProjectCode, Service, ServiceFactory } from './types.js'
export type * from './types.js'

export interface HttpScopeOptions {
  vellum: Vellum
  code: ProjectCode
  /** Filled here: the registries behind `vellum.controller(uid)` and `vellum.service(uid)`. */
  controllers: Map<string, Controller>
  services: Map<string, Service>
}

function isFactory<T extends ControllerFactory | ServiceFactory> (value: unknown, kind: T['kind']): value is T {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === kind
}

/** A registered controller or service: the core one (for content types) extended by the project's, if any. */
function build<T extends object> (core: T, custom: unknown, kind: 'controller-factory' | 'service-factory', deps: FactoryDeps): T {
  if (custom === undefined) return core
  if (isFactory(custom, kind)) return extendCore(core, custom.extend, deps)
  // A plain object (Strapi allows `module.exports = { async action (ctx) {} }`) still falls back to the core.
  return extendCore(core, () => custom as object, deps)
}

const readsNothing: CanRead = () => false

function canReadOf (ctx: RequestContext): CanRead {
  return (ctx.state.auth as AuthState | undefined)?.canRead ?? readsNothing
}

/** The sanitizers' canRead: none at all for a caller who may read everything (nothing to check, nothing to drop). */
function readLimits (ctx: RequestContext): { canRead?: CanRead } {
  const canRead = canReadOf(ctx)
  return canRead === readsAll ? {} : { canRead }
}

/** Valid queries remembered per content type and caller permissions, least recently used dropped first. */
const VALIDATED_CACHE_SIZE = 500

function guardsFor (contentType: ContentType, vellum: Vellum): RequestGuards {
  const { uid, kind } = contentType
  // Most requests repeat a few queries: one found valid for a caller's permissions (canRead, one function
  // per auth strategy and role) is valid again, since the model and the limits do not change at run time.
  const validated = lruPerOwner<CanRead, true>(VALIDATED_CACHE_SIZE)
  return {
    validateQuery (ctx) {
      const handler = String((ctx.state.route as { handler?: unknown } | undefined)?.handler ?? '')
      const action = handler.slice(handler.lastIndexOf('.') + 1) as 'find' | 'findOne' | 'create' | 'update' | 'delete'
      const canRead = canReadOf(ctx)
      const content = contentKey(ctx.query)
      const key = content === undefined ? undefined : `${action}\n${content}`
      const seen = validated(canRead)
      if (key !== undefined && seen.get(key) === true) return
      // canRead: filtering or sorting through a relation the caller may not read is a 400, not an oracle.
      validateQuery(ctx.query, uid, {
        catalog: vellum.db.catalog, rest: vellum.config.rest, action, kind, canRead, locales: vellum.config.i18n.locales
      })
      if (key !== undefined) seen.set(key, true)
    },
    sanitizeQuery: (ctx) => sanitizeQuery(ctx.query, uid, { schema: vellum.schema, ...readLimits(ctx) }),
    sanitizeOutput: (data, ctx) => sanitizeOutput(data, uid, { schema: vellum.schema, ...readLimits(ctx) })
  }
}

function buildRegistries ({ vellum, code, controllers, services }: HttpScopeOptions): void {
  const deps: FactoryDeps = { vellum }
  for (const contentType of vellum.schema.contentTypes.values()) {
    const coreDeps = { contentType, documents: vellum.documents, rest: vellum.config.rest }
    const service = contentType.kind === 'singleType' ? createSingleTypeService(coreDeps) : createCollectionService(coreDeps)
    services.set(contentType.uid, build(service, code.services.get(contentType.uid), 'service-factory', deps))
    const controllerDeps = { contentType, service: () => services.get(contentType.uid) as never, guards: guardsFor(contentType, vellum) }
    const controller = contentType.kind === 'singleType' ? createSingleTypeController(controllerDeps) : createCollectionController(controllerDeps)
    controllers.set(contentType.uid, build(controller, code.controllers.get(contentType.uid), 'controller-factory', deps))
  }
  // Controllers and services of APIs without a content type: custom actions only.
  for (const [uid, custom] of code.services) if (!services.has(uid)) services.set(uid, build({}, custom, 'service-factory', deps))
  for (const [uid, custom] of code.controllers) if (!controllers.has(uid)) controllers.set(uid, build({}, custom, 'controller-factory', deps))
}

/** The controller action a route runs, checked at boot. */
function actionOf (route: ResolvedRoute, controllers: Map<string, Controller>): (ctx: RequestContext) => unknown {
  if (typeof route.handler === 'function') return route.handler
  const name = route.handler
  const dot = name.lastIndexOf('.')
  const controller = controllers.get(name.slice(0, dot))
  const action = name.slice(dot + 1)
  if (controller === undefined || typeof controller[action] !== 'function') {
    throw new Error(`${route.source}: handler ${name} not found`)
  }
  return (ctx) => (controller[action] as (ctx: RequestContext) => unknown).call(controller, ctx)
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const

/**
 * vellum's encapsulated scope: query parsing, the global middlewares, the error and 404 formats and the
 * content API live here and never change the host's behaviour.
 */
export const httpScope: FastifyPluginAsync<HttpScopeOptions> = async function vellumHttp (app: FastifyInstance, options) {
  const { vellum, code } = options
  const deps: FactoryDeps = { vellum }
  const rest = vellum.config.rest
  buildRegistries(options)

  // Strapi's query syntax (`filters[title][$eq]=x`), parsed with qs for our routes only.
  const parseQueryString = createQueryStringParser(rest)
  app.addHook('onRequest', function vellumQuery (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
    const at = request.url.indexOf('?')
    // An empty body is no body, whatever its Content-Type (as koa-body reads it): @strapi/client sends
    // `Content-Type: application/json` on every request, DELETE included, which Fastify's JSON parser refuses.
    const length = request.headers['content-length']
    if ((length === undefined || length === '0') && request.headers['transfer-encoding'] === undefined) {
      delete request.headers['content-type']
    }
    try {
      request.query = at === -1 ? {} : parseQueryString(request.url.slice(at + 1))
      done()
    } catch (error) {
      done(error as Error)
    }
  })

  const projectDir = vellum.config.dir
  const resolveOptions = { registry: code.middlewares, deps, log: app.log, ...(projectDir !== undefined && { projectDir }) }
  // Built-ins that are Fastify plugins (helmet, cors) first, then the chain's onRequest hook.
  await registerGlobalMiddlewares(app, await resolveGlobalMiddlewares(code.globalMiddlewares, resolveOptions))
  // Callback hooks: an async one costs a promise on every response.
  app.addHook('onResponse', (request, _reply, done) => {
    releaseSuspended(request)
    done()
  })
  app.addHook('onRequestAbort', async (request) => { releaseSuspended(request) })
  app.setErrorHandler(handlePipelineError)

  registerHealthRoutes(app, vellum, vellum.config.health)

  const routes = resolveRoutes(code.routers, vellum.schema)
  const authorize = createPublicAccess(vellum.config.permissions)
  const prepared = await Promise.all(routes.map(async route => {
    const scope = { ...(route.apiName !== undefined && { apiName: route.apiName }) }
    const routeInfo = { method: route.method, path: route.path, handler: route.handlerName, config: route.config, info: route.info }
    const access: BoundPolicy = (ctx) => {
      ctx.state.route = routeInfo
      authorize(ctx, route.handlerName, route.config)
    }
    const policies: BoundPolicy[] = [access, ...resolvePolicies(route.config.policies, scope, code.policies, deps)]
    const middlewares = await resolveRouteMiddlewares(route.config.middlewares, { ...resolveOptions, ...scope })
    return { route, handlers: createRouteHandlers({ policies, middlewares, controller: actionOf(route, options.controllers) }) }
  }))

  await app.register(async function vellumContentApi (api) {
    if (rest.prefix !== '' || app.prefix !== '') api.setNotFoundHandler(handleNotFound)
    const methodsByPath = new Map<string, Set<string>>()
    for (const { route, handlers } of prepared) {
      // A trailing slash is accepted, as in Strapi (Fastify's ignoreTrailingSlash is server-wide, so not ours to set).
      for (const url of route.path.endsWith('/') ? [route.path] : [route.path, `${route.path}/`]) {
        api.route({ method: route.method, url, bodyLimit: rest.bodyLimit, preHandler: handlers.preHandler, handler: handlers.handler })
        // Both spellings get their 405s: else `DELETE /articles/` would reach `/articles/:id` with an empty id.
        const methods = methodsByPath.get(url) ?? new Set<string>()
        methods.add(route.method)
        methodsByPath.set(url, methods)
      }
    }
    // A known path with another method: 405 in the envelope (Strapi answers plain text).
    for (const [path, methods] of methodsByPath) {
      const others = METHODS.filter(method => !methods.has(method))
      if (others.length === 0) continue
      // RFC 9110: a 405 lists the allowed methods (HEAD comes with GET, as with Koa's router).
      const allow = [...methods].flatMap(method => method === 'GET' ? ['GET', 'HEAD'] : [method]).join(', ')
      const notAllowed = createRouteHandlers({
        policies: [],
        middlewares: [],
        controller: (ctx) => {
          ctx.set('Allow', allow)
          throw errorForStatus(405, 'Method Not Allowed')
        }
      })
      api.route({ method: others, url: path, preHandler: notAllowed.preHandler, handler: notAllowed.handler })
    }
  }, { prefix: rest.prefix })
}
