import { join } from 'node:path'
import t, { type Test } from 'tap'
import { sql } from 'drizzle-orm'
import postgres from 'postgres'
import {
  createDatabase, DatabaseConnectionError, pgErrorOf, redactUrl, type Database
} from '../../lib/db/index.js'
import { silentLogger, type Logger } from '../../lib/logger.js'
import { createPGlite, createPostgresDatabase } from '../helpers/db.js'

// This file checks both drivers side by side, so it needs a PostgreSQL server even without DATABASE_URL:
// the machine's local one. If it does not answer, the tests fail (never skip).

function recordingLogger (): { logger: Logger, lines: Array<{ level: string, obj: unknown, msg: unknown }> } {
  const lines: Array<{ level: string, obj: unknown, msg: unknown }> = []
  const at = (level: string) => (obj: unknown, msg?: unknown) => { lines.push({ level, obj, msg }) }
  const logger: Logger = { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger }
  return { logger, lines }
}

// One database of each kind for the file (a PGlite costs over a second to load).
const pglite = await createPGlite(t)
const { url: postgresUrl } = await createPostgresDatabase(t)

/** The same checks on a PGlite and on a PostgreSQL database. */
async function bothDrivers (t: Test, fn: (t: Test, database: Database) => Promise<void>): Promise<void> {
  await t.test('pglite', async t => {
    const database = await createDatabase({ client: pglite }, silentLogger)
    await fn(t, database)
  })
  await t.test('postgres', async t => {
    const database = await createDatabase({ url: postgresUrl, max: 2 }, silentLogger)
    t.teardown(() => database.close())
    await fn(t, database)
  })
}

t.test('execute returns an array of rows on both drivers', t => bothDrivers(t, async (t, database) => {
  const rows = await database.execute<{ n: number, s: string }>(sql`select 1::int as n, 'x' as s union all select 2, 'y'`)
  t.ok(Array.isArray(rows))
  t.same(rows, [{ n: 1, s: 'x' }, { n: 2, s: 'y' }])
  t.same(await database.execute(sql`select 1 where false`), [])
  t.equal(database.dialect, t.name === 'pglite' ? 'pglite' : 'postgres')
}))

t.test('pgErrorOf digs the PostgreSQL error out of either driver', t => bothDrivers(t, async (t, database) => {
  await database.execute(sql`create table things (id int primary key, name text not null)`)
  await database.execute(sql`insert into things values (1, 'a')`)
  const duplicate = await database.execute(sql`insert into things values (1, 'b')`).catch((err: unknown) => err)
  t.match(pgErrorOf(duplicate), { code: '23505', constraint: 'things_pkey', table: 'things', detail: 'Key (id)=(1) already exists.' })
  const missing = await database.execute(sql`insert into things (id) values (2)`).catch((err: unknown) => err)
  t.match(pgErrorOf(missing), { code: '23502', column: 'name', table: 'things' })
  const syntax = await database.execute(sql`selec 1`).catch((err: unknown) => err)
  t.match(pgErrorOf(syntax), { code: '42601' })
  t.equal(pgErrorOf(new Error('plain')), undefined)
  t.equal(pgErrorOf(undefined), undefined)
}))

t.test('onQuery sees each statement; the Drizzle logger writes to our logger at trace, params only on request', async t => {
  const client = pglite
  const { logger, lines } = recordingLogger()
  const database = await createDatabase({ client }, logger)
  const seen: Array<[string, unknown[]]> = []
  const off = database.onQuery((text, params) => { seen.push([text, params]) })
  await database.execute(sql`select ${42}::int as answer`)
  off()
  await database.execute(sql`select 2`)
  t.same(seen, [['select $1::int as answer', [42]]])
  const traces = lines.filter(l => l.level === 'trace')
  t.same(traces.map(l => l.obj), [{ sql: 'select $1::int as answer' }, { sql: 'select 2' }])

  const withParams = recordingLogger()
  const verbose = await createDatabase({ client, logParams: true }, withParams.logger)
  await verbose.execute(sql`select ${'secret'}::text`)
  t.same(withParams.lines.filter(l => l.level === 'trace').map(l => l.obj), [{ sql: 'select $1::text', params: ['secret'] }])
})

t.test('close() ends an owned postgres.js pool', async t => {
  const database = await createDatabase({ url: postgresUrl }, silentLogger)
  t.equal(database.owned, true)
  await database.close()
  await database.close() // twice is fine
  const error = await database.execute(sql`select 1`).catch((err: unknown) => err) as Error
  t.match((error.cause as { code?: string }).code, /^CONNECTION_(ENDED|CLOSED|DESTROYED)$/)
})

