/**
 * Two vellum instances on one PostgreSQL database (replicas): booting together creates the token tables once,
 * two creates of one name leave one token, and a token revoked by one instance stops working on the other
 * once its cache window has passed.
 */
import t from 'tap'
import { sql } from 'drizzle-orm'
import { buildApp } from '../helpers/app.js'
import { createPostgresDatabase } from '../helpers/db.js'
import { isError, sender } from '../http/rest/helpers.js'

t.test('two instances: one set of tables, one token per name, revocation seen across after the window', async (t) => {
  const { url } = await createPostgresDatabase(t)
  const options = { database: { url }, apiToken: { salt: 'replicas-salt', cacheTtlMs: 500 } }
  const [a, b] = await Promise.all([buildApp(t, options), buildApp(t, options)])
  const [tables] = await a.vellum.db.execute(sql`select count(*)::int as n from pg_tables where tablename like 'strapi_api_token%'`)
  t.equal(tables?.n, 3, 'both booted; three tables')

  const results = await Promise.allSettled([
    a.vellum.auth.tokens.create({ name: 'deploy', type: 'read-only' }),
    b.vellum.auth.tokens.create({ name: 'deploy', type: 'full-access' })
  ])
  t.equal(results.filter(r => r.status === 'fulfilled').length, 1, 'one create won')
  t.match(results.find(r => r.status === 'rejected'), { reason: { name: 'ValidationError', message: 'Name already taken' } })
  t.equal((await b.vellum.auth.tokens.list()).length, 1)

  const { id, accessKey } = (results.find(r => r.status === 'fulfilled') as PromiseFulfilledResult<{ id: number, accessKey: string }>).value
  const headers = { authorization: `Bearer ${accessKey}` }
  t.equal((await sender(a)('GET', '/api/articles', undefined, headers)).status, 200)
  t.equal((await sender(b)('GET', '/api/articles', undefined, headers)).status, 200, 'the other instance accepts it too, and caches it')
  await a.vellum.auth.tokens.revoke(id)
  isError(t, await sender(a)('GET', '/api/articles', undefined, headers), 401, 'UnauthorizedError', 'Missing or invalid credentials', {})
  await new Promise(resolve => setTimeout(resolve, 600))
  isError(t, await sender(b)('GET', '/api/articles', undefined, headers), 401, 'UnauthorizedError', 'Missing or invalid credentials', {})
})
