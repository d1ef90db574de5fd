/**
 * A fresh, real database per test: PostgreSQL when DATABASE_URL is set (a new database created from it and
 * dropped afterwards), embedded PGlite otherwise (loaded from vellum's template cluster, built once per machine
 * and PGlite version, because initializing a new PGlite cluster costs seconds).
 */
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { PGlite } from '@electric-sql/pglite'
import postgres from 'postgres'
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

/** A new PGlite instance (not owned by vellum: the test closes it). */
export async function createPGlite (t: Teardown): Promise<PGlite> {
  templateBytes ??= readTemplate()
  const template = await templateBytes
  const client = await PGlite.create({ startParams: TEST_START_PARAMS, ...(template !== undefined && { loadDataDir: templateBlob(template) }) })
  t.teardown(() => client.close())
  return client
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
