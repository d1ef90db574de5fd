import { sql } from 'drizzle-orm'
import { LruMap } from 'toad-cache'
import type { Database } from '../db/index.js'
import { NotFoundError, ValidationError } from '../errors.js'
import { executeOn } from '../db/index.js'
import type { Logger } from '../logger.js'
import { canReadWith, readsAll, type Ability } from './ability.js'
import { createDocumentId } from '../document/index.js'
import { ApplicationError } from '../errors.js'
import { grantActions, PERMISSION_ROLE_TABLE, revokeActions, ROLES_TABLE, UP_PERMISSIONS_TABLE, USER_ROLE_TABLE } from './up-tables.js'

/** A users-permissions role as vellum shows it. */
export interface Role {
  id: number
  documentId: string | null
  name: string
  description: string
  type: string
  createdAt: string | null
  updatedAt: string | null
  publishedAt: string | null
}

export interface RoleWithCount extends Role {
  nb_users: number
}

/** Roles and their permissions: what the HTTP check asks per request, and their management. */
export interface Roles {
  /** The public role's ability, from memory: refreshed in the background once older than the TTL. */
  publicAbility: () => Ability
  /** A role's ability, cached for the TTL. */
  abilityOf: (roleId: number) => Promise<Ability>
  /** Loads the public role's permissions (at startup, before serving). */
  load: () => Promise<void>
  list: () => Promise<RoleWithCount[]>
  get: (idOrType: number | string) => Promise<Role | undefined>
  /** A role's actions. */
  actionsOf: (idOrType: number | string) => Promise<string[]>
  /** Adds actions to a role (effective at once in this process, within the TTL elsewhere). */
  grant: (idOrType: number | string, actions: readonly string[]) => Promise<void>
  revoke: (idOrType: number | string, actions: readonly string[]) => Promise<void>
  /** Creates a role with its actions; `type` defaults to the snake_case name, as Strapi. */
  create: (input: { name: string, description?: string, type?: string, actions?: readonly string[] }) => Promise<Role>
  /** Renames a role and, when `actions` is given, replaces its permissions with them. */
  update: (idOrType: number | string, input: { name?: string, description?: string, actions?: readonly string[] }) => Promise<Role>
  /** Deletes a role, moving its users to the public role (as Strapi); the public role cannot be deleted. */
  remove: (idOrType: number | string) => Promise<Role>
  /** Drops what this process cached (after a change made outside this service). */
  invalidate: () => void
}

export interface RolesOptions {
  database: Database
  /**
   * '*' opens every content action (`api::…`) to the public, in memory only; the plugin's own actions stay as the
   * public role has them (a wildcard for content must not list users or manage roles).
   */
  publicWildcard: boolean
  cacheTtlMs: number
  cacheSize: number
  log: Logger
  now?: () => number
}

