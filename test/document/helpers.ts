/** A Document Service on a real database (PGlite, or PostgreSQL when DATABASE_URL is set), one per test file. */
import { sql } from 'drizzle-orm'
import { type ComponentDefinition, type ContentTypeDefinition, type Schema } from '../../lib/content-types/index.js'
import { loadSchema } from '../../lib/project/index.js'
import { buildPhysicalModel, createDatabase, type Database, type PhysicalModel, syncSchema } from '../../lib/db/index.js'
import { createDocumentService, type Documents } from '../../lib/document/index.js'
import { silentLogger } from '../../lib/logger.js'
import { createQueryEngine, type LifecycleEvent, type QueryEngine } from '../../lib/query/index.js'
import { createPostgresDatabase, createTestDatabase, databaseOption, type Teardown } from '../helpers/db.js'

import { BLOG } from '../helpers/blog-model.js'
export { ARTICLE, AUTHOR, BLOG, CATEGORY, HOMEPAGE, PROFILE, TAG } from '../helpers/blog-model.js'

export interface Setup {
  documents: Documents
  db: QueryEngine
  schema: Schema
  database: Database
  physical: PhysicalModel
  /** Empties every table (ids restart), removes lifecycle subscribers. */
  reset: () => Promise<void>
  /** Rows of a table, by id. */
  rows: (table: string) => Promise<Array<Record<string, unknown>>>
}

export interface SetupOptions {
  dir?: string | URL
  contentTypes?: ContentTypeDefinition[]
  components?: ComponentDefinition[]
  locales?: string[]
  defaultLocale?: string
  /** The machine's PostgreSQL whatever the run: for races, which PGlite (one connection) cannot have. */
  postgres?: boolean
}

export async function setup (t: Teardown, options: SetupOptions = {}): Promise<Setup> {
  const dir = options.dir ?? (options.contentTypes === undefined ? BLOG : undefined)
  const schema = await loadSchema({
    ...(dir !== undefined && { dir }),
    contentTypes: options.contentTypes ?? [],
    components: options.components ?? []
  })
  const physical = buildPhysicalModel(schema)
  const option = options.postgres === true ? { url: (await createPostgresDatabase(t)).url } : databaseOption(await createTestDatabase(t))
  const database = await createDatabase(option, silentLogger)
  t.teardown(() => database.close())
  await syncSchema(database, physical, { log: silentLogger })
  const db = createQueryEngine({ database, schema, physical, log: silentLogger })
  await db.ready()
  const locales = options.locales ?? ['en', 'fr', 'de']
  const documents = createDocumentService({ db, schema, i18n: { locales, defaultLocale: options.defaultLocale ?? locales[0] ?? 'en' }, log: silentLogger })
  // lib/auth's tables (external to sync) are not created without the plugin.
  const tables = physical.tables.filter(table => table.external !== true).map(table => sql.identifier(table.name))
  return {
    documents,
    db,
    schema,
    database,
    physical,
    async reset () {
      db.lifecycles.clear()
      await database.execute(sql`TRUNCATE ${sql.join(tables, sql`, `)} RESTART IDENTITY CASCADE`)
    },
    async rows (table) {
      return await database.execute(sql`SELECT * FROM ${sql.identifier(table)} ORDER BY id`)
    }
  }
}

/** Records Query Engine lifecycle events as `<Action>:<uid short name>` (after hooks only, one per call). */
export function recordEvents (db: QueryEngine, filter: (event: LifecycleEvent) => boolean = () => true): { events: string[], stop: () => void } {
  const events: string[] = []
  const stop = db.lifecycles.subscribe((event) => {
    if (!event.action.startsWith('after') || !filter(event)) return
    const name = event.uid.replace(/^api::[^.]+\./, '')
    events.push(`${event.action.slice(5)}:${name}`)
  })
  return { events, stop }
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection (promise: Promise<unknown>): Promise<Error & { details?: Record<string, unknown> }> {
  try {
    await promise
  } catch (err) {
    return err as Error & { details?: Record<string, unknown> }
  }
  throw new Error('expected a rejection')
}
