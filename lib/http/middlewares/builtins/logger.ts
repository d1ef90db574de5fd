import { performance } from 'node:perf_hooks'
import { configError, isString, option, type Builtin } from './types.js'
import { loggableUrl } from '../../../logger.js'

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const
type Level = typeof LEVELS[number]

/** Requests strapi::logger has taken charge of (whether or not its level lets the line through). */
const logged = new WeakSet<object>()

/**
 * Whether strapi::logger writes this request's access line: a server that logs requests itself (the standalone
 * one) skips those, so each request gets one line.
 */
export function hasAccessLine (request: object): boolean {
  return logged.has(request)
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
  return {
    kind: 'middleware',
    middleware: async function vellumLogger (ctx, next) {
      logged.add(ctx.request)
      // A level pino filters out (the request's logger may have its own): no timing, no line built.
      if ((ctx.request.log as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled?.(log) === false) return await next()
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
