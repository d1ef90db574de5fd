/**
 * The Strapi 5 project fixture (test/fixtures/strapi-project, see generate.md there): a private copy of it, a
 * database restored from the dump real Strapi 5.54 left (strapi-db.sql) and Strapi's recorded answers
 * (strapi-answers.json). PostgreSQL when DATABASE_URL is set (a new database per test), else PGlite in the
 * copy's `.vellum/data`, where the standalone server finds its embedded database.
 */
import type { Test } from 'tap'
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import postgres from 'postgres'
import type { FastifyInstance } from 'fastify'
import { copyTemplate, pgliteTemplate } from '../../lib/db/pglite-template.js'
import { silentLogger } from '../../lib/logger.js'
import { buildServer, loadServerConfig } from '../../lib/server.js'
import { createPostgresDatabase, usingPostgres } from '../helpers/db.js'
import { fixture } from '../helpers/paths.js'
import '../helpers/typescript.js'

export const FIXTURE = fixture('strapi-project') + '/'

/** What generate.mjs recorded: GET requests with Strapi's answers, a replayed write sequence and the rows it left. */
export interface Recorded {
  strapi: string
  users: Array<{ username: string, email: string, password: string }>
  reads: Array<{ url: string, as?: string, status: number, body: unknown }>
  writes: Array<{ method: string, url: string, as?: string, body?: unknown, status: number, response: unknown }>
  shapes: Record<string, { sql: string, rows: unknown[] }>
}

export const recorded = JSON.parse(await readFile(join(FIXTURE, 'strapi-answers.json'), 'utf8')) as Recorded

/** The fixture's own files, as a project folder holds them (the recordings and the generator are not the project). */
const NOT_PROJECT = new Set(['strapi-db.sql', 'strapi-answers.json', 'generate.mjs', 'generate.md'])

export async function copyProject (t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vellum-strapi-project-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await cp(FIXTURE, dir, { recursive: true, filter: (source) => !NOT_PROJECT.has(source.slice(FIXTURE.length)) })
  return dir
}

/**
 * strapi-db.sql as a script a driver runs: pg_dump's psql meta-commands (`\restrict`, `\unrestrict`, which only
 * psql understands) left out; every statement as pg_dump wrote it.
 */
export async function strapiSql (): Promise<string> {
  const text = await readFile(join(FIXTURE, 'strapi-db.sql'), 'utf8')
  return text.split('\n').filter((line) => !line.startsWith('\\')).join('\n')
}

/** Runs SQL on the fixture's database outside vellum (before vellum boots, or beside it). */
export type Query = (text: string, params?: unknown[]) => Promise<Array<Record<string, unknown>>>

export interface Restored {
  /** The project copy. */
  dir: string
  /** The environment the standalone server gets (its database). */
  env: NodeJS.ProcessEnv
  /** Catalog and row queries on the database before vellum opens it (PGlite: closed by `release`). */
  query: Query
  /** Lets vellum have the database (PGlite has one owner). */
  release: () => Promise<void>
}

/** A project copy whose database holds what Strapi left: restored from strapi-db.sql. */
export async function restoredProject (t: Test): Promise<Restored> {
  const dir = await copyProject(t)
  const script = await strapiSql()
  if (usingPostgres()) {
    const { url } = await createPostgresDatabase(t)
    const client = postgres(url, { max: 1, onnotice: () => {} })
    await client.unsafe(script)
    // pg_dump empties the search path for its own session: a fresh session for the queries.
    await client.end({ timeout: 5 })
    const reader = postgres(url, { max: 1, onnotice: () => {} })
    t.teardown(() => reader.end({ timeout: 5 }))
    return {
      dir,
      env: { DATABASE_URL: url, LOG_LEVEL: 'silent' },
      query: async (text, params = []) => [...await reader.unsafe(text, params as never[])],
      release: async () => {}
    }
  }
  const dataDir = join(dir, '.vellum', 'data')
  await mkdir(join(dir, '.vellum'), { recursive: true })
  const template = await pgliteTemplate(silentLogger)
  if (template !== null) await copyTemplate(template, dataDir)
  const client = await PGlite.create({ dataDir })
  await client.exec(script)
  await client.exec('RESET ALL')
  let open = true
  const release = async (): Promise<void> => {
    if (open) await client.close()
    open = false
  }
  t.teardown(release)
  return {
    dir,
    // The project's config/database says postgres (from its .env): the environment switches it to Strapi's
    // default client, which vellum serves from the embedded database in .vellum/data.
    env: { DATABASE_URL: '', DATABASE_CLIENT: 'sqlite', LOG_LEVEL: 'silent' },
    query: async (text, params = []) => (await client.query<Record<string, unknown>>(text, params)).rows,
    release
  }
}

/** The standalone server on the project, as `vellum start --dir` builds it (no listen). */
export async function serve (t: Test, dir: string, env: NodeJS.ProcessEnv): Promise<FastifyInstance> {
  const app = await buildServer(await loadServerConfig(dir, env))
  t.teardown(() => app.close())
  await app.ready()
  return app
}

/** The catalog of the public schema: tables with their columns, indexes, constraints, in a comparable form. */
export async function catalog (query: Query): Promise<Record<string, string>> {
  const entries: Array<[string, string]> = []
  for (const row of await query(`select table_name, column_name, data_type, is_nullable, column_default, character_maximum_length
      from information_schema.columns where table_schema = 'public'`)) {
    entries.push([`column ${String(row.table_name)}.${String(row.column_name)}`,
      `${String(row.data_type)}(${String(row.character_maximum_length)}) null=${String(row.is_nullable)} default=${String(row.column_default)}`])
  }
  for (const row of await query("select indexname, indexdef from pg_indexes where schemaname = 'public'")) {
    entries.push([`index ${String(row.indexname)}`, String(row.indexdef)])
  }
  for (const row of await query(`select conname, conrelid::regclass::text as tbl, pg_get_constraintdef(oid) as def
      from pg_constraint where connamespace = 'public'::regnamespace`)) {
    entries.push([`constraint ${String(row.tbl)}.${String(row.conname)}`, String(row.def)])
  }
  return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)))
}
