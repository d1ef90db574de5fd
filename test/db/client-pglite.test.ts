/**
 * PGlite instances vellum creates itself. Slow on purpose (a new cluster is initialized: seconds), hence its
 * own file so it runs beside the others.
 */
import { join } from 'node:path'
import t from 'tap'
import { sql } from 'drizzle-orm'
import { createDatabase } from '../../lib/db/index.js'
import { silentLogger } from '../../lib/logger.js'

t.test('{ pglite: dir } creates the directory, owns the instance, closes it, and the data is there on reopening', async t => {
  const dir = join(t.testdir(), 'not', 'yet', 'there')
  const database = await createDatabase({ pglite: dir }, silentLogger)
  t.teardown(() => database.close())
  t.equal(database.owned, true)
  t.equal(database.dialect, 'pglite')
  await database.execute(sql`create table kept (value text)`)
  await database.execute(sql`insert into kept values ('persisted')`)
  await database.close()
  await t.rejects(database.execute(sql`select 1`), { cause: { message: /closed/i } })

  const reopened = await createDatabase({ pglite: dir }, silentLogger)
  t.teardown(() => reopened.close())
  t.same(await reopened.execute(sql`select value from kept`), [{ value: 'persisted' }])
})

t.test("{ pglite: 'memory' } is an owned in-memory database", async t => {
  const database = await createDatabase({ pglite: 'memory' }, silentLogger)
  t.teardown(() => database.close())
  t.equal(database.owned, true)
  t.same(await database.execute(sql`select 1 as one`), [{ one: 1 }])
  await database.close()
  await t.rejects(database.execute(sql`select 1`), { cause: { message: /closed/i } })
})
