import type { FastifyInstance } from 'fastify'
import { sql } from 'drizzle-orm'
import { createRouteHandlers, type RequestContext } from '../hooks/index.js'
import type { HealthOptions } from '../options.js'
import type { Vellum } from '../types.js'
import { errorEnvelope } from '../errors.js'

/** Why the database is not ready: it did not answer in time, or it answered with an error. */
export class DatabaseNotReady extends Error {
  constructor (message: string, options?: { cause: unknown }) {
    super(message, options)
    this.name = 'DatabaseNotReady'
  }
}

/** The part of an error a client may see: a driver's code (`ECONNREFUSED`, `57P01`) or the innermost message. */
function describeFailure (error: unknown): string {
  let inner: unknown = error
  // Drizzle wraps the driver's error ("Failed query: ...") in `cause`.
  while (inner instanceof Error && inner.cause !== undefined) inner = inner.cause
  const code = (inner as { code?: unknown } | null)?.code
  if (typeof code === 'string' && code !== '') return code
  return inner instanceof Error ? inner.message : String(inner)
}

/**
 * A readiness check: resolves once `probe` answers within `timeoutMs`, else rejects with DatabaseNotReady.
 * At most one probe is in flight: callers arriving while one runs share it (each waiting at most `timeoutMs`
 * from its own arrival), so probes never pile up on a database that hangs; the next probe starts once that
 * one has settled.
 */
export function createReadinessCheck (probe: () => Promise<unknown>, timeoutMs: number): () => Promise<void> {
  let inFlight: Promise<void> | undefined
  return async function checkReadiness () {
    if (inFlight === undefined) {
      const started = (async () => { await probe() })()
      inFlight = started
      // Cleared whatever the outcome (and observed, so a late rejection is never unhandled).
      started.then(() => { inFlight = undefined }, () => { inFlight = undefined })
    }
    const shared = inFlight
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new DatabaseNotReady(`the database did not answer within ${timeoutMs} ms`)), timeoutMs)
    })
    try {
      await Promise.race([shared.catch((error: unknown) => {
        throw new DatabaseNotReady(`the database did not answer: ${describeFailure(error)}`, { cause: error })
      }), timeout])
    } finally {
      clearTimeout(timer)
    }
  }
}

/**
 * `health.path`: liveness, 200 `{ status: 'ok' }` without touching the database. `health.readyPath`:
 * readiness, 200 `{ status: 'ok' }` once the database answers `select 1` within `health.readyTimeoutMs`, else
 * 503 ServiceUnavailableError in the error envelope. Both go through the global middlewares like any route.
 */
export function registerHealthRoutes (app: FastifyInstance, vellum: Vellum, health: HealthOptions): void {
  if (health.path !== false) {
    const live = createRouteHandlers({ policies: [], middlewares: [], controller: () => ({ status: 'ok' }) })
    app.get(health.path, { preHandler: live.preHandler }, live.handler)
  }
  if (health.readyPath !== false) {
    const check = createReadinessCheck(() => vellum.db.execute(sql`select 1`), health.readyTimeoutMs)
    const ready = createRouteHandlers({
      policies: [],
      middlewares: [],
      controller: async (ctx: RequestContext) => {
        try {
          await check()
          return { status: 'ok' }
        } catch (error) {
          if (!(error instanceof DatabaseNotReady)) throw error
          ctx.request.log.warn({ err: error.cause ?? error }, error.message)
          ctx.send(errorEnvelope(503, 'ServiceUnavailableError', error.message, {}), 503)
          return undefined
        }
      }
    })
    app.get(health.readyPath, { preHandler: ready.preHandler }, ready.handler)
  }
}
