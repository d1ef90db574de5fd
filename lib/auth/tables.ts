import { sql } from 'drizzle-orm'
import { executeOn, SCHEMA_LOCK_KEY, type Database, type Executor } from '../db/index.js'
import type { Logger } from '../logger.js'

/**
 * Strapi's API-token tables, in its own physical layout (contract §26.7): `timestamp(6)` without time zone written
 * in UTC, a serial id, the link table with its order column and cascading foreign keys. Plain tables rather than
 * content types: the model's system columns (`timestamp with time zone`, no `created_by_id`) would not be
 * Strapi's. Created only when absent; a Strapi database's own tables are used as they are.
 */
export const TOKENS_TABLE = 'strapi_api_tokens'
export const PERMISSIONS_TABLE = 'strapi_api_token_permissions'
export const TOKEN_LINK_TABLE = 'strapi_api_token_permissions_token_lnk'

export const AUDIT = '"created_at" timestamp(6), "updated_at" timestamp(6), "published_at" timestamp(6), "created_by_id" integer, "updated_by_id" integer, "locale" varchar(255)'

/** Tables with the statements that create one (table, indexes), in dependency order. */
export type TableDdl = ReadonlyArray<readonly [table: string, statements: readonly string[]]>

const DDL: TableDdl = [
  [TOKENS_TABLE, [
    `CREATE TABLE IF NOT EXISTS "${TOKENS_TABLE}" ("id" serial PRIMARY KEY, "document_id" varchar(255), "name" varchar(255), "description" varchar(255), ` +
      '"kind" varchar(255), "type" varchar(255), "access_key" varchar(255), "encrypted_key" text, "last_used_at" timestamp(6), "expires_at" timestamp(6), ' +
      `"lifespan" bigint, ${AUDIT})`,
    `CREATE INDEX IF NOT EXISTS "${TOKENS_TABLE}_documents_idx" ON "${TOKENS_TABLE}" ("document_id", "locale", "published_at")`
  ]],
  [PERMISSIONS_TABLE, [
    `CREATE TABLE IF NOT EXISTS "${PERMISSIONS_TABLE}" ("id" serial PRIMARY KEY, "document_id" varchar(255), "action" varchar(255), ${AUDIT})`,
    `CREATE INDEX IF NOT EXISTS "${PERMISSIONS_TABLE}_documents_idx" ON "${PERMISSIONS_TABLE}" ("document_id", "locale", "published_at")`
  ]],
  [TOKEN_LINK_TABLE, [
    `CREATE TABLE IF NOT EXISTS "${TOKEN_LINK_TABLE}" ("id" serial PRIMARY KEY, ` +
      `"api_token_permission_id" integer REFERENCES "${PERMISSIONS_TABLE}" ("id") ON DELETE CASCADE, ` +
      `"api_token_id" integer REFERENCES "${TOKENS_TABLE}" ("id") ON DELETE CASCADE, "api_token_permission_ord" double precision, ` +
      `CONSTRAINT "${TOKEN_LINK_TABLE}_uq" UNIQUE ("api_token_permission_id", "api_token_id"))`,
    `CREATE INDEX IF NOT EXISTS "${TOKEN_LINK_TABLE}_fk" ON "${TOKEN_LINK_TABLE}" ("api_token_permission_id")`,
    `CREATE INDEX IF NOT EXISTS "${TOKEN_LINK_TABLE}_ifk" ON "${TOKEN_LINK_TABLE}" ("api_token_id")`,
    `CREATE INDEX IF NOT EXISTS "${TOKEN_LINK_TABLE}_oifk" ON "${TOKEN_LINK_TABLE}" ("api_token_permission_ord")`
  ]]
]

async function missingTables (executor: Executor, ddl: TableDdl): Promise<string[]> {
  const [row] = await executeOn<{ missing: string[] | null }>(executor, sql`
    select coalesce(json_agg(name), '[]'::json) as "missing"
    from unnest(${`{${ddl.map(([table]) => table).join(',')}}`}::text[]) as name where to_regclass(name) is null`)
  return row?.missing ?? []
}

/**
 * Creates the tables of `ddl` that are missing, under schema sync's advisory lock (instances booting together
 * queue up), then runs `seed` in the same transaction when given (it must itself insert only what is absent).
 * Without a seed: one read and nothing else when they all exist.
 */
export async function ensureTables (database: Database, log: Logger, ddl: TableDdl, seed?: (tx: Executor) => Promise<void>): Promise<void> {
  if (seed === undefined && (await missingTables(database.drizzle, ddl)).length === 0) return
  await database.drizzle.transaction(async tx => {
    await tx.execute(sql.raw(`select pg_advisory_xact_lock(${SCHEMA_LOCK_KEY})`))
    const missing = new Set(await missingTables(tx, ddl))
    for (const [table, statements] of ddl) {
      if (!missing.has(table)) continue
      for (const statement of statements) await tx.execute(sql.raw(statement))
      log.info(`created table ${table}`)
    }
    await seed?.(tx)
  })
}

/** Creates the API-token tables that are missing. */
export async function ensureTokenTables (database: Database, log: Logger): Promise<void> {
  await ensureTables(database, log, DDL)
}
