import { isApiContentType, type Schema } from '../content-types/index.js'
import { ProjectCodeError } from '../errors.js'
import type { Handler, CoreAction, CoreRouter, Router, RouteConfig, RouteDefinition } from './types.js'

/**
 * Routers → concrete routes (contract §4, §16). Every content type gets Strapi's core routes unless the
 * project defines a core router for it (with its own `only`/`except`/`config`).
 */

export interface ResolvedRoute {
  method: RouteDefinition['method']
  /** Path below the REST prefix, Fastify syntax (same `:param` as Koa's router). */
  path: string
  /** `api::<api>.<controller>.<action>`, also the permission scope; undefined for inline handlers. */
  handlerName?: string
  handler: string | Handler
  config: RouteConfig
  /** The API the route belongs to (resolves bare policy and middleware names). */
  apiName?: string
  info: Record<string, unknown>
  multipart?: boolean
  source: string
}

export interface RouterSource {
  apiName?: string
  source: string
  router: Router
}

const COLLECTION_ROUTES: Array<{ action: CoreAction, method: RouteDefinition['method'], withId: boolean }> = [
  { action: 'find', method: 'GET', withId: false },
  { action: 'findOne', method: 'GET', withId: true },
  { action: 'create', method: 'POST', withId: false },
  { action: 'update', method: 'PUT', withId: true },
  { action: 'delete', method: 'DELETE', withId: true }
]

const SINGLE_ROUTES: Array<{ action: CoreAction, method: RouteDefinition['method'] }> = [
  { action: 'find', method: 'GET' },
  { action: 'update', method: 'PUT' },
  { action: 'delete', method: 'DELETE' }
]

function apiOf (uid: string): string | undefined {
  return /^api::([^.]+)\./.exec(uid)?.[1]
}

function coreRoutes ({ uid, config }: CoreRouter, schema: Schema, source: string): ResolvedRoute[] {
  const contentType = schema.contentTypes.get(uid)
  if (contentType === undefined) throw new ProjectCodeError(`${source}: createCoreRouter("${uid}"): no such content type`)
  const wanted = (action: CoreAction): boolean =>
    (config.only === undefined || config.only.includes(action)) && !(config.except ?? []).includes(action)
  const prefix = config.prefix ?? ''
  const apiName = apiOf(uid)
  const route = (action: CoreAction, method: RouteDefinition['method'], path: string): ResolvedRoute => ({
    method,
    path: `${prefix}${path}`,
    handlerName: `${uid}.${action}`,
    handler: `${uid}.${action}`,
    config: config.config?.[action] ?? {},
    ...(apiName !== undefined && { apiName }),
    info: { type: 'content-api', contentType: uid },
    source
  })
  if (contentType.kind === 'singleType') {
    return SINGLE_ROUTES.filter(r => wanted(r.action)).map(r => route(r.action, r.method, `/${contentType.singularName}`))
  }
  return COLLECTION_ROUTES.filter(r => wanted(r.action))
    .map(r => route(r.action, r.method, `/${contentType.pluralName}${r.withId ? '/:id' : ''}`))
}

/** `'api::x.y.action'` stays; `'<controller>.<action>'` is the file's own API. */
function qualify (handler: string, apiName: string | undefined, source: string): string {
  if (handler.includes('::')) return handler
  if (apiName === undefined) throw new ProjectCodeError(`${source}: handler "${handler}" needs a full name such as "api::<api>.<controller>.<action>"`)
  return `api::${apiName}.${handler}`
}

function customRoutes (router: Exclude<Router, CoreRouter>, apiName: string | undefined, source: string): ResolvedRoute[] {
  if (!Array.isArray(router.routes)) throw new ProjectCodeError(`${source}: a router must export { routes: [...] }`)
  return router.routes.map((definition, index) => {
    const where = `${source}: routes[${index}]`
    if (typeof definition.path !== 'string' || !definition.path.startsWith('/')) throw new ProjectCodeError(`${where}: path must start with "/"`)
    const config = definition.config ?? {}
    const prefix = config.prefix !== undefined ? config.prefix : router.prefix ?? ''
    const handlerName = typeof definition.handler === 'string' ? qualify(definition.handler, apiName, where) : undefined
    return {
      method: definition.method.toUpperCase() as RouteDefinition['method'],
      path: `${prefix}${definition.path}`,
      ...(handlerName !== undefined && { handlerName }),
      handler: handlerName ?? definition.handler,
      config,
      ...(apiName !== undefined && { apiName }),
      info: definition.info ?? {},
      ...(definition.multipart === true && { multipart: true }),
      source: where
    }
  })
}

export function resolveRoutes (routers: RouterSource[], schema: Schema): ResolvedRoute[] {
  const routes: ResolvedRoute[] = []
  const withCoreRouter = new Set<string>()
  for (const { router, apiName, source } of routers) {
    if ('kind' in router && router.kind === 'core-router') {
      withCoreRouter.add(router.uid)
      routes.push(...coreRoutes(router, schema, source))
    } else {
      routes.push(...customRoutes(router as Exclude<Router, CoreRouter>, apiName, source))
    }
  }
  for (const [uid, contentType] of schema.contentTypes) {
    if (isApiContentType(contentType) && !withCoreRouter.has(uid)) routes.push(...coreRoutes({ kind: 'core-router', uid, config: {} }, schema, `core routes of ${uid}`))
  }
  return routes
}
