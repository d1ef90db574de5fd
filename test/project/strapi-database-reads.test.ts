/**
 * Issue 17: vellum pointed at a Strapi 5 project and the database Strapi 5.54 filled for it (users, uploads,
 * components, a dynamic zone, link tables with order columns, drafts beside published rows), changing nothing.
 * Its schema sync adds only vellum's own bookkeeping, and every recorded GET answers exactly what Strapi
 * answered (test/fixtures/strapi-project/strapi-answers.json, made by generate.mjs there).
 */
import t from 'tap'
import { sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { catalog, recorded, restoredProject, serve } from './strapi-project.js'

/** Logs each recorded user in through vellum, with the password Strapi hashed. */
async function logins (app: FastifyInstance): Promise<Record<string, string>> {
  const jwts: Record<string, string> = {}
  for (const user of recorded.users) {
    const response = await app.inject({ method: 'POST', url: '/api/auth/local', payload: { identifier: user.email, password: user.password } })
    if (response.statusCode !== 200) throw new Error(`${user.username} cannot log in: ${response.body}`)
    jwts[user.username] = (response.json() as { jwt: string }).jwt
  }
  return jwts
}

/**
 * The one normalization: a list asked for without `sort` comes in whatever order PostgreSQL returns it (Strapi
 * adds no ORDER BY), so it is compared as a set, by id.
 */
function comparable (url: string, body: unknown): unknown {
  if (url.includes('sort=') || typeof body !== 'object' || body === null || !Array.isArray((body as { data?: unknown }).data)) return body
  const { data } = body as { data: Array<{ id: number }> }
  return { ...body, data: [...data].sort((a, b) => a.id - b.id) }
}

t.test('booting on Strapi\'s database adds only vellum\'s own bookkeeping', async (t) => {
  const project = await restoredProject(t)
  const before = await catalog(project.query)
  await project.release()
  const app = await serve(t, project.dir, project.env)
  const after = await catalog(async (text) => await app.vellum.db.execute(sql.raw(text)) as Array<Record<string, unknown>>)

  const changed = Object.keys(before).filter((key) => key in after && before[key] !== after[key])
  t.same(changed.map((key) => [key, before[key], after[key]]), [], 'nothing Strapi made is altered')
  t.same(Object.keys(before).filter((key) => !(key in after)), [], 'nothing Strapi made is dropped')
  // vellum's own: its schema snapshot table, and indexes named as Strapi never names one (a unique attribute
  // enforced by the database, a uid's prefix index).
  const own = /^(column vellum_schema\.|index vellum_schema_|constraint vellum_schema\.|index \w+_(unique|prefix_idx)$)/
  t.same(Object.keys(after).filter((key) => !(key in before) && !own.test(key)), [], 'nothing added but vellum\'s own')
})

t.test('every recorded GET answers as Strapi 5.54 answered', async (t) => {
  const project = await restoredProject(t)
  await project.release()
  const app = await serve(t, project.dir, project.env)
  const jwts = await logins(app)
  t.ok(recorded.reads.length >= 40, 'the recording holds the requests')
  for (const read of recorded.reads) {
    const headers = read.as === undefined ? {} : { authorization: `Bearer ${jwts[read.as] as string}` }
    const response = await app.inject({ method: 'GET', url: read.url, headers })
    const label = `GET ${read.url}${read.as === undefined ? '' : ` as ${read.as}`}`
    t.equal(response.statusCode, read.status, `${label}: status`)
    t.same(comparable(read.url, response.json()), comparable(read.url, read.body), `${label}: body`)
  }
})
