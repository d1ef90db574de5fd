import { createRequire } from 'node:module'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { RateLimitError } from '../errors.js'

/**
 * Rate limits of the Users & Permissions auth routes (contract §26.6), on @fastify/rate-limit's in-process store
 * (as Strapi's, so each instance counts its own requests; its LRU holds at most `cacheSize` keys), used without
 * the plugin around it: the plugin's module loads ip-address for IPv6 subnet keys, which these keys never use,
 * ~30 ms of CPU at every cold start. Every limited
 * route counts per path and client address, as in Strapi. Beyond Strapi, the routes that name an account (login
 * by its identifier; register, forgot-password and send-email-confirmation by their email) also count per path
 * and account, from any address: rotating addresses against one account is slowed too. The account's count is
 * a second limit, never part of the address's key, so varying it cannot reset the address's count; and it is only
 * counted once the address's limit passed, so a flood of made-up accounts cannot push addresses out of the LRU.
 */

export interface RateLimitWindow {
  /** The window in milliseconds. */
  interval: number
  /** Requests allowed per window; the next one is answered 429. */
  max: number
}

export interface AuthRateLimitOptions extends RateLimitWindow {
  enabled: boolean
  /** The per-account limit on the routes that name one. */
  account: RateLimitWindow
  /** Keys kept in memory (least recently used evicted). */
  cacheSize: number
}

/** Routes limited by address, and the body field that names the account where there is one. */
const ACCOUNT_FIELDS: Readonly<Record<string, string | undefined>> = {
  '/auth/local': 'identifier',
  '/auth/local/register': 'email',
  '/auth/forgot-password': 'email',
  '/auth/send-email-confirmation': 'email',
  '/auth/reset-password': undefined,
  '/auth/change-password': undefined
}

/** Which limits a route path gets: none, by address, or by address and account. */
export function rateLimitedField (path: string): { limited: boolean, field?: string } {
  if (path in ACCOUNT_FIELDS) return { limited: true, field: ACCOUNT_FIELDS[path] }
  return { limited: path.startsWith('/connect/') }
}

/** Throws RateLimitError (429 in the envelope) when a request is over a limit; sets Strapi's X-RateLimit-* headers. */
export type AuthRateLimit = (request: FastifyRequest, reply: FastifyReply, path: string) => Promise<void>

/** A fixed window's count for one key, as the store answers it. */
interface Count { current: number, ttl: number }
/** @fastify/rate-limit's LocalStore (fixed windows in an LRU; neither continueExceeding nor exponential backoff here). */
interface LocalStore { incr: (key: string, done: (error: Error | null, count: Count) => void, timeWindow: number, max: number) => void }
type LocalStoreClass = new (continueExceeding: boolean, exponentialBackoff: boolean, cache: number) => LocalStore

const require = createRequire(import.meta.url)

/** Where a request stands in one window: what the plugin's `createRateLimit` answered. */
interface LimitResult { max: number, remaining: number, ttl: number, ttlInSeconds: number, isExceeded: boolean }

function limiter (store: LocalStore, { max, interval }: RateLimitWindow): (key: string) => LimitResult {
  return (key) => {
    let count: Count = { current: 0, ttl: 0 }
    // The local store answers synchronously.
    store.incr(key, (_error, result) => { count = result }, interval, max)
    return { max, remaining: Math.max(0, max - count.current), ttl: count.ttl, ttlInSeconds: Math.ceil(count.ttl / 1000), isExceeded: count.current > max }
  }
}

function accountOf (body: unknown, field: string): string | undefined {
  if (body === null || typeof body !== 'object') return undefined
  const value = (body as Record<string, unknown>)[field]
  return typeof value === 'string' && value !== '' ? value.toLowerCase() : undefined
}

/** The check the auth routes run before their handler: counted per address, then per account where the route names one. */
export function createAuthRateLimit (options: AuthRateLimitOptions): AuthRateLimit {
  if (!options.enabled) return async () => {}
  const Store = require('@fastify/rate-limit/store/LocalStore.js') as LocalStoreClass
  const store = new Store(false, false, options.cacheSize)
  const byAddress = limiter(store, options)
  const byAccount = limiter(store, options.account)

  function setHeaders (reply: FastifyReply, result: LimitResult): void {
    reply.header('X-RateLimit-Limit', result.max)
    reply.header('X-RateLimit-Remaining', result.remaining)
    // Strapi's: when the window ends, in epoch seconds.
    reply.header('X-RateLimit-Reset', Math.ceil((Date.now() + result.ttl) / 1000))
  }

  function refuse (reply: FastifyReply, result: LimitResult): never {
    reply.header('Retry-After', result.ttlInSeconds)
    throw new RateLimitError()
  }

  return async function checkAuthRateLimit (request, reply, path) {
    const { limited, field } = rateLimitedField(path)
    if (!limited) return
    const address = byAddress(`ip:${path}:${request.ip}`)
    setHeaders(reply, address)
    if (address.isExceeded) refuse(reply, address)
    const account = field === undefined ? undefined : accountOf(request.body, field)
    if (account === undefined) return
    const perAccount = byAccount(`account:${path}:${account}`)
    if (perAccount.isExceeded) {
      setHeaders(reply, perAccount)
      refuse(reply, perAccount)
    }
  }
}
