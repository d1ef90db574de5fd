/**
 * Authentication of the content API (style guide §2.6): the strategies (API tokens, then users-permissions
 * JWTs), the token, user and role services in Strapi's tables. Fastify-free; lib/http runs the chain.
 */
export { readsAll, type Ability, type AuthStrategy, type StrategyResult } from './ability.js'
export { MissingApiTokenSaltError, MissingJwtSecretError } from './errors.js'
export { resolveJwtSecret, resolveSalt } from './salt.js'
export { ensureTokenTables, PERMISSIONS_TABLE, TOKEN_LINK_TABLE, TOKENS_TABLE } from './tables.js'
export { DEFAULT_TEMPLATES, renderMail, type MailTemplate } from './emails.js'
export { DEFAULT_ROLES, ensureUsersPermissions } from './up-tables.js'
export { createRoles, type Role, type Roles, type RoleWithCount } from './roles.js'
export { createUsers, fieldError, type CreateUser, type UpdateUser, type User, type Users } from './users.js'
export {
  API_TOKEN_LIFESPANS, API_TOKEN_TYPES, createApiTokens,
  type ApiToken, type ApiTokens, type ApiTokensOptions, type ApiTokenType, type ApiTokenWithKey, type CreateApiToken
} from './tokens.js'

import type { AuthStrategy } from './ability.js'
import type { Roles } from './roles.js'
import type { ApiTokens } from './tokens.js'
import type { Users } from './users.js'

/** `app.vellum.auth`. */
export interface Auth {
  /** API tokens: create (the key shown once), list, get, revoke, regenerate. */
  tokens: ApiTokens
  /** Users & Permissions users: create, list, get, update, block, remove; JWTs. */
  users: Users
  /** Users & Permissions roles and their permissions: list, get, grant, revoke. */
  roles: Roles
  /** The content API's strategies, in the order they are tried. */
  strategies: readonly AuthStrategy[]
}
