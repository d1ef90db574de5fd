import { sql } from 'drizzle-orm'
import { createDocumentId } from '../document/index.js'
import { executeOn, type Database, type Executor } from '../db/index.js'
import type { Logger } from '../logger.js'
import { AUDIT, ensureTables, type TableDdl } from './tables.js'

/**
 * The Users & Permissions tables in Strapi 5's physical layout (contract §26.7): a user's role and a permission's
 * role live only in the link tables, timestamps are `timestamp(6)` without time zone written in UTC, and no
 * unique constraint on username or email (the application checks them). Plain tables, as the API-token ones:
 * the content-type model's system columns (`timestamp with time zone`, no `created_by_id`) would not be
 * Strapi's, and an existing Strapi database's tables must be used as they are.
 */
export const USERS_TABLE = 'up_users'
export const ROLES_TABLE = 'up_roles'
export const UP_PERMISSIONS_TABLE = 'up_permissions'
export const USER_ROLE_TABLE = 'up_users_role_lnk'
export const PERMISSION_ROLE_TABLE = 'up_permissions_role_lnk'

const documentsIndex = (table: string): string =>
  `CREATE INDEX IF NOT EXISTS "${table}_documents_idx" ON "${table}" ("document_id", "locale", "published_at")`

function linkTable (table: string, from: [column: string, target: string], to: [column: string, target: string], ord: string): readonly [string, string[]] {
  return [table, [
    `CREATE TABLE IF NOT EXISTS "${table}" ("id" serial PRIMARY KEY, ` +
      `"${from[0]}" integer CONSTRAINT "${table}_fk" REFERENCES "${from[1]}" ("id") ON DELETE CASCADE, ` +
      `"${to[0]}" integer CONSTRAINT "${table}_ifk" REFERENCES "${to[1]}" ("id") ON DELETE CASCADE, "${ord}" double precision, ` +
      `CONSTRAINT "${table}_uq" UNIQUE ("${from[0]}", "${to[0]}"))`,
    `CREATE INDEX IF NOT EXISTS "${table}_fk" ON "${table}" ("${from[0]}")`,
    `CREATE INDEX IF NOT EXISTS "${table}_ifk" ON "${table}" ("${to[0]}")`,
    `CREATE INDEX IF NOT EXISTS "${table}_oifk" ON "${table}" ("${ord}")`
  ]]
}

const DDL: TableDdl = [
  [USERS_TABLE, [
    `CREATE TABLE IF NOT EXISTS "${USERS_TABLE}" ("id" serial PRIMARY KEY, "document_id" varchar(255), "username" varchar(255), ` +
      '"email" varchar(255), "provider" varchar(255), "password" varchar(255), "reset_password_token" varchar(255), ' +
      `"confirmation_token" varchar(255), "confirmed" boolean, "blocked" boolean, ${AUDIT})`,
    documentsIndex(USERS_TABLE)
  ]],
  [ROLES_TABLE, [
    `CREATE TABLE IF NOT EXISTS "${ROLES_TABLE}" ("id" serial PRIMARY KEY, "document_id" varchar(255), "name" varchar(255), ` +
      `"description" varchar(255), "type" varchar(255), ${AUDIT})`,
    documentsIndex(ROLES_TABLE)
  ]],
  [UP_PERMISSIONS_TABLE, [
    `CREATE TABLE IF NOT EXISTS "${UP_PERMISSIONS_TABLE}" ("id" serial PRIMARY KEY, "document_id" varchar(255), "action" varchar(255), ${AUDIT})`,
    documentsIndex(UP_PERMISSIONS_TABLE)
  ]],
  linkTable(USER_ROLE_TABLE, ['user_id', USERS_TABLE], ['role_id', ROLES_TABLE], 'user_ord'),
  linkTable(PERMISSION_ROLE_TABLE, ['permission_id', UP_PERMISSIONS_TABLE], ['role_id', ROLES_TABLE], 'permission_ord')
]

const UP = 'plugin::users-permissions'

/** The two roles Strapi creates at first boot, with the actions it grants them then (contract §26.5). */
export const DEFAULT_ROLES = {
  public: {
    name: 'Public',
    description: 'Default role given to unauthenticated user.',
    actions: ['callback', 'connect', 'emailConfirmation', 'forgotPassword', 'refresh', 'register', 'resetPassword', 'sendEmailConfirmation']
      .map(action => `${UP}.auth.${action}`)
  },
  authenticated: {
    name: 'Authenticated',
    description: 'Default role given to authenticated user.',
    actions: [`${UP}.user.me`, ...['changePassword', 'getSessions', 'logout', 'revokeSession'].map(action => `${UP}.auth.${action}`)]
  }
} as const

type DefaultRoleType = keyof typeof DEFAULT_ROLES
const isDefaultRole = (type: string): type is DefaultRoleType => Object.hasOwn(DEFAULT_ROLES, type)

