/**
 * The standalone server answers Fastify's and Node's own refusals in the envelope too, over real HTTP: a
 * malformed URL, an over-long parameter, headers too large, invalid bytes, a body too large.
 */
import t, { type Test } from 'tap'
import { connect } from 'node:net'
import postgres from 'postgres'
import { buildApp } from '../helpers/app.js'
import { envelopeProblem, rawRequest, startServer, type RawReply } from './helpers.js'

function isEnvelope (t: Test, reply: RawReply, status: number, name: string, details?: Record<string, unknown>): void {
  t.equal(reply.status, status, `status ${status}`)
  t.equal(envelopeProblem(status, reply.headers['content-type'], reply.body), undefined, 'the envelope')
  const error = (JSON.parse(reply.body) as { error: { name: string, details?: unknown } }).error
  t.equal(error.name, name)
  if (details !== undefined) t.same(error.details, details)
}

const get = (path: string, headers = ''): string => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${headers}\r\n`

t.test('framework-level errors of the standalone server are in the envelope', async (t) => {
  const { port, lines } = await startServer(t)
  isEnvelope(t, await rawRequest(port, get('/api/articles/%zz')), 400, 'BadRequestError', {})
  isEnvelope(t, await rawRequest(port, get(`/api/articles/${'a'.repeat(200)}`)), 414, 'URITooLongError', {})
  isEnvelope(t, await rawRequest(port, get('/api/articles', `x-big: ${'a'.repeat(20_000)}\r\n`)), 431, 'RequestHeaderFieldsTooLargeError', {})
  const many = Array.from({ length: 3000 }, (_, i) => `x-h${i}: 1\r\n`).join('')
  isEnvelope(t, await rawRequest(port, get('/api/articles', many)), 431, 'RequestHeaderFieldsTooLargeError', {})
  isEnvelope(t, await rawRequest(port, get('/api/articles', 'x-bad: a\x01b\r\n')), 400, 'BadRequestError', {})
  isEnvelope(t, await rawRequest(port, 'NOT A REQUEST\r\n\r\n'), 400, 'BadRequestError', {})
  isEnvelope(t, await rawRequest(port, Buffer.from('GET /api/\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 'latin1')), 400, 'BadRequestError')
  const large = JSON.stringify({ data: { title: 'x'.repeat(1_100_000) } })
  isEnvelope(t, await rawRequest(port, `POST /api/articles HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${large.length}\r\n\r\n${large}`), 413, 'PayloadTooLargeError', {})
  isEnvelope(t, await rawRequest(port, get('/nowhere')), 404, 'NotFoundError', {})
  t.notOk(lines.some(line => (JSON.parse(line) as { level: number }).level >= 50), 'nothing logged as a server error')
})

t.test('a client that disconnects mid-request is logged at info, not as a 500', async (t) => {
  const { port, lines, databaseUrl } = await startServer(t)
  // Another session holds the table: the request is inside its controller, waiting on the database, when the client goes.
  const blocker = postgres(databaseUrl, { max: 1, onnotice: () => {} })
  t.teardown(() => blocker.end({ timeout: 5 }))
  const reserved = await blocker.reserve()
  await reserved.unsafe('BEGIN')
  await reserved.unsafe('LOCK TABLE articles IN ACCESS EXCLUSIVE MODE')
  const socket = connect(port, '127.0.0.1')
  await new Promise<void>((resolve) => socket.on('connect', resolve))
  socket.write('GET /api/articles HTTP/1.1\r\nHost: x\r\n\r\n')
  await new Promise((resolve) => setTimeout(resolve, 300))
  socket.destroy()
  type Line = { level: number, msg: string, statusCode?: number }
  const parsed = (): Line[] => lines.map(line => JSON.parse(line) as Line)
  const deadline = Date.now() + 5000
  while (!parsed().some(l => l.msg.startsWith('GET /api/articles')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
  await reserved.unsafe('ROLLBACK')
  reserved.release()
  await new Promise((resolve) => setTimeout(resolve, 300))
  const logged = parsed()
  t.ok(logged.some(l => l.level === 30 && l.msg === 'the client closed the request before the answer'), 'logged at info')
  t.same(logged.filter(l => l.level >= 50), [], 'no error line')
  t.notOk(logged.some(l => l.statusCode === 500), 'no 500 in the access line')
})

t.test('in a host app, the host keeps its own framework-level answers', async (t) => {
  const app = await buildApp(t)
  const res = await app.inject({ method: 'GET', url: '/api/articles/%zz' })
  t.equal(res.statusCode, 400)
  t.match(res.json(), { code: 'FST_ERR_BAD_URL', statusCode: 400 }, "Fastify's own body, not vellum's envelope")
})