const ISO = (column: string): string => `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
export const ROLE_COLUMNS = (alias: string): string => `${alias}."id", ${alias}."document_id" as "documentId", ${alias}."name", ${alias}."description", ${alias}."type",
  ${ISO(`${alias}."created_at"`)} as "createdAt", ${ISO(`${alias}."updated_at"`)} as "updatedAt", ${ISO(`${alias}."published_at"`)} as "publishedAt"`

/** The public role under '*': every `api::` action, and the plugin actions the role holds. */
function contentWildcard (base: Ability): Ability {
  return { allows: (scopes) => scopes.length > 0 && scopes.every(scope => scope.startsWith('api::') || base.allows([scope])), canRead: readsAll }
}

/** The ability of a set of actions: every scope of a route granted; reading a type is its `find`. */
export function abilityOfActions (actions: Iterable<string>): Ability {
  const granted = new Set(actions)
  return {
    allows: (scopes) => scopes.length > 0 && scopes.every(scope => granted.has(scope)),
    canRead: canReadWith(granted)
  }
}

const ACTION = /^[a-z]+::[A-Za-z0-9._-]+$/

export function createRoles ({ database, publicWildcard, cacheTtlMs, cacheSize, log, now = Date.now }: RolesOptions): Roles {
  const cache = new LruMap<Ability>(cacheSize, Math.max(cacheTtlMs, 1))
  // One ability per set of actions: the REST layer caches validated queries per canRead function.
  const abilities = new LruMap<Ability>(cacheSize)
  function abilityFor (actions: readonly string[]): Ability {
    const key = [...actions].sort().join('\n')
    let ability = abilities.get(key)
    if (ability === undefined) {
      ability = abilityOfActions(actions)
      abilities.set(key, ability)
    }
    return ability
  }
  let publicAbility: Ability = abilityFor([])
  let wildcard: Ability = contentWildcard(publicAbility)
  let publicLoadedAt = -Infinity
  let refreshing: Promise<void> | undefined

  const where = (idOrType: number | string) => typeof idOrType === 'number' ? sql`r."id" = ${idOrType}` : sql`r."type" = ${idOrType}`

  async function get (idOrType: number | string): Promise<Role | undefined> {
    const [row] = await database.execute<Role>(sql`select ${sql.raw(ROLE_COLUMNS('r'))} from ${sql.raw(`"${ROLES_TABLE}" r`)} where ${where(idOrType)} order by r."id" limit 1`)
    return row === undefined ? undefined : { ...row, description: row.description ?? '' }
  }

  async function roleId (idOrType: number | string): Promise<number> {
    const role = await get(idOrType)
    if (role === undefined) throw new NotFoundError('Role not found', { role: idOrType })
    return role.id
  }

  async function actionsOfId (id: number): Promise<string[]> {
    const rows = await database.execute<{ action: string }>(sql`
      select p."action" from ${sql.raw(`"${UP_PERMISSIONS_TABLE}"`)} p join ${sql.raw(`"${PERMISSION_ROLE_TABLE}"`)} l on l."permission_id" = p."id"
      where l."role_id" = ${id} order by l."permission_ord", p."id"`)
    return rows.map(row => row.action)
  }

  async function load (): Promise<void> {
    const at = now()
    const role = await get('public')
    const actions = role === undefined ? [] : await actionsOfId(role.id)
    publicAbility = abilityFor(actions)
    wildcard = contentWildcard(publicAbility)
    publicLoadedAt = at
  }

  function invalidate (): void {
    cache.clear()
    publicLoadedAt = -Infinity
  }

  /** After a change made here: effective at once in this process (the public role reloaded before answering). */
  async function changed (): Promise<void> {
    cache.clear()
    await load()
  }

  function checkActions (actions: readonly string[]): void {
    for (const action of actions) {
      if (typeof action !== 'string' || !ACTION.test(action)) throw new ValidationError(`Unknown permission "${String(action)}"`, { action })
    }
  }

  return {
    publicAbility () {
      if (now() - publicLoadedAt >= cacheTtlMs && refreshing === undefined) {
        // Stale: this request uses what is known, the next ones the refreshed set.
        refreshing = load().catch((error: unknown) => { log.error({ err: error }, 'could not refresh the public role\'s permissions') })
          .finally(() => { refreshing = undefined })
      }
      return publicWildcard ? wildcard : publicAbility
    },
    async abilityOf (id) {
      const cached = cacheTtlMs > 0 ? cache.get(String(id)) : undefined
      if (cached !== undefined) return cached
      const ability = abilityFor(await actionsOfId(id))
      cache.set(String(id), ability)
      return ability
    },
    load,
    async list () {
      const rows = await database.execute<RoleWithCount>(sql`
        select ${sql.raw(ROLE_COLUMNS('r'))}, (select count(*)::int from ${sql.raw(`"${USER_ROLE_TABLE}"`)} l where l."role_id" = r."id") as "nb_users"
        from ${sql.raw(`"${ROLES_TABLE}" r`)} order by r."name", r."id"`)
      return rows.map(row => ({ ...row, description: row.description ?? '', nb_users: Number(row.nb_users) }))
    },
    get,
    async actionsOf (idOrType) {
      return await actionsOfId(await roleId(idOrType))
    },
    async grant (idOrType, actions) {
      checkActions(actions)
      const id = await roleId(idOrType)
      await database.drizzle.transaction(async tx => { await grantActions(tx, id, actions) })
      await changed()
      log.info({ roleId: id, actions }, 'permissions granted')
    },
    async revoke (idOrType, actions) {
      checkActions(actions)
      const id = await roleId(idOrType)
      await database.drizzle.transaction(async tx => { await revokeActions(tx, id, { actions }) })
      await changed()
      log.info({ roleId: id, actions }, 'permissions revoked')
    },
    async create ({ name, description = '', type, actions = [] }) {
      if (typeof name !== 'string' || name.trim() === '') throw new ValidationError('name is a required field', { field: 'name' })
      checkActions(actions)
      const roleType = type ?? snakeCase(name)
      const id = await database.drizzle.transaction(async tx => {
        const [row] = await executeOn<{ id: number }>(tx, sql`
          insert into ${sql.raw(`"${ROLES_TABLE}"`)} ("document_id", "name", "description", "type", "created_at", "updated_at", "published_at")
          values (${createDocumentId()}, ${name.trim()}, ${description}, ${roleType}, ${UTC_NOW}, ${UTC_NOW}, ${UTC_NOW}) returning "id"`)
        await grantActions(tx, row!.id, actions)
        return row!.id
      })
      await changed()
      log.info({ roleId: id, type: roleType }, 'role created')
      return (await get(id))!
    },
    async update (idOrType, { name, description, actions }) {
      if (actions !== undefined) checkActions(actions)
      const id = await roleId(idOrType)
      await database.drizzle.transaction(async tx => {
        const sets = [sql`"updated_at" = ${UTC_NOW}`]
        if (name !== undefined) sets.push(sql`"name" = ${name}`)
        if (description !== undefined) sets.push(sql`"description" = ${description}`)
        await executeOn(tx, sql`update ${sql.raw(`"${ROLES_TABLE}"`)} set ${sql.join(sets, sql`, `)} where "id" = ${id}`)
        if (actions !== undefined) {
          await revokeActions(tx, id, { keep: actions })
          await grantActions(tx, id, actions)
        }
      })
      await changed()
      log.info({ roleId: id }, 'role updated')
      return (await get(id))!
    },
    async remove (idOrType) {
      const role = await get(idOrType)
      if (role === undefined) throw new NotFoundError('Role not found', { role: idOrType })
      if (role.type === 'public') throw new ApplicationError('Cannot delete public role')
      const publicRole = await get('public')
      await database.drizzle.transaction(async tx => {
        if (publicRole !== undefined) {
          await executeOn(tx, sql`update ${sql.raw(`"${USER_ROLE_TABLE}"`)} set "role_id" = ${publicRole.id} where "role_id" = ${role.id}`)
        }
        await executeOn(tx, sql`delete from ${sql.raw(`"${UP_PERMISSIONS_TABLE}"`)} where "id" in (
          select "permission_id" from ${sql.raw(`"${PERMISSION_ROLE_TABLE}"`)} where "role_id" = ${role.id})`)
        await executeOn(tx, sql`delete from ${sql.raw(`"${ROLES_TABLE}"`)} where "id" = ${role.id}`)
      })
      await changed()
      log.info({ roleId: role.id }, 'role deleted')
      return role
    },
    invalidate
  }
}

const UTC_NOW = sql.raw("(now() at time zone 'utc')")

/** "Probe Editor" → "probe_editor", as Strapi types a role created without one. */
function snakeCase (name: string): string {
  return name.trim().replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '').toLowerCase()
}
