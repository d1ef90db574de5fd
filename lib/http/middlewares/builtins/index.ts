import { body } from './body.js'
import { compression } from './compression.js'
import { corsBuiltin } from './cors.js'
import { errors } from './errors.js'
import { favicon } from './favicon.js'
import { ip } from './ip.js'
import { logger } from './logger.js'
import { publicFiles, query, session } from './noop.js'
import { poweredBy } from './powered-by.js'
import { responseTime } from './response-time.js'
import { security } from './security.js'
import type { Builtin } from './types.js'

export type { Builtin, BuiltinContext, BuiltinResult, ScopePlugin } from './types.js'

/** Strapi's built-in middlewares by their short name; reachable as `strapi::<name>` and `vellum::<name>`. */
export const BUILTINS: Readonly<Record<string, Builtin>> = Object.freeze({
  errors,
  security,
  cors: corsBuiltin,
  poweredBy,
  logger,
  query,
  body,
  session,
  favicon,
  public: publicFiles,
  compression,
  ip,
  responseTime
})

const PREFIXES = ['strapi::', 'vellum::']

/** The built-in a name stands for, if it is one (`strapi::cors`, `vellum::cors`). */
export function findBuiltin (name: string): Builtin | undefined {
  const prefix = PREFIXES.find(candidate => name.startsWith(candidate))
  if (prefix === undefined) return undefined
  const short = name.slice(prefix.length)
  return Object.hasOwn(BUILTINS, short) ? BUILTINS[short] : undefined
}
