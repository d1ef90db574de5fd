import { FILE_UID } from '../content-types/index.js'
/**
 * What an authenticated caller may do, as the request pipeline asks it: every scope of a route, and reading a
 * content type (populate, filters and sanitizing drop what the caller cannot `find`).
 */
export interface Ability {
  /** Whether every scope of the route is granted; a route without scope is granted only to full access. */
  allows: (scopes: readonly string[]) => boolean
  /** Whether the caller may `find` a content type. */
  canRead: (uid: string) => boolean
}

/**
 * The canRead of a caller who may read everything: one function, so the REST layer caches validated queries
 * per canRead and skips the read checks for it.
 */
export const readsAll = (): boolean => true

/**
 * canRead from granted actions: a type's `find`. Files are readable through the entries that link them (media
 * populate and filters need no upload permission, as with Strapi's public role and its images).
 */
export function canReadWith (granted: ReadonlySet<string>): (uid: string) => boolean {
  return (uid) => uid === FILE_UID || granted.has(`${uid}.find`)
}

/**
 * The result of one strategy: authenticated (with the user, for users-permissions: `ctx.state.user`), not this
 * strategy's credential (the next one is tried), or an error (401).
 */
export type StrategyResult =
  | { authenticated: true, credentials: object, ability: Ability, user?: object }
  | { authenticated: false, error?: string }

/**
 * One authentication strategy of the content API, tried in order on a Bearer credential (API token, then
 * users-permissions); a request without one runs as the public role.
 */
export interface AuthStrategy {
  name: string
  authenticate: (bearer: string) => Promise<StrategyResult>
}
