import { createHmac, randomBytes } from 'node:crypto'
import { sql, type SQL } from 'drizzle-orm'
import { LruMap } from 'toad-cache'
import { executeOn, type Database, type Executor } from '../db/index.js'
import { createDocumentId } from '../document/index.js'
import { NotFoundError, ValidationError } from '../errors.js'
import type { Logger } from '../logger.js'
import { canReadWith, readsAll, type Ability, type AuthStrategy, type StrategyResult } from './ability.js'
import { PERMISSIONS_TABLE, TOKEN_LINK_TABLE, TOKENS_TABLE } from './tables.js'

/**
 * API tokens (contract §26.2) in Strapi's tables: keys of 128 random bytes in hex, shown once, stored only as
 * hex(HMAC-SHA512(salt, key)) in `access_key`. A request's key is hashed and looked up by that hash, as Strapi
 * does: an equality on an HMAC under a secret salt leaks nothing usable through timing (an attacker cannot choose
 * hashes), so it is as good as comparing with timingSafeEqual, without reading every token.
 */

export const API_TOKEN_TYPES = ['read-only', 'full-access', 'custom'] as const
export type ApiTokenType = typeof API_TOKEN_TYPES[number]

const DAY = 86_400_000
/** Strapi's lifespans in milliseconds: 7, 30 and 90 days; null is unlimited. */
export const API_TOKEN_LIFESPANS = [7 * DAY, 30 * DAY, 90 * DAY] as const
const HOUR = 3_600_000
/** First key of the two-key advisory lock taken per token name ("vell"); the second is the name's hash. */
const NAME_LOCK = 0x76656c6c

/** A token as vellum shows it: never its hash, never its key (except once, at creation). */
export interface ApiToken {
  id: number
  documentId: string | null
  name: string
  description: string
  type: ApiTokenType
  /** `content-api` (null in some Strapi rows, treated alike); `admin` tokens belong to Strapi's admin API. */
  kind: string | null
  /** A custom token's actions (`api::article.article.find`, …); empty for the other types. */
  permissions: string[]
  lastUsedAt: string | null
  expiresAt: string | null
  /** Milliseconds, or null for unlimited. */
  lifespan: number | null
  createdAt: string | null
  updatedAt: string | null
}

/** A token just created or regenerated: its key, shown this once. */
export interface ApiTokenWithKey extends ApiToken {
  accessKey: string
}

export interface CreateApiToken {
  name: string
  description?: string
  type: ApiTokenType
  /** The actions of a custom token (`api::<api>.<type>.<action>`). */
  permissions?: readonly string[]
  /** 7, 30 or 90 days in milliseconds (`API_TOKEN_LIFESPANS`), or null/absent for unlimited. */
  lifespan?: number | null
}

export interface ApiTokens {
  /** Creates a token; the answer holds its key, which is stored nowhere. */
  create: (input: CreateApiToken) => Promise<ApiTokenWithKey>
  list: () => Promise<ApiToken[]>
  /** A token by id, or undefined. */
  get: (id: number) => Promise<ApiToken | undefined>
  /** Deletes a token (its permissions with it); undefined when there was none. Effective at once in this process. */
  revoke: (id: number) => Promise<ApiToken | undefined>
  /** A new key for a token; the old one stops working at once in this process. */
  regenerate: (id: number) => Promise<ApiTokenWithKey>
  /** hex(HMAC-SHA512(salt, key)): what `access_key` holds. */
  hash: (key: string) => string
  /** The content API's API-token strategy. */
  strategy: AuthStrategy
}

export interface ApiTokensOptions {
  database: Database
  salt: string
  /** How long a validated token is trusted without reading it again (ms); 0 reads it on every request. */
  cacheTtlMs: number
  /** How many validated tokens are kept. */
  cacheSize: number
  log: Logger
  /** The clock, in ms (tests move it). */
  now?: () => number
}

interface TokenRow {
  id: number
  documentId: string | null
  name: string | null
  description: string | null
  type: string | null
  kind: string | null
  permissions: string[] | null
  lastUsedAt: string | null
  expiresAt: string | null
  lifespan: string | number | null
  createdAt: string | null
  updatedAt: string | null
}

const COLUMNS = sql.raw(`t."id", t."document_id" as "documentId", t."name", t."description", t."type", t."kind",
  t."last_used_at" as "lastUsedAt", t."expires_at" as "expiresAt", t."lifespan", t."created_at" as "createdAt", t."updated_at" as "updatedAt",
  (select coalesce(json_agg(p."action" order by l."api_token_permission_ord", p."id"), '[]'::json)
     from "${TOKEN_LINK_TABLE}" l join "${PERMISSIONS_TABLE}" p on p."id" = l."api_token_permission_id"
    where l."api_token_id" = t."id") as "permissions"`)
const TOKENS = sql.raw(`"${TOKENS_TABLE}" t`)

