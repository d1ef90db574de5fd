import type { FastifyInstance } from 'fastify'
import { messageOf, ProjectCodeError } from '../../errors.js'
import { createGlobalHook, type ContextMiddleware } from '../../hooks/index.js'
import { silentLogger, type Logger } from '../../logger.js'
import { loadMiddlewareModule, middlewareReferenceProblem, referenceName } from '../../project/index.js'
import type { FactoryDeps, Middleware, MiddlewareFactory, MiddlewareReference } from '../types.js'
import { findBuiltin, type BuiltinResult, type ScopePlugin } from './builtins/index.js'

/**
 * Global and route middlewares (contract §19): references resolved once at boot. Global ones become the chain
 * of the `onRequest` hook plus the Fastify plugins some built-ins are (helmet, CORS, body limits,
 * compression); route ones become the chain that starts in `preHandler` after the policies.
 */

/** Strapi's list when `config/middlewares` is absent (contract §19). */
export const DEFAULT_GLOBAL_MIDDLEWARES: readonly string[] = Object.freeze([
  'strapi::logger',
  'strapi::errors',
  'strapi::security',
  'strapi::cors',
  'strapi::poweredBy',
  'strapi::query',
  'strapi::body',
  'strapi::session',
  'strapi::favicon',
  'strapi::public'
])

export interface MiddlewareResolution {
  /** Project and option middlewares by full name: `global::<name>`, `api::<api>.<name>`. */
  registry: ReadonlyMap<string, MiddlewareFactory>
  deps: FactoryDeps
  /** `{ resolve: './path' }` is relative to it; `strapi::favicon` reads its icon from it. */
  projectDir?: string
  /** Boot-time messages (ignored options, no-op built-ins). */
  log?: Logger
}

export interface RouteMiddlewareResolution extends MiddlewareResolution {
  /** The route's API: a bare name is looked up as `api::<apiName>.<name>` first. */
  apiName?: string
}

export interface GlobalMiddlewares {
  /** The chain, in list order, for `createGlobalHook`. */
  middlewares: ContextMiddleware[]
  /** Fastify plugins for vellum's scope, in list order: register them before the global hook is added. */
  plugins: ScopePlugin[]
}

/** A project or option middleware by name: `global::x`, `api::<api>.x` as given; a bare `x` in the API first, then global. */
export function findMiddleware (name: string, apiName: string | undefined, registry: ReadonlyMap<string, MiddlewareFactory>): MiddlewareFactory | undefined {
  if (name.includes('::')) return registry.get(name)
  const own = apiName === undefined ? undefined : registry.get(`api::${apiName}.${name}`)
  // A registry built from options may keep a global one under its bare name.
  return own ?? registry.get(`global::${name}`) ?? registry.get(name)
}

interface Resolved {
  name: string
  result: BuiltinResult
}

async function instantiate (name: string, factory: MiddlewareFactory, config: Record<string, unknown>, deps: FactoryDeps): Promise<BuiltinResult> {
  let middleware: unknown
  try {
    middleware = await factory(config, deps)
  } catch (error) {
    throw new ProjectCodeError(`Middleware ${name}: ${messageOf(error)}`, { middleware: name }, error)
  }
  // Returning nothing skips the middleware (a factory may only extend the app, or only apply in some setups).
  if (middleware === undefined || middleware === null) return { kind: 'none' }
  if (typeof middleware !== 'function') {
    throw new ProjectCodeError(`Middleware ${name}: the factory must return a (ctx, next) function or nothing`, { middleware: name })
  }
  return { kind: 'middleware', middleware: middleware as ContextMiddleware }
}

