/**
 * @fastify/multipart is in scope for the upload route only: the rest of the content API does not pay its hooks
 * (an async onRequest adding a close listener, an async onResponse) on every request, and a multipart body sent
 * to another route is still accepted and left unread, so a create answers that its `data` is missing.
 */
import Fastify from 'fastify'
import t from 'tap'
import vellum from '../../lib/index.js'
import { articleDefinition } from '../helpers/app.js'
import { createTestDatabase, databaseOption } from '../helpers/db.js'
import { tempDir } from './helpers.js'

const app = Fastify({ logger: false, pluginTimeout: 120_000 })
t.teardown(() => app.close())
const multipartRequests: Record<string, boolean> = {}
app.addHook('onResponse', async (request) => {
  multipartRequests[`${request.method} ${request.routeOptions.url ?? ''}`] = typeof (request as unknown as { isMultipart?: unknown }).isMultipart === 'function'
})
await app.register(vellum, {
  dir: await tempDir(t, 'vellum-multipart-scope-'),
  contentTypes: [articleDefinition],
  permissions: { public: '*' },
  database: databaseOption(await createTestDatabase(t))
})
const body = '--XX\r\nContent-Disposition: form-data; name="data"\r\n\r\n{"title":"x"}\r\n--XX--\r\n'
const headers = { 'content-type': 'multipart/form-data; boundary=XX' }

t.test('a content route runs without @fastify/multipart; the upload route with it', async (t) => {
  t.equal((await app.inject({ method: 'GET', url: '/api/articles' })).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: '/api/upload', headers, payload: body })).statusCode, 403, 'refused by the access check, after the scope\'s hooks ran')
  t.same(multipartRequests, { 'GET /api/articles': false, 'POST /api/upload': true })
})

t.test('a multipart body sent to a content route is accepted and left unread: `data` is missing', async (t) => {
  const res = await app.inject({ method: 'POST', url: '/api/articles', headers, payload: body })
  t.equal(res.statusCode, 400)
  t.match(res.json(), { data: null, error: { status: 400, name: 'ValidationError', message: 'Missing "data" payload in the request body' } })
})
