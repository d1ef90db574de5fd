import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { RateLimitError } from '../errors.js'

/**
 * Rate limits of the Users & Permissions auth routes (contract §26.6), on @fastify/rate-limit's in-process store
 * (as Strapi's, so each instance counts its own requests; its LRU holds at most `cacheSize` keys). Every limited
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

type Limiter = ReturnType<FastifyInstance['createRateLimit']>
type LimitResult = Awaited<ReturnType<Limiter>>

function accountOf (body: unknown, field: string): string | undefined {
  if (body === null || typeof body !== 'object') return undefined
  const value = (body as Record<string, unknown>)[field]
  return typeof value === 'string' && value !== '' ? value.toLowerCase() : undefined
}

/**
 * Registers @fastify/rate-limit in `scope` (an encapsulated context: the host's own registration, if any, is
 * untouched) with no global limit, and returns the check the auth routes run before their handler.
 */
export async function registerAuthRateLimit (scope: FastifyInstance, options: AuthRateLimitOptions): Promise<AuthRateLimit> {
  if (!options.enabled) return async () => {}
  await scope.register(rateLimit, { global: false, cache: options.cacheSize })
  // The key each limiter counts this request under, set just before it runs (its keyGenerator sees only the request).
  const keys = new WeakMap<FastifyRequest, string>()
  const keyOf = (request: FastifyRequest): string => keys.get(request) ?? ''
  const byAddress = scope.createRateLimit({ max: options.max, timeWindow: options.interval, keyGenerator: keyOf })
  const byAccount = scope.createRateLimit({ max: options.account.max, timeWindow: options.account.interval, keyGenerator: keyOf })

  function setHeaders (reply: FastifyReply, result: LimitResult): void {
    if (result.isAllowed) return
    reply.header('X-RateLimit-Limit', result.max)
    reply.header('X-RateLimit-Remaining', result.remaining)
    // Strapi's: when the window ends, in epoch seconds.
    reply.header('X-RateLimit-Reset', Math.ceil((Date.now() + result.ttl) / 1000))
  }

  function refuse (reply: FastifyReply, result: LimitResult): never {
    if (!result.isAllowed) reply.header('Retry-After', result.ttlInSeconds)
    throw new RateLimitError()
  }

  return async function checkAuthRateLimit (request, reply, path) {
    const { limited, field } = rateLimitedField(path)
    if (!limited) return
    keys.set(request, `ip:${path}:${request.ip}`)
    const address = await byAddress(request)
    setHeaders(reply, address)
    if (!address.isAllowed && address.isExceeded) refuse(reply, address)
    const account = field === undefined ? undefined : accountOf(request.body, field)
    if (account === undefined) return
    keys.set(request, `account:${path}:${account}`)
    const perAccount = await byAccount(request)
    if (!perAccount.isAllowed && perAccount.isExceeded) {
      setHeaders(reply, perAccount)
      refuse(reply, perAccount)
    }
  }
}
