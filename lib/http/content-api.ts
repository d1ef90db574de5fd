import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ProjectCodeError } from '../errors.js'
import { createRouteHandlers, errorForStatus, type BoundPolicy, type RequestContext, type RequestContextStore } from '../hooks/index.js'
import type { Vellum } from '../types.js'
import { handleNotFound } from './errors.js'
import { resolveRouteMiddlewares, type MiddlewareResolution } from './middlewares/index.js'
import { createAccess } from './permissions.js'
import { entersRequestContextItself } from './core/controller.js'
import { resolvePolicies } from './policies/index.js'
import { resolveRoutes, type ResolvedRoute } from './routes.js'
import type { Controller, FactoryDeps, ProjectCode } from './types.js'
import { createAuthRateLimit, rateLimitedField } from './rate-limit.js'
import { usersPermissionsRouter } from './users-permissions.js'
import { registerMultipart, uploadRouter } from './upload.js'

/** The controller action a route runs, checked at boot. */
/**
 * The route's controller action, run as the request's (`vellum.requestContext.get()`), except a core read, which
 * enters that context itself only when it leaves the pass-through.
 */
function actionOf (route: ResolvedRoute, controllers: Map<string, Controller>, requestContext: RequestContextStore): (ctx: RequestContext) => unknown {
  const handler = route.handler
  if (typeof handler === 'function') return (ctx) => requestContext.run(ctx, () => handler(ctx))
  const dot = handler.lastIndexOf('.')
  const controller = controllers.get(handler.slice(0, dot))
  const action = handler.slice(dot + 1)
  if (controller === undefined || typeof controller[action] !== 'function') {
    throw new ProjectCodeError(`${route.source}: handler ${handler} not found`, { handler, source: route.source })
  }
  const run = (ctx: RequestContext): unknown => (controller[action] as (ctx: RequestContext) => unknown).call(controller, ctx)
  return entersRequestContextItself(controller, action) ? run : (ctx) => requestContext.run(ctx, () => run(ctx))
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const

type Prepared = Array<{ route: ResolvedRoute, handlers: ReturnType<typeof createRouteHandlers> }>

/** Every route of the project and the options with its access check, policies, middlewares and controller, resolved at boot. */
async function prepareRoutes (
  vellum: Vellum, code: ProjectCode, controllers: Map<string, Controller>, resolveOptions: MiddlewareResolution, requestContext: RequestContextStore
): Promise<Prepared> {
  const deps: FactoryDeps = { vellum, strapi: vellum.strapi }
  const routes = resolveRoutes([...code.routers, { source: 'users-permissions', router: usersPermissionsRouter(vellum) }, { source: 'upload', router: uploadRouter(vellum) }], vellum.schema)
  const authorize = createAccess(vellum.auth.roles.publicAbility, vellum.auth.strategies)
  return await Promise.all(routes.map(async route => {
    const scope = { ...(route.apiName !== undefined && { apiName: route.apiName }) }
    const routeInfo = { method: route.method, path: route.path, handler: route.handlerName, config: route.config, info: route.info }
    const access: BoundPolicy = (ctx) => {
      ctx.state.route = routeInfo
      return authorize(ctx, route.handlerName, route.config)
    }
    const policies: BoundPolicy[] = [access, ...resolvePolicies(route.config.policies, scope, code.policies, deps)]
    const middlewares = await resolveRouteMiddlewares(route.config.middlewares, { ...resolveOptions, ...scope })
    return { route, handlers: createRouteHandlers({ policies, middlewares, controller: actionOf(route, controllers, requestContext) }) }
  }))
}

/** The content API under `rest.prefix`: the routes, their 405s for other methods, and the 404 in the envelope. */
export async function registerContentApi (
  app: FastifyInstance, vellum: Vellum, code: ProjectCode, controllers: Map<string, Controller>, resolveOptions: MiddlewareResolution, requestContext: RequestContextStore
): Promise<void> {
  const rest = vellum.config.rest
  const prepared = await prepareRoutes(vellum, code, controllers, resolveOptions, requestContext)
  await app.register(async function vellumContentApi (api) {
    if (rest.prefix !== '' || app.prefix !== '') api.setNotFoundHandler(handleNotFound)
    const checkRateLimit = createAuthRateLimit(vellum.config.usersPermissions.ratelimit)
    // The multipart routes in a scope of their own: @fastify/multipart's hooks (an async onRequest with a close
    // listener, an async onResponse) would otherwise run on every request of the API. Elsewhere a multipart body
    // is accepted and left unread, as before (a create then answers that its `data` is missing, as Strapi does).
    api.addContentTypeParser('multipart/form-data', (_request, _payload, done) => { done(null) })
    let multipartScope: FastifyInstance | undefined
    if (prepared.some(({ route }) => route.multipart === true)) {
      await api.register(async function vellumMultipart (scope) {
        scope.removeContentTypeParser('multipart/form-data')
        await registerMultipart(scope, vellum)
        multipartScope = scope
      })
    }
    const methodsByPath = new Map<string, Set<string>>()
    for (const { route, handlers } of prepared) {
      // Before the access check: refused and anonymous attempts count too.
      const limit = rateLimitedField(route.path).limited ? [async (request: FastifyRequest, reply: FastifyReply) => { await checkRateLimit(request, reply, route.path) }] : []
      const scope = route.multipart === true && multipartScope !== undefined ? multipartScope : api
      // A trailing slash is accepted, as in Strapi (Fastify's ignoreTrailingSlash is server-wide, so not ours to set).
      for (const url of route.path.endsWith('/') ? [route.path] : [route.path, `${route.path}/`]) {
        scope.route({ method: route.method, url, bodyLimit: rest.bodyLimit, preHandler: [...limit, handlers.preHandler], handler: handlers.handler })
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
