/**
 * Instances booting together against one PostgreSQL database: the advisory lock makes them queue, the first
 * applies the DDL, the others find the new hash. Needs real concurrent connections, so PostgreSQL only
 * (PGlite is single-connection): DATABASE_URL, or the machine's local server. If neither answers, this fails.
 */
import t, { type Test } from 'tap'
import { sql } from 'drizzle-orm'
import { buildPhysicalModel, createDatabase, syncSchema, type Database, type SyncReport } from '../../lib/db/index.js'
import { silentLogger } from '../../lib/logger.js'
import { createPostgresDatabase } from '../helpers/db.js'
import { blogSchema } from './fixtures.js'
import { contentType, makeSchema, scalar, tableNames } from './helpers.js'

async function instances (t: Test, url: string, count: number): Promise<Database[]> {
  const list: Database[] = []
  for (let i = 0; i < count; i++) {
    // Separate pools: separate sessions, as separate processes would have.
    const database = await createDatabase({ url, max: 2 }, silentLogger)
    t.teardown(() => database.close())
    list.push(database)
  }
  return list
}

t.test('concurrent first boots: all succeed, the schema is created once', async t => {
  const { url } = await createPostgresDatabase(t)
  const databases = await instances(t, url, 4)
  const physical = buildPhysicalModel(blogSchema())
  const locks: number[] = databases.map(() => 0)
  databases.forEach((database, i) => database.onQuery(text => { if (text.includes('pg_advisory_xact_lock')) locks[i]!++ }))

  const reports: SyncReport[] = await Promise.all(databases.map(database => syncSchema(database, physical, { log: silentLogger })))

  const appliers = reports.filter(r => !r.skipped)
  t.equal(appliers.length, 1, 'one instance applied the DDL')
  t.ok(appliers[0]!.applied.length > 50)
  t.same(reports.filter(r => r.skipped).map(r => r.applied), [[], [], []], 'the others applied nothing')
  t.ok(locks.every(n => n >= 1), 'every instance took the lock')
  t.equal((await tableNames(databases[0]!.drizzle)).length, physical.tables.filter(table => table.external !== true).length)
  const [row] = await databases[0]!.execute<{ rows: number }>(sql`select count(*)::int as "rows" from vellum_schema`)
  t.equal(row?.rows, 1)
})

t.test('concurrent boots after a model change: the change is applied once', async t => {
  const { url } = await createPostgresDatabase(t)
  const databases = await instances(t, url, 3)
  await syncSchema(databases[0]!, buildPhysicalModel(makeSchema(contentType('post', 'posts', [scalar('title', 'string')]))), { log: silentLogger })

  const changed = buildPhysicalModel(makeSchema(contentType('post', 'posts', [scalar('title', 'text'), scalar('body', 'richtext')])))
  const reports = await Promise.all(databases.map(database => syncSchema(database, changed, { log: silentLogger })))
  const applied = reports.flatMap(r => r.applied)
  t.same(applied.sort(), [
    'ALTER TABLE "posts" ADD COLUMN IF NOT EXISTS "body" text',
    'ALTER TABLE "posts" ALTER COLUMN "title" TYPE text USING "title"::text'
  ])
  t.equal(reports.filter(r => r.skipped).length, 2)
})
