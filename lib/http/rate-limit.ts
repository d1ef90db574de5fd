import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify'
import rateLimit from '@fastify/rate-limit'
import { errorForStatus } from '../hooks/index.js'
import type { ResolvedRoute } from './routes.js'

/**
 * Rate limits of the Users & Permissions auth routes (contract §26.6), on @fastify/rate-limit: at least Strapi's
 * (path + IP; path + email + IP for register, forgot-password and send-email-confirmation) and, beyond Strapi,
 * an independent limit per login identifier, so that rotating IPs against one account is slowed too. Varying
 * the identifier never escapes the IP limit: the two are separate counters. 429 in Strapi's envelope.
 */

/** How a limited route counts: by IP, by email and IP, or by login identifier alone. */
export type RateLimitKey = 'ip' | 'email' | 'identifier'

export interface RateLimitOptions {
  enabled: boolean
  /** The window (ms) and the requests allowed in it, Strapi's `ratelimit.interval` and `ratelimit.max`. */
  interval: number
  max: number
}

const bodyField = (request: FastifyRequest, field: string): string => {
  const value = (request.body as Record<string, unknown> | null | undefined)?.[field]
  return typeof value === 'string' ? value.toLowerCase() : ''
}

const KEYS: Record<RateLimitKey, (request: FastifyRequest, path: string) => string> = {
  ip: (request, path) => `${path}:${request.ip}`,
  email: (request, path) => `${path}:${bodyField(request, 'email')}:${request.ip}`,
  identifier: (request, path) => `${path}:identifier:${bodyField(request, 'identifier')}`
}

/** The keys a route is limited by (its `info.rateLimit`), none for other routes. */
export function rateLimitKeys (route: ResolvedRoute): RateLimitKey[] {
  const keys = route.info.rateLimit
  return Array.isArray(keys) ? keys.filter((key): key is RateLimitKey => typeof key === 'string' && key in KEYS) : []
}

/**
 * Registers the limiter in the content API's scope (no route is limited unless it asks); a factory of route
 * hooks. Each of a route's limits is its own counter, all counted on every request (the plugin's own route
 * hook runs once per request, so the checks are made here); the headers are Strapi's, from the first limit.
 */
export async function createRateLimiter (api: FastifyInstance, options: RateLimitOptions): Promise<(route: ResolvedRoute) => preHandlerAsyncHookHandler[]> {
  if (!options.enabled) return () => []
  await api.register(rateLimit, { global: false })
  return (route) => {
    const keys = rateLimitKeys(route)
    if (keys.length === 0) return []
    const limits = keys.map(key => api.createRateLimit({ max: options.max, timeWindow: options.interval, keyGenerator: (request) => KEYS[key](request, route.path) }))
    return [async function rateLimited (request, reply) {
      const results = await Promise.all(limits.map(async limit => await limit(request)))
      const first = results[0]!
      if ('remaining' in first) {
        reply.header('X-RateLimit-Limit', String(first.max))
        reply.header('X-RateLimit-Remaining', String(first.remaining))
        reply.header('X-RateLimit-Reset', String(Math.ceil((Date.now() + first.ttl) / 1000)))
      }
      if (results.some(result => 'isExceeded' in result && result.isExceeded)) throw errorForStatus(429, 'Too many requests, please try again later.')
    }]
  }
}