async function resolveReference (ref: MiddlewareReference, options: RouteMiddlewareResolution, where: string): Promise<Resolved> {
  const problem = middlewareReferenceProblem(ref)
  if (problem !== undefined) throw new ProjectCodeError(`${where}: invalid middleware (${problem})`)
  const log = options.log ?? silentLogger
  // Inline `(ctx, next)` handlers are used as they are, not called as factories.
  if (typeof ref === 'function') return { name: referenceName(ref), result: { kind: 'middleware', middleware: ref as Middleware } }
  const config = typeof ref === 'string' ? {} : ref.config ?? {}
  let name: string
  if (typeof ref === 'string') {
    name = ref
  } else if ('name' in ref && typeof ref.name === 'string') {
    // Strapi's rule: `name` wins when both are given.
    name = ref.name
  } else {
    const spec = (ref as { resolve: string }).resolve
    const { file, value: factory } = await loadMiddlewareModule(spec, options.projectDir)
    if (typeof factory !== 'function') throw new ProjectCodeError(`Middleware ${spec}: ${file} must export a factory (config, { vellum }) => (ctx, next) => ...`, { middleware: spec, file })
    return { name: spec, result: await instantiate(spec, factory as MiddlewareFactory, config, options.deps) }
  }
  const builtin = findBuiltin(name)
  if (builtin !== undefined) {
    const context = { name, deps: options.deps, log, ...(options.projectDir !== undefined && { projectDir: options.projectDir }) }
    try {
      return { name, result: await builtin(config, context) }
    } catch (error) {
      if (error instanceof ProjectCodeError) throw error
      throw new ProjectCodeError(`Middleware ${name}: ${messageOf(error)}`, { middleware: name }, error)
    }
  }
  const factory = findMiddleware(name, options.apiName, options.registry)
  if (factory === undefined) throw new ProjectCodeError(`Middleware ${name} not found.`, { middleware: name })
  return { name, result: await instantiate(name, factory, config, options.deps) }
}

/**
 * The global list (`config/middlewares` or the `middlewares` option; Strapi's default list when undefined), in
 * order. Unknown names and broken factories fail here, at boot.
 */
export async function resolveGlobalMiddlewares (list: readonly MiddlewareReference[] | undefined, options: MiddlewareResolution): Promise<GlobalMiddlewares> {
  const entries = list ?? DEFAULT_GLOBAL_MIDDLEWARES
  if (!Array.isArray(entries)) throw new ProjectCodeError('The global middlewares must be an array')
  const log = options.log ?? silentLogger
  const resolved: GlobalMiddlewares = { middlewares: [], plugins: [] }
  const seen = new Set<ScopePlugin['plugin']>()
  for (const [index, ref] of entries.entries()) {
    const { name, result } = await resolveReference(ref, options, `Global middlewares, entry ${index}`)
    if (result.kind === 'middleware') {
      resolved.middlewares.push(result.middleware)
    } else if (result.kind === 'plugin') {
      // strapi::cors and vellum::cors are one plugin: registering it twice in one scope would fail later, obscurely.
      if (seen.has(result.plugin.plugin)) throw new ProjectCodeError(`Middleware ${name} is listed twice`, { middleware: name })
      seen.add(result.plugin.plugin)
      resolved.plugins.push(result.plugin)
    } else {
      log.debug({ middleware: name }, 'middleware skipped: nothing to run in the chain')
    }
  }
  return resolved
}

/** One route middleware: a name, `{ name, config }`, `{ resolve, config }` or an inline `(ctx, next)`; undefined when its factory returned nothing. */
export async function resolveRouteMiddleware (ref: MiddlewareReference, options: RouteMiddlewareResolution): Promise<ContextMiddleware | undefined> {
  const { name, result } = await resolveReference(ref, options, 'Route middlewares')
  if (result.kind === 'plugin') {
    throw new ProjectCodeError(`Middleware ${name} works on the whole scope (a Fastify plugin): list it in the global middlewares, not on a route`, { middleware: name })
  }
  return result.kind === 'middleware' ? result.middleware : undefined
}

/** A route's `config.middlewares`, in order, without the skipped ones. */
export async function resolveRouteMiddlewares (refs: readonly MiddlewareReference[] | undefined, options: RouteMiddlewareResolution): Promise<ContextMiddleware[]> {
  if (refs === undefined) return []
  if (!Array.isArray(refs)) throw new ProjectCodeError('Route middlewares must be an array')
  const chain: ContextMiddleware[] = []
  for (const ref of refs) {
    const middleware = await resolveRouteMiddleware(ref, options)
    if (middleware !== undefined) chain.push(middleware)
  }
  return chain
}

/**
 * Wires resolved global middlewares into vellum's scope: the plugins first (so the CORS preflight answer and the
 * security headers come before the chain starts, and the chain is never left waiting on a reply sent by a
 * plugin's hook), then the chain's `onRequest` hook. Call it inside the scope, before its routes.
 */
export async function registerGlobalMiddlewares (scope: FastifyInstance, resolved: GlobalMiddlewares): Promise<void> {
  for (const { plugin, options } of resolved.plugins) await scope.register(plugin, options)
  scope.addHook('onRequest', createGlobalHook(resolved.middlewares))
}
