import { ForbiddenError, UnauthorizedError } from '../errors.js'
import type { RequestContext } from '../hooks/index.js'
import type { RouteConfig } from './types.js'
import { readsAll, type Ability, type AuthStrategy } from '../auth/index.js'

/**
 * Authentication and authorization of content-API routes (contract §21, §26.1): route-info → authenticate →
 * authorize, before the route's own policies. A Bearer credential goes through the strategies in order (API
 * token, then users-permissions when it exists); the first that authenticates wins, one that answers an error
 * ends with 401, and none accepting it is 401: never a fallback to public. No credential is the public role,
 * checked without a database round trip.
 */

export interface AuthState {
  /** `public` (no credentials), or the strategy that authenticated (`api-token`, `users-permissions`). */
  strategy: string
  /** What the strategy authenticated (the API token, without its hash), null for the public role. */
  credentials: object | null
  /** Whether the caller may `find` a content type (used to drop unreadable relations from populate). */
  canRead: (uid: string) => boolean
}

export { readsAll }

const readsNothing = (): boolean => false

/** The caller's canRead, as the validated-query cache keys it: reads nothing without an auth state. */
export function canReadOf (ctx: RequestContext): (uid: string) => boolean {
  return (ctx.state.auth as AuthState | undefined)?.canRead ?? readsNothing
}

/** The caller's canRead for read checks and sanitizing: undefined when it may read everything (nothing to check). */
export function readableOf (ctx: RequestContext): ((uid: string) => boolean) | undefined {
  const canRead = canReadOf(ctx)
  return canRead === readsAll ? undefined : canRead
}

/** The credential of `Authorization: Bearer <one value>` (scheme case-insensitive); anything else is none, as in Strapi. */
function bearerOf (header: string): string | undefined {
  if (header === '') return undefined
  const parts = header.split(/\s+/)
  return parts.length === 2 && parts[0]!.toLowerCase() === 'bearer' && parts[1] !== '' ? parts[1] : undefined
}

/** `publicAbility` answers from memory (the public role's permissions, refreshed in the background). */
export function createAccess (publicAbility: () => Ability, strategies: readonly AuthStrategy[]) {
  async function authenticate (ctx: RequestContext, bearer: string, scopes: readonly string[]): Promise<void> {
    for (const strategy of strategies) {
      const result = await strategy.authenticate(bearer)
      if (result.authenticated) {
        ctx.state.auth = { strategy: strategy.name, credentials: result.credentials, canRead: result.ability.canRead } satisfies AuthState
        ctx.state.isAuthenticated = true
        if (result.user !== undefined) ctx.state.user = result.user
        if (!result.ability.allows(scopes)) throw new ForbiddenError('Forbidden')
        return
      }
      if (result.error !== undefined) throw new UnauthorizedError(result.error)
    }
    throw new UnauthorizedError('Missing or invalid credentials')
  }

  /** The first step of every protected route: who is calling, and may they run this action? Async only with a credential. */
  return function authorize (ctx: RequestContext, scope: string | undefined, config: RouteConfig): Promise<void> | undefined {
    if (config.auth === false) {
      ctx.state.auth = { strategy: 'public', credentials: null, canRead: readsAll } satisfies AuthState
      return undefined
    }
    // Every scope of the route must be granted.
    const scopes = config.auth?.scope ?? (scope === undefined ? [] : [scope])
    const bearer = bearerOf(ctx.get('authorization'))
    if (bearer !== undefined) return authenticate(ctx, bearer, scopes)
    if (scopes.length === 0) throw new UnauthorizedError('Missing or invalid credentials')
    const ability = publicAbility()
    if (!ability.allows(scopes)) throw new ForbiddenError('Forbidden')
    // As Strapi's public role: authenticated, without credentials.
    ctx.state.auth = { strategy: 'public', credentials: null, canRead: ability.canRead } satisfies AuthState
    ctx.state.isAuthenticated = true
    return undefined
  }
}

export type Authorize = ReturnType<typeof createAccess>
