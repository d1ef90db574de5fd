/** A Query Engine on a real database (PGlite, or PostgreSQL when DATABASE_URL is set), one per test file. */
import { sql } from 'drizzle-orm'
import { type ComponentDefinition, type ContentTypeDefinition } from '../../lib/content-types/index.js'
import { loadSchema } from '../../lib/project/index.js'
import { buildPhysicalModel, createDatabase, type Database, type PhysicalModel, syncSchema } from '../../lib/db/index.js'
import { type Logger, silentLogger } from '../../lib/logger.js'
import { createQueryEngine, type QueryEngine } from '../../lib/query/index.js'
import { createTestDatabase, databaseOption, type Teardown } from '../helpers/db.js'
import { components, contentTypes } from './fixtures.js'

export interface Setup {
  engine: QueryEngine
  database: Database
  physical: PhysicalModel
  /** Empties every table (ids restart) and removes subscribers: a clean slate between subtests. */
  reset: () => Promise<void>
  /** Counts statements sent while `fn` runs. */
  countQueries: <T>(fn: () => Promise<T>) => Promise<{ result: T, queries: string[] }>
}

export interface SetupOptions {
  dir?: string | URL
  contentTypes?: ContentTypeDefinition[]
  components?: ComponentDefinition[]
  log?: Logger
}

export async function setup (t: Teardown, options: SetupOptions = {}): Promise<Setup> {
  const log = options.log ?? silentLogger
  const schema = await loadSchema({
    ...(options.dir !== undefined && { dir: options.dir }),
    contentTypes: options.contentTypes ?? (options.dir === undefined ? contentTypes : []),
    components: options.components ?? (options.dir === undefined ? components : [])
  })
  const physical = buildPhysicalModel(schema)
  const database = await createDatabase(databaseOption(await createTestDatabase(t)), silentLogger)
  t.teardown(() => database.close())
  await syncSchema(database, physical, { log: silentLogger })
  const engine = createQueryEngine({ database, schema, physical, log })
  await engine.ready()
  // lib/auth's tables (external to sync) are not created without the plugin.
  const tables = physical.tables.filter(table => table.external !== true).map(table => sql.identifier(table.name))
  return {
    engine,
    database,
    physical,
    async reset () {
      engine.lifecycles.clear()
      await database.execute(sql`TRUNCATE ${sql.join(tables, sql`, `)} RESTART IDENTITY CASCADE`)
    },
    async countQueries (fn) {
      const queries: string[] = []
      const off = database.onQuery(query => { queries.push(query) })
      try {
        return { result: await fn(), queries }
      } finally {
        off()
      }
    }
  }
}

export { recordingLogger } from '../helpers/logger.js'
