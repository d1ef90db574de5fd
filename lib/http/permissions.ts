import { ForbiddenError, UnauthorizedError } from '../errors.js'
import type { RequestContext } from '../hooks/index.js'
import type { RouteConfig } from './types.js'

/**
 * Authentication and authorization of content-API routes (contract §21): route-info → authenticate →
 * authorize, before the route's own policies. Only the public role exists for now; API tokens will be one
 * more strategy tried in `authenticate` before the public role.
 */

export interface PermissionsConfig {
  /** Actions open without credentials, or '*'. */
  public: '*' | string[]
}

export interface AuthState {
  strategy: 'public'
  credentials: null
  /** Whether the caller may `find` a content type (used to drop unreadable relations from populate). */
  canRead: (uid: string) => boolean
}

/**
 * The canRead of a caller who may read everything (a route without auth, `permissions.public: '*'`): one
 * function, so the REST layer caches validated queries per canRead and skips the read checks for it.
 */
export const readsAll = (): boolean => true

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

export function createPublicAccess (permissions: PermissionsConfig) {
  const open = permissions.public === '*' ? undefined : new Set(permissions.public)
  const allows = (action: string): boolean => open === undefined || open.has(action)
  const canRead = open === undefined ? readsAll : (uid: string): boolean => allows(`${uid}.find`)

  /** The first step of every protected route: who is calling, and may they run this action? */
  return function authorize (ctx: RequestContext, scope: string | undefined, config: RouteConfig): void {
    if (config.auth === false) {
      ctx.state.auth = { strategy: 'public', credentials: null, canRead: readsAll } satisfies AuthState
      return
    }
    if (ctx.get('authorization') !== '') {
      // No token strategy yet, and a credential nobody accepts is never downgraded to public access.
      throw new UnauthorizedError('Missing or invalid credentials')
    }
    const action = config.auth?.scope?.[0] ?? scope
    if (action === undefined) throw new UnauthorizedError('Missing or invalid credentials')
    if (!allows(action)) throw new ForbiddenError('Forbidden')
    ctx.state.auth = { strategy: 'public', credentials: null, canRead } satisfies AuthState
  }
}

export type Authorize = ReturnType<typeof createPublicAccess>
