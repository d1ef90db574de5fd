import { randomBytes } from 'node:crypto'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import postgres from 'postgres'

/** Where things are, and throwaway databases for a run. */

const here = dirname(fileURLToPath(import.meta.url))

/** The repository root. */
export const ROOT = resolve(here, '..')

/**
 * The reference model: a copy, kept in the repository, of the Strapi peer's model (the same content types the
 * Strapi numbers were measured on), so the benchmarks need nothing outside the clone.
 */
export const MODEL_DIR = resolve(process.env.BENCH_MODEL_DIR ?? resolve(ROOT, 'test/fixtures/reference-model'))

/** The Strapi peer folder beside the clone (its published results; optional: the table leaves Strapi out without it). */
export const PEER_DIR = resolve(process.env.BENCH_PEER_DIR ?? resolve(ROOT, '../shared/peers/strapi'))

/** The server to create the run's database on: `BENCH_ADMIN_URL`, else `DATABASE_URL`, else the local server. */
export function adminUrl (): string {
  return process.env.BENCH_ADMIN_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
}

export interface ThrowawayDatabase { name: string, url: string }

function withDatabase (url: string, name: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${name}`
  return parsed.toString()
}

/** Creates `vellum_bench_<label>_<pid>_<rand>` on the admin URL's server. */
export async function createDatabase (admin: string, label: string): Promise<ThrowawayDatabase> {
  const name = `vellum_bench_${label}_${process.pid}_${randomBytes(3).toString('hex')}`
  const sql = postgres(admin, { max: 1, onnotice: () => {} })
  try {
    await sql.unsafe(`CREATE DATABASE "${name}"`)
  } finally {
    await sql.end({ timeout: 5 })
  }
  return { name, url: withDatabase(admin, name) }
}

export async function dropDatabase (admin: string, name: string): Promise<void> {
  const sql = postgres(admin, { max: 1, onnotice: () => {} })
  try {
    await sql.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
  } finally {
    await sql.end({ timeout: 5 })
  }
}
