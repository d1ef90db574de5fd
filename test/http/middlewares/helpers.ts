import type { Test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import {
  createRouteHandlers, releaseSuspended, type BoundPolicy, type ContextMiddleware, type Controller
} from '../../../lib/hooks/index.js'
import { handleNotFound, handlePipelineError } from '../../../lib/http/errors.js'
import { registerGlobalMiddlewares, resolveGlobalMiddlewares, type GlobalMiddlewares } from '../../../lib/http/middlewares/index.js'
import type { FactoryDeps, MiddlewareFactory, MiddlewareReference } from '../../../lib/http/types.js'
import type { Logger } from '../../../lib/logger.js'
import type { Vellum } from '../../../lib/types.js'

/** A stand-in decorator: factories only pass it along in these tests. */
const vellum = { name: 'test vellum' } as unknown as Vellum
export const deps: FactoryDeps = { vellum, strapi: {} as unknown as Vellum['strapi'] }

export { recordingLogger, type LogEntry } from '../../helpers/logger.js'

export interface Setup {
  /** The global list; undefined → Strapi's default list. */
  list?: MiddlewareReference[]
  registry?: Map<string, MiddlewareFactory>
  projectDir?: string
  policies?: BoundPolicy[]
  route?: ContextMiddleware[]
  controller?: Controller
  /** The scope's prefix (default none). */
  prefix?: string
  /** Collects Fastify's request log lines (JSON-parsed). */
  requestLog?: Array<Record<string, unknown>>
  bootLog?: Logger
}

/**
 * A scope wired like vellum's: resolved global middlewares (plugins, then the chain's onRequest hook), the
 * pipeline's error and 404 handlers, one route `/thing` with policies, route middlewares and a controller; a
 * host route `/host` outside the scope.
 */
export async function build (t: Test, setup: Setup = {}): Promise<{ app: FastifyInstance, resolved: GlobalMiddlewares }> {
  const lines = setup.requestLog
  const app = Fastify({
    logger: lines === undefined ? false : { level: 'trace', stream: { write: (line: string) => { lines.push(JSON.parse(line) as Record<string, unknown>) } } },
    pluginTimeout: 120_000
  })
  t.teardown(() => app.close())
  app.get('/host', async () => ({ host: true }))
  let resolved: GlobalMiddlewares | undefined
  await app.register(async (scope) => {
    resolved = await resolveGlobalMiddlewares(setup.list, {
      registry: setup.registry ?? new Map(),
      deps,
      ...(setup.projectDir !== undefined && { projectDir: setup.projectDir }),
      ...(setup.bootLog !== undefined && { log: setup.bootLog })
    })
    await registerGlobalMiddlewares(scope, resolved)
    scope.addHook('onResponse', async (request) => { releaseSuspended(request) })
    scope.setErrorHandler(handlePipelineError)
    scope.setNotFoundHandler(handleNotFound)
    const { preHandler, handler } = createRouteHandlers({
      policies: setup.policies ?? [],
      middlewares: setup.route ?? [],
      controller: setup.controller ?? (() => ({ data: { ok: true } }))
    })
    scope.route({ method: ['GET', 'POST', 'PUT'], url: '/thing', preHandler, handler })
  }, { prefix: setup.prefix ?? '' })
  await app.ready()
  return { app, resolved: resolved! }
}

/** A middleware that records its way in and out. */
export function recorder (steps: string[], name: string): ContextMiddleware {
  return async (_ctx, next) => {
    steps.push(`${name} in`)
    await next()
    steps.push(`${name} out`)
  }
}