function toToken (row: TokenRow): ApiToken {
  return {
    id: row.id,
    documentId: row.documentId,
    name: row.name ?? '',
    description: row.description ?? '',
    type: (API_TOKEN_TYPES as readonly string[]).includes(row.type ?? '') ? row.type as ApiTokenType : 'custom',
    kind: row.kind,
    permissions: row.permissions ?? [],
    lastUsedAt: row.lastUsedAt,
    expiresAt: row.expiresAt,
    lifespan: row.lifespan === null ? null : Number(row.lifespan),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt
  }
}

const ACTION = /^(api|plugin)::[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

function checkInput (input: CreateApiToken): void {
  if (typeof input.name !== 'string' || input.name.trim() === '') throw new ValidationError('name is a required field', { field: 'name' })
  if (!(API_TOKEN_TYPES as readonly string[]).includes(input.type)) {
    throw new ValidationError(`type must be one of the following values: ${API_TOKEN_TYPES.join(', ')}`, { field: 'type' })
  }
  const lifespan = input.lifespan ?? null
  if (lifespan !== null && !(API_TOKEN_LIFESPANS as readonly number[]).includes(lifespan)) {
    throw new ValidationError(`lifespan must be one of the following values: ${API_TOKEN_LIFESPANS.join(', ')}, null`, { field: 'lifespan' })
  }
  for (const action of input.permissions ?? []) {
    if (!ACTION.test(action)) throw new ValidationError(`Unknown permission "${action}": expected api::<api>.<type>.<action>`, { field: 'permissions', action })
  }
  if (input.type !== 'custom' && (input.permissions ?? []).length > 0) {
    throw new ValidationError('permissions are for custom tokens only', { field: 'permissions' })
  }
}

/** Scopes of read actions, as Strapi tells them (`…find`, `…findOne`). */
const isReadScope = (scope: string): boolean => scope.endsWith('find') || scope.endsWith('findOne')

const fullAccess: Ability = { allows: () => true, canRead: readsAll }
const readOnly: Ability = { allows: (scopes) => scopes.length > 0 && scopes.every(isReadScope), canRead: readsAll }

interface Cached {
  token: ApiToken
  ability: Ability
}

export function createApiTokens ({ database, salt, cacheTtlMs, cacheSize, log, now = Date.now }: ApiTokensOptions): ApiTokens {
  const hash = (key: string): string => createHmac('sha512', salt).update(key).digest('hex')
  // Validated tokens by hash; a revoke or regenerate here drops its entry at once, other processes see it after the TTL.
  const cache = cacheTtlMs > 0 ? new LruMap<Cached>(cacheSize, cacheTtlMs) : undefined
  // One ability per set of actions: the REST layer caches validated queries per canRead function.
  const abilities = new LruMap<Ability>(cacheSize)

  function abilityOf (token: ApiToken): Ability {
    if (token.type === 'full-access') return fullAccess
    if (token.type === 'read-only') return readOnly
    const key = [...token.permissions].sort().join('\n')
    let ability = abilities.get(key)
    if (ability === undefined) {
      const actions = new Set(token.permissions)
      ability = { allows: (scopes) => scopes.length > 0 && scopes.every(scope => actions.has(scope)), canRead: canReadWith(actions) }
      abilities.set(key, ability)
    }
    return ability
  }

  async function read (where: SQL): Promise<ApiToken[]> {
    const rows = await database.execute<TokenRow>(sql`select ${COLUMNS} from ${TOKENS} where ${where} order by t."id"`)
    return rows.map(toToken)
  }

  async function lookup (accessKey: string): Promise<Cached | undefined> {
    const cached = cache?.get(accessKey)
    if (cached !== undefined) return cached
    const [token] = await read(sql`t."access_key" = ${accessKey}`)
    if (token === undefined) return undefined
    const entry: Cached = { token: Object.freeze(token), ability: abilityOf(token) }
    cache?.set(accessKey, entry)
    return entry
  }

  /** Writes last_used_at when it is unset or an hour old; the condition keeps two processes from both writing. */
  async function touch (accessKey: string, entry: Cached): Promise<void> {
    const at = new Date(now())
    const last = entry.token.lastUsedAt === null ? undefined : Date.parse(entry.token.lastUsedAt)
    if (last !== undefined && at.getTime() - last < HOUR) return
    const stamp = at.toISOString()
    const cutoff = new Date(at.getTime() - HOUR).toISOString()
    await database.execute(sql`update ${sql.raw(`"${TOKENS_TABLE}"`)} set "last_used_at" = ${stamp}::timestamp
      where "id" = ${entry.token.id} and ("last_used_at" is null or "last_used_at" <= ${cutoff}::timestamp)`)
    entry.token = Object.freeze({ ...entry.token, lastUsedAt: stamp })
    if (cache?.get(accessKey) === entry) cache.set(accessKey, entry)
  }

  const strategy: AuthStrategy = {
    name: 'api-token',
    async authenticate (bearer): Promise<StrategyResult> {
      // Keys are hex; a value with a dot is a JWT: no lookup (a JWT caller costs no token query).
      if (bearer.includes('.')) return { authenticated: false }
      const accessKey = hash(bearer)
      const entry = await lookup(accessKey)
      // Admin tokens belong to Strapi's admin API; null is content-api, as in Strapi.
      if (entry === undefined || (entry.token.kind !== null && entry.token.kind !== 'content-api')) return { authenticated: false }
      if (entry.token.expiresAt !== null && Date.parse(entry.token.expiresAt) < now()) return { authenticated: false, error: 'Token expired' }
      await touch(accessKey, entry)
      return { authenticated: true, credentials: entry.token, ability: entry.ability }
    }
  }

  async function writePermissions (tx: Executor, tokenId: number, actions: readonly string[], stamp: string): Promise<void> {
    if (actions.length === 0) return
    const rows = [...new Set(actions)].map(action => [createDocumentId(), action])
    await executeOn(tx, sql`
      with inserted as (
        insert into ${sql.raw(`"${PERMISSIONS_TABLE}"`)} ("document_id", "action", "created_at", "updated_at", "published_at")
        select r->>0, r->>1, ${stamp}::timestamp, ${stamp}::timestamp, ${stamp}::timestamp
        from json_array_elements(${JSON.stringify(rows)}::json) with ordinality as a(r, ord) order by ord
        returning "id"
      )
      insert into ${sql.raw(`"${TOKEN_LINK_TABLE}"`)} ("api_token_permission_id", "api_token_id", "api_token_permission_ord")
      select "id", ${tokenId}, row_number() over (order by "id") from inserted`)
  }

  const forget = (accessKey: string | null): void => { if (accessKey !== null) cache?.delete(accessKey) }

  return {
    hash,
    strategy,
    async create (input) {
      checkInput(input)
      const name = input.name.trim()
      const accessKey = randomBytes(128).toString('hex')
      const at = now()
      const stamp = new Date(at).toISOString()
      const lifespan = input.lifespan ?? null
      const expiresAt = lifespan === null ? null : new Date(at + lifespan).toISOString()
      // Strapi's layout has no unique constraint on names: concurrent creates of one name queue on a lock instead.
      const id = await database.drizzle.transaction(async tx => {
        await tx.execute(sql`select pg_advisory_xact_lock(${NAME_LOCK}, hashtext(${name}))`)
        const taken = await executeOn(tx, sql`select 1 from ${TOKENS} where t."name" = ${name}`)
        if (taken.length > 0) throw new ValidationError('Name already taken', { field: 'name' })
        const [row] = await executeOn<{ id: number }>(tx, sql`
          insert into ${sql.raw(`"${TOKENS_TABLE}"`)} ("document_id", "name", "description", "kind", "type", "access_key", "lifespan", "expires_at",
            "created_at", "updated_at", "published_at")
          values (${createDocumentId()}, ${name}, ${input.description ?? ''}, 'content-api', ${input.type}, ${hash(accessKey)}, ${lifespan},
            ${expiresAt}::timestamp, ${stamp}::timestamp, ${stamp}::timestamp, ${stamp}::timestamp)
          returning "id"`)
        await writePermissions(tx, row!.id, input.type === 'custom' ? input.permissions ?? [] : [], stamp)
        return row!.id
      })
      const [token] = await read(sql`t."id" = ${id}`)
      log.info({ tokenId: id, name, type: input.type }, 'API token created')
      return { ...token!, accessKey }
    },
    async list () {
      return await read(sql`true`)
    },
    async get (id) {
      return (await read(sql`t."id" = ${id}`))[0]
    },
    async revoke (id) {
      const [token] = await read(sql`t."id" = ${id}`)
      if (token === undefined) return undefined
      const [row] = await database.execute<{ accessKey: string | null }>(sql`
        with permissions as (
          delete from ${sql.raw(`"${PERMISSIONS_TABLE}"`)} where "id" in (
            select "api_token_permission_id" from ${sql.raw(`"${TOKEN_LINK_TABLE}"`)} where "api_token_id" = ${id})
        )
        delete from ${sql.raw(`"${TOKENS_TABLE}"`)} where "id" = ${id} returning "access_key" as "accessKey"`)
      forget(row?.accessKey ?? null)
      log.info({ tokenId: id }, 'API token revoked')
      return token
    },
    async regenerate (id) {
      const accessKey = randomBytes(128).toString('hex')
      const stamp = new Date(now()).toISOString()
      const [row] = await database.execute<{ accessKey: string | null }>(sql`
        update ${sql.raw(`"${TOKENS_TABLE}"`)} n set "access_key" = ${hash(accessKey)}, "updated_at" = ${stamp}::timestamp
        from ${sql.raw(`"${TOKENS_TABLE}"`)} o where n."id" = ${id} and o."id" = n."id" returning o."access_key" as "accessKey"`)
      if (row === undefined) throw new NotFoundError(`No API token ${id}`, { id })
      forget(row.accessKey)
      const [token] = await read(sql`t."id" = ${id}`)
      log.info({ tokenId: id }, 'API token regenerated')
      return { ...token!, accessKey }
    }
  }
}
