/**
 * A write aborted by a concurrent one (a deadlock, a serialization failure) runs again in a new transaction, a
 * bounded number of times with jitter, then answers 503 in the envelope: never a 500.
 */
import { sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { createPostgresDatabase, createTestDatabase, databaseOption } from '../helpers/db.js'
import { blogApp, isError, sender } from '../http/rest/helpers.js'

const ARTICLE = 'api::article.article'

/** The database's own deadlock error (SQLSTATE 40P01), raised in the action's transaction. */
const DEADLOCK = sql`DO $$ BEGIN RAISE EXCEPTION 'deadlock detected' USING ERRCODE = 'deadlock_detected'; END $$`

/** Runs the deadlock statement in the first `failing` attempts of updates titled `title`; returns the attempts seen. */
function failUpdates (app: FastifyInstance, title: string, failing: number): { attempts: number } {
  const seen = { attempts: 0 }
  app.vellum.documents.use(async (ctx, next) => {
    const data = ctx.params.data as { title?: unknown } | undefined
    if (ctx.action !== 'update' || data?.title !== title) return await next()
    seen.attempts++
    if (seen.attempts <= failing) await app.vellum.db.execute(DEADLOCK)
    return await next()
  })
  return seen
}

t.test('an action aborted as a deadlock runs again: twice aborted, the third attempt answers 200', async (t) => {
  const app = await blogApp(t, { database: databaseOption(await createTestDatabase(t)) })
  const send = sender(app)
  const article = (await send('POST', '/api/articles', { data: { title: 'Before' } })).body.data
  const seen = failUpdates(app, 'After', 2)
  const reply = await send('PUT', `/api/articles/${String(article.documentId)}`, { data: { title: 'After' } })
  t.equal(reply.status, 200)
  t.equal(reply.body.data.title, 'After')
  t.equal(seen.attempts, 3, 'three attempts, each a new transaction')
})

t.test('an action aborted at every attempt answers 503 ServiceUnavailableError after 5 attempts, and wrote nothing', async (t) => {
  const app = await blogApp(t, { database: databaseOption(await createTestDatabase(t)) })
  const send = sender(app)
  const article = (await send('POST', '/api/articles', { data: { title: 'Kept' } })).body.data
  const seen = failUpdates(app, 'Never', Infinity)
  const reply = await send('PUT', `/api/articles/${String(article.documentId)}`, { data: { title: 'Never' } })
  isError(t, reply, 503, 'ServiceUnavailableError', 'The database is busy with concurrent writes: try again', {})
  t.equal(seen.attempts, 5, 'five attempts')
  t.equal((await send('GET', `/api/articles/${String(article.documentId)}`)).body.data.title, 'Kept')
  await t.rejects(app.vellum.documents(ARTICLE).update({ documentId: article.documentId, data: { title: 'Never' } }), { name: 'ServiceUnavailableError', code: 'VELLUM_ERR_SERVICE_UNAVAILABLE', statusCode: 503 })
})

t.test('two apps on one PostgreSQL locking two documents in opposite orders: the deadlock is retried, both answer 200', async (t) => {
  const { url } = await createPostgresDatabase(t)
  const apps = [await blogApp(t, { database: { url } }), await blogApp(t, { database: { url } })] as const
  const send = sender(apps[0])
  const [x, y] = [(await send('POST', '/api/articles', { data: { title: 'X' } })).body.data.documentId as string, (await send('POST', '/api/articles', { data: { title: 'Y' } })).body.data.documentId as string]
  // Each app, once it holds its document's lock (after next()), waits for the other to hold its own, then
  // updates the other document: one transaction waits for the other's lock, which waits for its: a deadlock.
  let arrived = 0
  let release: () => void = () => {}
  const barrier = new Promise<void>(resolve => { release = resolve })
  let attempts = 0
  for (const [app, own, other] of [[apps[0], x, y], [apps[1], y, x]] as const) {
    app.vellum.documents.use(async (ctx, next) => {
      if (ctx.action !== 'update' || ctx.params.documentId !== own) return await next()
      attempts++
      const result = await next()
      if (++arrived === 2) release()
      await barrier
      await app.vellum.documents(ARTICLE).update({ documentId: other, data: { title: `Set by ${own}` } })
      return result
    })
  }
  const replies = await Promise.all([
    sender(apps[0])('PUT', `/api/articles/${x}`, { data: { title: 'X2' } }),
    sender(apps[1])('PUT', `/api/articles/${y}`, { data: { title: 'Y2' } })
  ])
  t.same(replies.map(reply => reply.status), [200, 200], 'both answered 200')
  t.equal(attempts, 3, 'one of them ran again after the deadlock')
})
