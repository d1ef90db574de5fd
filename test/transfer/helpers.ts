import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../helpers/app.js'
import type { Teardown } from '../helpers/db.js'
import { fixture } from '../helpers/paths.js'

export const referenceModel = fixture('reference-model')
/** The archive real Strapi 5.54.0 exported (see its README), and what Strapi's REST answered for its data. */
export const strapiArchive = fixture('strapi-export', 'strapi-5.54.0-export.tar.gz')
export const strapiExpected = fixture('strapi-export', 'expected-entries.json')

/** The REST reads the fixture's entries were recorded with (test/fixtures/strapi-export/seed.mjs). */
export const EXPECTED_READS: Record<string, string> = {
  categories: '/api/categories?sort=name&populate=*',
  authors: '/api/authors?sort=name&populate=*',
  tags: '/api/tags?sort=name&populate=*',
  articlesPublished: '/api/articles?sort=title&populate=*&status=published&locale=en',
  articlesDraft: '/api/articles?sort=title&populate=*&status=draft&locale=en',
  articlesFr: '/api/articles?sort=title&populate=*&status=published&locale=fr',
  homepage: '/api/homepage?populate=*',
  homepageDraft: '/api/homepage?populate=*&status=draft',
  files: '/api/upload/files'
}

/** A copy of the reference model (the Strapi peer's) in a throwaway project folder: uploads land there. */
export async function referenceProject (t: Teardown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vellum-transfer-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await cp(join(referenceModel, 'src'), join(dir, 'src'), { recursive: true })
  return dir
}

export interface ReferenceApp { app: FastifyInstance, dir: string, get: (url: string) => Promise<unknown> }

/** vellum on the reference model (locales en and fr, as the Strapi peer had) on a fresh database, with a reader of its REST. */
export async function referenceApp (t: Teardown, dir?: string): Promise<ReferenceApp> {
  const project = dir ?? await referenceProject(t)
  const app = await buildApp(t, { dir: project, contentTypes: [], i18n: { locales: ['en', 'fr'] } })
  const { accessKey } = await app.vellum.auth.tokens.create({ name: 'transfer', type: 'full-access' })
  const get = async (url: string): Promise<unknown> => {
    const response = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${accessKey}` } })
    if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode} ${response.body}`)
    const body = response.json<{ data?: unknown }>()
    return url.startsWith('/api/upload/') ? body : body.data
  }
  return { app, dir: project, get }
}

/** Every row of every table of the model, sorted; join and link rows without their own ids (an archive has none). */
export async function allRows (app: FastifyInstance): Promise<Record<string, unknown[]>> {
  const rows: Record<string, unknown[]> = {}
  const models = new Set([...app.vellum.physical.models.values()].map(entry => entry.table.name))
  // The tables an archive carries: not lib/auth's Users & Permissions tables, which an import never replaces.
  for (const table of app.vellum.physical.tables.filter(table => table.external !== true)) {
    const select = models.has(table.name) ? 'to_jsonb(t)' : "to_jsonb(t) - 'id'"
    const result = await app.vellum.db.execute({ sql: `SELECT (${select})::text AS row FROM "${table.name}" t`, params: [] })
    rows[table.name] = result.map(row => String(row.row)).sort()
  }
  return rows
}