/** The actions a declared role is kept at: its declaration, plus Strapi's defaults for public and authenticated. */
export function declaredActions (type: string, actions: readonly string[]): string[] {
  return [...new Set([...(isDefaultRole(type) ? DEFAULT_ROLES[type].actions : []), ...actions])]
}

const UTC_NOW = sql.raw("(now() at time zone 'utc')")

async function roleIdOf (tx: Executor, type: string): Promise<number | undefined> {
  const [row] = await executeOn<{ id: number }>(tx, sql`select "id" from ${sql.raw(`"${ROLES_TABLE}"`)} where "type" = ${type} order by "id" limit 1`)
  return row?.id
}

async function createRole (tx: Executor, type: string, name: string, description: string): Promise<number> {
  const [row] = await executeOn<{ id: number }>(tx, sql`
    insert into ${sql.raw(`"${ROLES_TABLE}"`)} ("document_id", "name", "description", "type", "created_at", "updated_at", "published_at")
    values (${createDocumentId()}, ${name}, ${description}, ${type}, ${UTC_NOW}, ${UTC_NOW}, ${UTC_NOW}) returning "id"`)
  return row!.id
}

/** Links `actions` to a role, each with its own permission row as Strapi stores them; actions it already has are skipped. */
export async function grantActions (tx: Executor, roleId: number, actions: readonly string[]): Promise<void> {
  if (actions.length === 0) return
  const rows = [...new Set(actions)].map(action => [createDocumentId(), action])
  await executeOn(tx, sql`
    with wanted as (
      select r->>0 as "document_id", r->>1 as "action", ord from json_array_elements(${JSON.stringify(rows)}::json) with ordinality as a(r, ord)
      where not exists (select 1 from ${sql.raw(`"${UP_PERMISSIONS_TABLE}"`)} p join ${sql.raw(`"${PERMISSION_ROLE_TABLE}"`)} l on l."permission_id" = p."id"
                        where l."role_id" = ${roleId} and p."action" = r->>1)
    ), inserted as (
      insert into ${sql.raw(`"${UP_PERMISSIONS_TABLE}"`)} ("document_id", "action", "created_at", "updated_at", "published_at")
      select "document_id", "action", ${UTC_NOW}, ${UTC_NOW}, ${UTC_NOW} from wanted order by ord
      returning "id"
    )
    insert into ${sql.raw(`"${PERMISSION_ROLE_TABLE}"`)} ("permission_id", "role_id", "permission_ord")
    select "id", ${roleId}, (select coalesce(max("permission_ord"), 0) from ${sql.raw(`"${PERMISSION_ROLE_TABLE}"`)} where "role_id" = ${roleId}) + row_number() over (order by "id")
    from inserted`)
}

/** Removes `actions` from a role (their permission rows with them); all of them when `keep` lists what stays instead. */
export async function revokeActions (tx: Executor, roleId: number, which: { actions: readonly string[] } | { keep: readonly string[] }): Promise<number> {
  const condition = 'actions' in which
    ? sql`p."action" = any(${`{${which.actions.map(quoteArrayItem).join(',')}}`}::text[])`
    : sql`not (p."action" = any(${`{${which.keep.map(quoteArrayItem).join(',')}}`}::text[]))`
  const rows = await executeOn(tx, sql`
    delete from ${sql.raw(`"${UP_PERMISSIONS_TABLE}"`)} where "id" in (
      select p."id" from ${sql.raw(`"${UP_PERMISSIONS_TABLE}"`)} p join ${sql.raw(`"${PERMISSION_ROLE_TABLE}"`)} l on l."permission_id" = p."id"
      where l."role_id" = ${roleId} and ${condition}) returning "id"`)
  return rows.length
}

/** An item of a PostgreSQL array literal. */
const quoteArrayItem = (value: string): string => `"${value.replace(/[\\"]/g, m => `\\${m}`)}"`

/**
 * Creates the missing tables, the default roles when absent (with Strapi's first-boot grants), and writes the
 * declared roles' permissions, all in one transaction under schema sync's advisory lock: instances booting
 * together neither duplicate a role nor interleave their writes.
 */
export async function ensureUsersPermissions (database: Database, log: Logger, declared: Readonly<Record<string, readonly string[]>>): Promise<void> {
  await ensureTables(database, log, DDL, async tx => {
    for (const [type, role] of Object.entries(DEFAULT_ROLES)) {
      if (await roleIdOf(tx, type) !== undefined) continue
      const id = await createRole(tx, type, role.name, role.description)
      await grantActions(tx, id, role.actions)
      log.info({ role: type }, 'created users-permissions role')
    }
    for (const [type, actions] of Object.entries(declared)) {
      const id = await roleIdOf(tx, type) ?? await createRole(tx, type, type, '')
      const wanted = declaredActions(type, actions)
      const removed = await revokeActions(tx, id, { keep: wanted })
      await grantActions(tx, id, wanted)
      log.info({ role: type, actions: wanted.length, removed }, 'users-permissions role synced from the options')
    }
  })
}
