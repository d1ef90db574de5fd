import type { RequestContext } from '../hooks/index.js'
import type { Vellum } from '../types.js'

/**
 * The customization surface of the content API, in Strapi's shapes: routers, controllers, services,
 * policies and middlewares, whether they come from a Strapi-layout project or from TypeScript options.
 */

/** What every factory gets as its last argument: `{ vellum }`, and `{ strapi }` as Strapi passes it. */
export interface FactoryDeps {
  vellum: Vellum
  strapi: Vellum['strapi']
}

// ------------------------------------------------------------------------------------------------
// Policies

/** `(policyContext, config, { vellum })`: true/undefined lets the request through; anything else → 403 PolicyError. */
export type Policy = (policyContext: PolicyContext, config: Record<string, unknown>, deps: FactoryDeps) => unknown
/** The request ctx plus Strapi's `type` and `is(type)`. */
export type PolicyContext = RequestContext & { type: 'koa', is: (type: string) => boolean }
/** `'global::name'`, `'api::<api>.<name>'`, a bare `'<name>'` (the route's own API, then global), `{ name, config }` or a function. */
export type PolicyReference = string | { name: string, config?: Record<string, unknown> } | Policy

// ------------------------------------------------------------------------------------------------
// Middlewares

export type Middleware = (ctx: RequestContext, next: () => Promise<void>) => unknown
/** `(config, { vellum }) => middleware`; returning nothing skips it. */
export type MiddlewareFactory = (config: Record<string, unknown>, deps: FactoryDeps) => Middleware | undefined | Promise<Middleware | undefined>
/**
 * Global list entries: `'strapi::x'` / `'vellum::x'` (built-ins), `'global::x'`, `'api::<api>.x'`, `{ name, config }`,
 * `{ resolve: './path', config }`. Route middlewares also accept an inline `(ctx, next)` function.
 */
export type MiddlewareReference = string | { name: string, config?: Record<string, unknown> } | { resolve: string, config?: Record<string, unknown> } | Middleware

// ------------------------------------------------------------------------------------------------
// Routes

export type CoreAction = 'find' | 'findOne' | 'create' | 'update' | 'delete'

export interface RouteConfig {
  /** false: public (no authentication nor permission check). */
  auth?: false | { scope?: string[] }
  policies?: PolicyReference[]
  middlewares?: MiddlewareReference[]
  /** Present (even empty): bypasses the router file's prefix. */
  prefix?: string
}

export type Handler = (ctx: RequestContext) => unknown

export interface RouteDefinition {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS'
  /** Koa-router style (`/articles/:id/publish`), under the REST prefix. */
  path: string
  /** `'api::<api>.<controller>.<action>'`, `'<controller>.<action>'` (the file's API), or a function. */
  handler: string | Handler
  config?: RouteConfig
  info?: Record<string, unknown>
  /** Its body may be multipart/form-data (read with @fastify/multipart, whose hooks only these routes pay). */
  multipart?: boolean
}

/** A custom route file's export: `{ routes: [...] }` with an optional file-level prefix. */
export interface CustomRouter {
  type?: 'content-api'
  prefix?: string
  routes: RouteDefinition[]
}

export interface CoreRouterConfig {
  prefix?: string
  only?: CoreAction[]
  except?: CoreAction[]
  config?: Partial<Record<CoreAction, RouteConfig>>
  type?: 'content-api'
}

/** What `createCoreRouter(uid, config)` returns: resolved to routes once the model is known. */
export interface CoreRouter {
  readonly kind: 'core-router'
  readonly uid: string
  readonly config: CoreRouterConfig
}

export type Router = CoreRouter | CustomRouter

// ------------------------------------------------------------------------------------------------
// Controllers and services

export type Controller = Record<string, unknown>
export type Service = Record<string, unknown>

/** What `createCoreController(uid, fn)` returns: built once the core controller exists. */
export interface ControllerFactory {
  readonly kind: 'controller-factory'
  readonly uid: string
  readonly extend?: (deps: FactoryDeps) => Controller
}

export interface ServiceFactory {
  readonly kind: 'service-factory'
  readonly uid: string
  readonly extend?: (deps: FactoryDeps) => Service
}

// ------------------------------------------------------------------------------------------------
// A project's code

/** `src/index.(js|ts)`: register runs before routes are built, bootstrap once the database is ready. */
export interface ProjectEntry {
  register?: (deps: FactoryDeps) => unknown
  bootstrap?: (deps: FactoryDeps) => unknown
  destroy?: (deps: FactoryDeps) => unknown
}

/** Everything code-shaped a project contributes, by full name. */
export interface ProjectCode {
  /** Routers per API (`src/api/<api>/routes/*`). */
  routers: Array<{ apiName: string, source: string, router: Router }>
  /** `api::<api>.<name>` → controller factory or plain object (`src/api/<api>/controllers/<name>`). */
  controllers: Map<string, ControllerFactory | Controller>
  services: Map<string, ServiceFactory | Service>
  /** `global::<name>` (`src/policies`) and `api::<api>.<name>` (`src/api/<api>/policies`). */
  policies: Map<string, Policy>
  /** `global::<name>` (`src/middlewares`) and `api::<api>.<name>` (`src/api/<api>/middlewares`). */
  middlewares: Map<string, MiddlewareFactory>
  /** `config/middlewares.(js|ts)`, when present: the ordered global list. */
  globalMiddlewares?: MiddlewareReference[]
  entry: ProjectEntry
}
