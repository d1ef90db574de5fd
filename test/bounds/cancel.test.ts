/**
 * Work a request causes in PostgreSQL is bounded: a client that disconnects cancels its running statement,
 * and `bounds.statementTimeout` stops a statement that runs too long. PostgreSQL whatever DATABASE_URL says:
 * PGlite runs each statement to its end.
 */
import { request } from 'node:http'
import type { AddressInfo } from 'node:net'
import Fastify, { type FastifyInstance } from 'fastify'
import postgres from 'postgres'
import t, { type Test } from 'tap'
import vellum, { type VellumOptions } from '../../lib/index.js'
import { createPostgresDatabase } from '../helpers/db.js'
import { BLOG_DIR, sender } from '../http/rest/helpers.js'

// Every tag on every article, 30 × 30: four populated levels are 30^5 (24 million) rows, a statement that
// runs for minutes once the row bound is out of the way.
const SLOW = '/api/articles?populate[tags][populate][articles][populate][tags][populate][articles][fields][0]=title'

async function seededApp (url: string, bounds: VellumOptions['bounds'], lines?: Array<{ level: number, msg: string }>): Promise<FastifyInstance> {
  const stream = { write: (line: string) => { lines?.push(JSON.parse(line) as { level: number, msg: string }) } }
  const app = Fastify({ logger: lines === undefined ? false : { level: 'info', stream }, pluginTimeout: 120_000 })
  await app.register(vellum, { dir: BLOG_DIR, contentTypes: [], permissions: { public: '*' }, database: { url }, bounds })
  await app.ready()
  return app
}

const db = await createPostgresDatabase(t)
const admin = postgres(db.url, { max: 1, onnotice: () => {} })
t.teardown(() => admin.end({ timeout: 1 }))
{
  const app = await seededApp(db.url, {})
  const send = sender(app)
  const tags: string[] = []
  for (let i = 0; i < 30; i++) tags.push((await send('POST', '/api/tags', { data: { name: `tag ${i}` } })).body.data.documentId as string)
  for (let i = 0; i < 30; i++) await send('POST', '/api/articles?status=published', { data: { title: `article ${i}`, tags } })
  await app.close()
}

