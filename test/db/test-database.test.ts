/**
 * The suite's PGlite databases (test/helpers/db.ts) are instances reused across the tests of a process: what one
 * test leaves behind must not be seen by the next.
 */
import t from 'tap'
import type { PGlite } from '@electric-sql/pglite'
import { createPGlite } from '../helpers/db.js'

let first: PGlite | undefined

t.test('a test leaves tables, rows, a setting, a prepared statement and an open transaction', async (t) => {
  first = await createPGlite(t)
  await first.exec("CREATE TABLE leftover (id serial PRIMARY KEY, name text); INSERT INTO leftover (name) VALUES ('x')")
  await first.query("SET application_name = 'leftover'")
  await first.query('PREPARE leftover_statement AS SELECT 1')
  await first.query('BEGIN')
  await first.query("INSERT INTO leftover (name) VALUES ('uncommitted')")
  t.ok(first.isInTransaction())
})

t.test('the next test gets the same instance, as empty as a new one', async (t) => {
  const next = await createPGlite(t)
  t.equal(next, first, 'reused, not a new cluster')
  t.notOk(next.isInTransaction())
  t.same((await next.query("SELECT count(*)::int AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace")).rows, [{ n: 0 }])
  t.same((await next.query('SELECT current_setting(\'application_name\') AS name')).rows, [{ name: '' }])
  t.same((await next.query('SELECT count(*)::int AS n FROM pg_prepared_statements')).rows, [{ n: 0 }])
})

t.test('an instance a test closed is not handed out again', async (t) => {
  await t.test('closes it', async (t) => {
    const client = await createPGlite(t)
    await client.close()
  })
  const next = await createPGlite(t)
  t.notOk(next.closed)
  t.same((await next.query('SELECT 1 AS one')).rows, [{ one: 1 }])
})
