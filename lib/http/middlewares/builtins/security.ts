import helmet, { type HelmetOptions } from 'helmet'
import fp from 'fastify-plugin'
import { isRecord } from '../../../project/index.js'
import type { Builtin } from './types.js'

/**
 * Strapi's defaults for its helmet middleware, minus the admin panel's marketplace image host: an API answers
 * JSON, so these headers matter for the odd HTML or file response and for being a good citizen.
 */
const DEFAULTS: Record<string, unknown> = {
  crossOriginEmbedderPolicy: false,
  crossOriginOpenerPolicy: false,
  crossOriginResourcePolicy: false,
  originAgentCluster: false,
  contentSecurityPolicy: {
    useDefaults: true,
    directives: {
      'connect-src': ["'self'", 'https:'],
      'img-src': ["'self'", 'data:', 'blob:'],
      'media-src': ["'self'", 'data:', 'blob:'],
      upgradeInsecureRequests: null
    }
  },
  xssFilter: false,
  hsts: { maxAge: 31536000, includeSubDomains: true },
  frameguard: { action: 'sameorigin' }
}

/** The user's value wins; plain objects merge key by key (arrays are replaced, not concatenated). */
export function mergeDefaults (defaults: Record<string, unknown>, config: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...defaults }
  for (const [key, value] of Object.entries(config)) {
    const base = merged[key]
    merged[key] = isRecord(base) && isRecord(value) ? mergeDefaults(base, value) : value
  }
  return merged
}

function hasFunction (value: unknown): boolean {
  if (typeof value === 'function') return true
  if (Array.isArray(value)) return value.some(hasFunction)
  return isRecord(value) && Object.values(value).some(hasFunction)
}

interface StaticHeaders { set: Record<string, string>, remove: string[] }

/**
 * What helmet does to a response, when its options hold no function (CSP directives may be computed per
 * request): the same headers every time, so they are recorded once and replayed as a plain object.
 */
function recordHeaders (setHeaders: ReturnType<typeof helmet>): StaticHeaders | undefined {
  const recorded: StaticHeaders = { set: {}, remove: [] }
  const response = {
    setHeader (name: string, value: string | number | readonly string[]) {
      recorded.set[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value)
    },
    removeHeader (name: string) {
      delete recorded.set[name.toLowerCase()]
      recorded.remove.push(name)
    }
  }
  let finished = false
  let failure: unknown
  setHeaders({} as never, response as never, (err?: unknown) => {
    finished = true
    failure = err
  })
  if (failure !== undefined) throw failure
  // helmet answers synchronously; were it not to, every request runs it.
  return finished ? recorded : undefined
}

const securityPlugin = fp(async function vellumSecurity (scope, options: Record<string, unknown>) {
  // Built once: @fastify/helmet builds helmet's middleware again on every request (1.6% of CPU on a read).
  const setHeaders = helmet(options as HelmetOptions)
  const recorded = hasFunction(options) ? undefined : recordHeaders(setHeaders)
  if (recorded === undefined) {
    scope.addHook('onRequest', (request, reply, done) => {
      setHeaders(request.raw, reply.raw, (err?: unknown) => { done(err instanceof Error ? err : undefined) })
    })
    return
  }
  // Static options: replayed, instead of a dozen helmet middlewares validating each header on every request.
  const { set, remove } = recorded
  scope.addHook('onRequest', (request, reply, done) => {
    for (const name of remove) reply.raw.removeHeader(name)
    reply.headers(set)
    done()
  })
}, { name: 'vellum-security', fastify: '5.x' })

/**
 * `strapi::security`: helmet in vellum's scope, configured as Strapi configures koa-helmet (same option
 * names: they are helmet's). Its headers are set in `onRequest`, so every answer of the scope, errors
 * included, carries them.
 */
export const security: Builtin = (config, context) => ({
  kind: 'plugin',
  plugin: { name: context.name, plugin: securityPlugin, options: mergeDefaults(DEFAULTS, config) }
})