/** The statements running in the test database now, but this one (the app sends nothing else meanwhile). */
async function running (): Promise<number> {
  const [row] = await admin<Array<{ n: number }>>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = ${db.name} AND backend_type = 'client backend' AND state = 'active' AND pid <> pg_backend_pid()`
  return row?.n ?? 0
}

/**
 * How soon a cancelled statement must be gone. SLOW builds 30^5 rows, so it runs for far longer uncancelled; the
 * margin is for a loaded CI machine (three test files at once), where the cancel request waits for a core.
 */
const GONE_WITHIN = 3000

async function until (check: () => Promise<boolean>, ms: number): Promise<number> {
  const started = performance.now()
  while (performance.now() - started < ms) {
    if (await check()) return performance.now() - started
    await new Promise(resolve => setTimeout(resolve, 25))
  }
  return Infinity
}

/** Starts the slow read over real HTTP, leaves once it runs, and checks its statement is gone soon after. */
async function leaveSlowRead (t: Test, app: FastifyInstance): Promise<void> {
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  const req = request({ host: '127.0.0.1', port, path: SLOW })
  req.on('error', () => {})
  req.end()
  t.ok(await until(async () => await running() === 1, 5000) < Infinity, 'the read runs')
  req.destroy()
  const gone = await until(async () => await running() === 0, GONE_WITHIN)
  t.ok(gone < GONE_WITHIN, `the statement is gone ${Math.round(gone)} ms after the client left`)
}

t.test('a client that disconnects cancels its running statement, logged at info', async (t) => {
  const lines: Array<{ level: number, msg: string }> = []
  const app = await seededApp(db.url, { maxPopulatedRows: 1_000_000_000 }, lines)
  t.teardown(() => app.close())
  await leaveSlowRead(t, app)
  const said = (line: { msg: string }): boolean => line.msg === 'the client closed the request before the answer'
  await until(async () => lines.some(said), 2000)
  t.match(lines.find(said), { level: 30 }, 'said at info')
  t.same(lines.filter(line => line.level >= 50), [], 'no error-level line')
  // The departed request's signal stays its own: reads after it (their signals borrowed from a pool) run.
  for (let i = 0; i < 3; i++) t.equal((await app.inject('/api/articles?fields[0]=title')).statusCode, 200, `read ${i + 1} after the departure`)
})

t.test('bounds.statementTimeout stops a statement that runs too long', async (t) => {
  const app = await seededApp(db.url, { maxPopulatedRows: 1_000_000_000, statementTimeout: 300 })
  t.teardown(() => app.close())
  const started = performance.now()
  const reply = await app.inject({ method: 'GET', url: SLOW })
  const elapsed = performance.now() - started
  t.equal(reply.statusCode, 503)
  t.same(reply.json(), { data: null, error: { status: 503, name: 'ServiceUnavailableError', message: 'The request took longer than the server allows', details: {} } })
  t.ok(elapsed < 5000, `answered after ${Math.round(elapsed)} ms`)
  t.equal(await running(), 0, 'nothing left running')
})

const SLOW_POPULATE = { tags: { populate: { articles: { populate: { tags: { populate: { articles: { fields: ['title'] } } } } } } } }

t.test('a Document Service call given an aborted signal has its running statement cancelled', async (t) => {
  const app = await seededApp(db.url, { maxPopulatedRows: 1_000_000_000 })
  t.teardown(() => app.close())
  const controller = new AbortController()
  const read = app.vellum.documents('api::article.article').findMany({ status: 'published', populate: SLOW_POPULATE, signal: controller.signal })
  const outcome = read.then(() => 'answered', (err: unknown) => err)
  t.ok(await until(async () => await running() === 1, 5000) < Infinity, 'the read runs')
  controller.abort()
  const gone = await until(async () => await running() === 0, GONE_WITHIN)
  t.ok(gone < GONE_WITHIN, `the statement is gone ${Math.round(gone)} ms after the abort`)
  t.match(await outcome, { name: 'ServiceUnavailableError', code: 'VELLUM_ERR_STATEMENT_CANCELLED' })
  // A signal that is not an AbortSignal is refused before anything runs.
  await t.rejects(app.vellum.documents('api::article.article').findMany({ signal: 'x' } as never), { name: 'ValidationError' })
})

t.test('a signal aborted before a statement starts: it never starts (a later statement of a departed request, a write\'s next step)', async (t) => {
  const app = await seededApp(db.url, { maxPopulatedRows: 1_000_000_000 })
  t.teardown(() => app.close())
  const controller = new AbortController()
  controller.abort()
  const articles = app.vellum.documents('api::article.article')
  await t.rejects(articles.findMany({ status: 'published', populate: SLOW_POPULATE, signal: controller.signal }), { name: 'ServiceUnavailableError', code: 'VELLUM_ERR_STATEMENT_CANCELLED' })
  t.equal(await running(), 0, 'the slow read never started')
  const [first] = await articles.findMany({ fields: ['title'], sort: 'title', limit: 1 })
  await t.rejects(articles.update({ documentId: first!.documentId, data: { title: 'changed' }, signal: controller.signal }), { code: 'VELLUM_ERR_STATEMENT_CANCELLED' })
  t.equal((await articles.findMany({ filters: { title: 'changed' } })).length, 0, 'the write changed nothing')
})

t.test('a REST read answered with entries (a Document Service middleware listens) is cancelled with its client', async (t) => {
  const app = await seededApp(db.url, { maxPopulatedRows: 1_000_000_000 })
  t.teardown(() => app.close())
  // A middleware sees entries: the read leaves the pass-through for the core service and the Document Service.
  app.vellum.documents.use(async (_ctx, next) => await next())
  await leaveSlowRead(t, app)
})
