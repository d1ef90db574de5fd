import helmet, { type HelmetOptions } from 'helmet'
import fp from 'fastify-plugin'
import { isRecord } from '../../project/import.js'
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

const securityPlugin = fp(async function vellumSecurity (scope, options: Record<string, unknown>) {
  // Built once: @fastify/helmet builds helmet's middleware again on every request (1.6% of CPU on a read).
  const setHeaders = helmet(options as HelmetOptions)
  scope.addHook('onRequest', (request, reply, done) => {
    setHeaders(request.raw, reply.raw, (err?: unknown) => { done(err instanceof Error ? err : undefined) })
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
