import { performance } from 'node:perf_hooks'
import { configError, isString, option, type Builtin } from './types.js'
import { loggableUrl, type Logger } from '../../../logger.js'

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const
type Level = typeof LEVELS[number]

/** Marks the requests strapi::logger has taken charge of (whether or not its level lets the line through). */
const kLogged = Symbol('vellum.logged')
type Marked = { [kLogged]?: true }

/**
 * Whether strapi::logger writes this request's access line: a server that logs requests itself (the standalone
 * one) skips those, so each request gets one line.
 */
export function hasAccessLine (request: object): boolean {
  return (request as Marked)[kLogged] === true
}

/**
 * Fastify's logger when it has none (`logger: false`): every method the same no-op, its child itself. Requests
 * then get that very object (unless a childLoggerFactory makes them another, which is then checked as usual).
 */
function isNullLogger (log: Logger): boolean {
  const methods = [log.trace, log.debug, log.info, log.warn, log.error]
  return typeof (log as { isLevelEnabled?: unknown }).isLevelEnabled !== 'function' && methods.every(method => method === log.info) && log.child({}) === log
}

/**
 * `strapi::logger`: one line per request through `request.log` (so the request id and the host's pino settings
 * apply): `GET /api/items (3 ms) 200`, with the same fields as an object. Strapi logs at its own `http`
 * level; pino has none, so `info` unless `level` says otherwise.
 */
export const logger: Builtin = (config, context) => {
  const level = option(config, 'level', isString, 'a log level', context) ?? 'info'
  if (!(LEVELS as readonly string[]).includes(level)) throw configError(context, `"level" must be one of ${LEVELS.join(', ')}`)
  const log = level as Level
  const silent = isNullLogger(context.log) ? context.log : undefined
  return {
    kind: 'middleware',
    middleware: async function vellumLogger (ctx, next) {
      // A property of the request rather than a WeakSet entry: set on every request, read by few.
      ;(ctx.request as Marked)[kLogged] = true
      // Fastify without a logger (its one null logger on every request), or a level pino filters out (the
      // request's logger may have its own): no timing, no line built.
      if (ctx.request.log === silent || (ctx.request.log as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled?.(log) === false) return await next()
      const start = performance.now()
      let status: number | undefined
      try {
        await next()
      } catch (error) {
        // Only without strapi::errors below: the handler will answer with this status.
        const code = (error as { statusCode?: unknown }).statusCode
        status = typeof code === 'number' && code >= 400 ? code : 500
        throw error
      } finally {
        const responseTime = Math.ceil(performance.now() - start)
        const statusCode = status ?? ctx.status
        const url = loggableUrl(ctx.url)
        ctx.request.log[log]({ method: ctx.method, url, statusCode, responseTime }, `${ctx.method} ${url} (${responseTime} ms) ${statusCode}`)
      }
    }
  }
}