t.test("close() leaves a host's postgres.js client usable", async t => {
  const client = postgres(postgresUrl, { max: 1, onnotice: () => {} })
  t.teardown(() => client.end({ timeout: 5 }))
  const database = await createDatabase({ client }, silentLogger)
  t.equal(database.owned, false)
  t.equal(database.dialect, 'postgres')
  await database.execute(sql`select 1`)
  await database.close()
  t.same([...await client`select 1 as one`], [{ one: 1 }])
})

t.test("close() leaves a host's PGlite usable", async t => {
  const client = pglite
  const database = await createDatabase({ client }, silentLogger)
  t.equal(database.owned, false)
  t.equal(database.dialect, 'pglite')
  await database.close()
  t.same((await client.query('select 1 as one')).rows, [{ one: 1 }])
})

t.test('an unreachable server gives a clear error naming the database, without the password', async t => {
  const error = await createDatabase({ url: 'postgres://postgres:s3cret@127.0.0.1:1/x' }, silentLogger).catch((err: unknown) => err)
  t.ok(error instanceof DatabaseConnectionError)
  const message = (error as Error).message
  t.match(message, 'Could not connect to PostgreSQL at postgres://postgres:***@127.0.0.1:1/x')
  t.match(message, /ECONNREFUSED/)
  t.notMatch(message, /s3cret/)
  t.notMatch(JSON.stringify((error as DatabaseConnectionError).details), /s3cret/)

  // A host client pointing nowhere fails at boot too, not on the first request.
  const client = postgres('postgres://postgres@127.0.0.1:1/y', { max: 1 })
  t.teardown(() => client.end({ timeout: 0 }))
  await t.rejects(createDatabase({ client }, silentLogger), { name: 'DatabaseConnectionError', message: /postgres:\/\/postgres@127\.0\.0\.1:1\/y/ })
})

t.test('a URL postgres.js cannot parse is a DatabaseConnectionError naming it, without the password', async t => {
  await t.rejects(createDatabase({ url: 'x' }, silentLogger), { name: 'DatabaseConnectionError', message: /^Invalid PostgreSQL URL x: / })
  const error = await createDatabase({ url: 'postgres://u:s3cret@db:notaport/x' }, silentLogger).catch((err: unknown) => err)
  t.ok(error instanceof DatabaseConnectionError)
  t.match((error as Error).message, /^Invalid PostgreSQL URL postgres:\/\/u:\*\*\*@db:notaport\/x: /)
  t.notMatch((error as Error).message, /s3cret/)
})

t.test('a PGlite directory that cannot be created gives a clear error', async t => {
  const dir = t.testdir({ 'a-file': 'not a directory' })
  const where = join(dir, 'a-file', 'db')
  await t.rejects(createDatabase({ pglite: where }, silentLogger), {
    name: 'DatabaseConnectionError',
    message: `Could not open the PGlite database at ${where}: ENOTDIR`
  })
})

t.test('redactUrl hides passwords', async t => {
  t.equal(redactUrl('postgres://u:p@h:5432/d'), 'postgres://u:***@h:5432/d')
  t.equal(redactUrl('postgres://u@h/d?sslmode=require&password=x'), 'postgres://u@h/d?sslmode=require&password=***')
  t.equal(redactUrl('postgres://h/d'), 'postgres://h/d')
})

t.test('statements of an aborted scope never take a pool connection for good (postgres.js)', async t => {
  const database = await createDatabase({ url: postgresUrl, max: 2 }, silentLogger)
  t.teardown(() => database.close())
  const gone = new AbortController()
  gone.abort()
  // Statements of a scope already aborted are refused before they start.
  const late = Array.from({ length: 6 }, async () => await database.cancellable(gone.signal, () => database.execute(sql`select pg_sleep(0.01)`)))
  for (const refused of await Promise.allSettled(late)) t.match(refused, { status: 'rejected', reason: { code: 'VELLUM_ERR_STATEMENT_CANCELLED' } })
  // More statements than the pool has connections, queued and aborted at once.
  const queued = new AbortController()
  const waiting = Array.from({ length: 6 }, () => database.cancellable(queued.signal, () => database.execute(sql`select pg_sleep(0.05)`)))
  queued.abort()
  await Promise.allSettled(waiting)
  const answered = await Promise.race([
    database.execute<{ n: number }>(sql`select 1::int as n`).then(rows => rows[0]?.n),
    new Promise(resolve => setTimeout(() => resolve('no connection left'), 3000))
  ])
  t.equal(answered, 1, 'the pool still answers')
})
