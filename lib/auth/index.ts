/**
 * Authentication of the content API (style guide §2.6): the strategies (API tokens now; users-permissions
 * later, after them) and the token service in Strapi's tables. Fastify-free; lib/http runs the chain.
 */
export { readsAll, type Ability, type AuthStrategy, type StrategyResult } from './ability.js'
export { MissingApiTokenSaltError } from './errors.js'
export { resolveSalt } from './salt.js'
export { ensureTokenTables, PERMISSIONS_TABLE, TOKEN_LINK_TABLE, TOKENS_TABLE } from './tables.js'
export {
  API_TOKEN_LIFESPANS, API_TOKEN_TYPES, createApiTokens,
  type ApiToken, type ApiTokens, type ApiTokensOptions, type ApiTokenType, type ApiTokenWithKey, type CreateApiToken
} from './tokens.js'

import type { AuthStrategy } from './ability.js'
import type { ApiTokens } from './tokens.js'

/** `app.vellum.auth`. */
export interface Auth {
  /** API tokens: create (the key shown once), list, get, revoke, regenerate. */
  tokens: ApiTokens
  /** The content API's strategies, in the order they are tried. */
  strategies: readonly AuthStrategy[]
}
