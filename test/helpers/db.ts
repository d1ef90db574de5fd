/**
 * A fresh, real database per test: PostgreSQL when DATABASE_URL is set (a new database created from it and
 * dropped afterwards), embedded PGlite otherwise (loaded from vellum's template cluster, built once per machine
 * and PGlite version, because initializing a new PGlite cluster costs seconds).
 */
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { PGlite } from '@electric-sql/pglite'
import postgres from 'postgres'
import tap from 'tap'
import { templateBlob, pgliteTemplate as vellumPgliteTemplate } from '../../lib/db/pglite-template.js'
import { silentLogger } from '../../lib/logger.js'

/** What test helpers need of a tap test: somewhere to register their cleanup. */
export interface Teardown { teardown: (fn: () => unknown) => void }

export type TestDatabase =
  | { kind: 'postgres', url: string, name: string }
  | { kind: 'pglite', client: PGlite }

export const usingPostgres = (): boolean => Boolean(process.env.DATABASE_URL)

/** The library's own PGlite template (lib/db/pglite-template.ts), so that the suite runs on what users get. */
async function readTemplate (): Promise<Uint8Array | undefined> {
  const template = await vellumPgliteTemplate(silentLogger)
  return template === null ? undefined : await readFile(template.tarball)
}

/** Read once per test process: a file makes many databases. */
let templateBytes: Promise<Uint8Array | undefined> | undefined

/**
 * Test clusters start with 16 MB of shared buffers, not PostgreSQL's 128 MB: zeroing them in WASM was a third of
 * a new instance's cost, and a test's data fits many times over.
 */
const TEST_START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB']

/** Transaction control, which the drivers log differently (PGlite's savepoints are statements, postgres.js's not). */
export function isTransactionControl (text: string): boolean {
  return /^(begin|commit|rollback|savepoint|release savepoint)\b/i.test(text)
}

/**
 * Instances whose test has ended, kept open for the next test of the process. Emptying one (below) costs a few
 * milliseconds where loading a new cluster costs ~0.5 s of CPU, and a file makes many databases.
 */
const released: PGlite[] = []

// Closed when the file's tests are done: an idle instance's PostgreSQL timers (statistics flush) would keep the
// process alive for seconds.
tap.teardown(async () => {
  for (const client of released.splice(0)) await client.close()
})

/**
 * Empties an instance a finished test gave back, as a new cluster would be: no tables, no session state (prepared
 * statements, settings, advisory locks, LISTEN). Done when the instance is taken again, not when it is given back:
 * by then every teardown of the test that used it (closing its apps) has run. False when it cannot be reused.
 */
async function emptied (client: PGlite): Promise<boolean> {
  if (client.closed) return false
  try {
    if (client.isInTransaction()) await client.query('ROLLBACK')
    for (const statement of ['DROP SCHEMA public CASCADE', 'CREATE SCHEMA public', 'DISCARD ALL']) await client.query(statement)
    return true
  } catch {
    await client.close().catch(() => {})
    return false
  }
}

/**
 * An empty PGlite database (not owned by vellum: the test gives it back on teardown). The instance may have served
 * an earlier test of this process, emptied since; a test that closes it only keeps it from being reused.
 */
export async function createPGlite (t: Teardown): Promise<PGlite> {
  let client: PGlite | undefined
  while (client === undefined && released.length > 0) {
    const candidate = released.pop() as PGlite
    if (await emptied(candidate)) client = candidate
  }
  if (client === undefined) {
    templateBytes ??= readTemplate()
    const template = await templateBytes
    client = await PGlite.create({ startParams: TEST_START_PARAMS, ...(template !== undefined && { loadDataDir: templateBlob(template) }) })
  }
  const taken = client
  t.teardown(() => { if (!taken.closed) released.push(taken) })
  return taken
}

/** The machine's PostgreSQL (127.0.0.1:5432, trust auth), for tests that need a real server whatever the run. */
export const MACHINE_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres'

/**
 * A new empty PostgreSQL database, dropped on teardown: on the server DATABASE_URL points at, else on the
 * machine's (tests of what only a real server can show, such as concurrent boots, run in every run).
 */
export async function createPostgresDatabase (t: Teardown): Promise<{ url: string, name: string }> {
  const adminUrl = usingPostgres() ? process.env.DATABASE_URL as string : MACHINE_POSTGRES_URL
  const name = `vellum_t_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`CREATE DATABASE "${name}"`)
  t.teardown(async () => {
    await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    await admin.end({ timeout: 5 })
  })
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return { url: url.toString(), name }
}

/** The database a test runs on, following DATABASE_URL. */
export async function createTestDatabase (t: Teardown): Promise<TestDatabase> {
  if (usingPostgres()) return { kind: 'postgres', ...(await createPostgresDatabase(t)) }
  return { kind: 'pglite', client: await createPGlite(t) }
}

/** Plugin `database` option for a test database. */
export function databaseOption (db: TestDatabase): { url: string } | { client: PGlite } {
  return db.kind === 'postgres' ? { url: db.url } : { client: db.client }
}

/** Runs a script of several statements (DDL and rows as another program wrote them) on a test database. */
export async function runSql (db: TestDatabase, text: string): Promise<void> {
  if (db.kind === 'pglite') {
    await db.client.exec(text)
    return
  }
  const client = postgres(db.url, { max: 1, onnotice: () => {} })
  try {
    await client.unsafe(text)
  } finally {
    await client.end({ timeout: 5 })
  }
}
