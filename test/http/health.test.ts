/**
 * Liveness (`/_health`, never touches the database) and readiness (`/_ready`, 200 only when the database
 * answers `select 1` within `health.readyTimeoutMs`, else 503 in the error envelope), on real databases:
 * PostgreSQL behind a TCP proxy the test makes hang or refuse, or a PGlite instance held busy by a
 * transaction; and a host-owned client the test closes, on either.
 */
import t, { type Test } from 'tap'
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify'
import { createServer, connect, type Server, type Socket } from 'node:net'
import type { PGlite } from '@electric-sql/pglite'
import postgres, { type Sql } from 'postgres'
import vellum, { InvalidOptionsError } from '../../lib/index.js'
import { createReadinessCheck } from '../../lib/http/health.js'
import { articleDefinition, buildApp } from '../helpers/app.js'
import { createPGlite, createPostgresDatabase, usingPostgres } from '../helpers/db.js'

const TIMEOUT = 300
/** Headroom over the bound for a machine running the whole suite in parallel. */
const SLACK = 2500

interface Probe { response: LightMyRequestResponse, ms: number }

async function probe (app: FastifyInstance, url = '/_ready'): Promise<Probe> {
  const started = performance.now()
  const response = await app.inject({ method: 'GET', url })
  return { response, ms: performance.now() - started }
}

/** Asks until `status` comes (a reconnecting driver may need a few tries), for at most 10 s. */
async function until (app: FastifyInstance, status: number): Promise<Probe> {
  const deadline = Date.now() + 10_000
  for (;;) {
    const result = await probe(app)
    if (result.response.statusCode === status || Date.now() > deadline) return result
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

function assertUnavailable (t: Test, { response, ms }: Probe, message: RegExp): void {
  t.equal(response.statusCode, 503)
  t.match(response.headers['content-type'], /application\/json/)
  const body = response.json() as { data: unknown, error: { status: number, name: string, message: string, details: unknown } }
  t.same(body, { data: null, error: { status: 503, name: 'ServiceUnavailableError', message: body.error.message, details: {} } }, 'the error envelope')
  t.match(body.error.message, message)
  t.ok(ms < TIMEOUT + SLACK, `answered within the bound (${Math.round(ms)} ms)`)
}

function assertReady (t: Test, { response }: Probe): void {
  t.equal(response.statusCode, 200)
  t.same(response.json(), { status: 'ok' })
}

type Mode = 'forward' | 'hang' | 'refuse'

/**
 * A TCP proxy to PostgreSQL. `hang` keeps every connection open but holds the bytes of both directions
 * (flushed in order when forwarding resumes); `refuse` resets every connection and each new one.
 */
interface Proxy { port: number, mode: (mode: Mode) => void, heldChunks: () => number, accepted: () => number, close: () => Promise<void> }

async function startProxy (target: { host: string, port: number }): Promise<Proxy> {
  let mode: Mode = 'forward'
  let held = 0
  let accepted = 0
  const pairs = new Set<{ client: Socket, upstream: Socket, toUpstream: Buffer[], toClient: Buffer[] }>()
  const server: Server = createServer((client) => {
    accepted++
    client.on('error', () => {})
    if (mode === 'refuse') {
      client.resetAndDestroy()
      return
    }
    const upstream = connect(target.port, target.host)
    const pair = { client, upstream, toUpstream: [] as Buffer[], toClient: [] as Buffer[] }
    pairs.add(pair)
    upstream.on('error', () => client.destroy())
    client.on('close', () => { upstream.destroy(); pairs.delete(pair) })
    upstream.on('close', () => client.destroy())
    client.on('data', (chunk: Buffer) => {
      if (mode !== 'hang') upstream.write(chunk)
      else {
        held++
        pair.toUpstream.push(chunk)
      }
    })
    upstream.on('data', (chunk: Buffer) => {
      if (mode !== 'hang') client.write(chunk)
      else pair.toClient.push(chunk)
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('the proxy has no port')
  return {
    port: address.port,
    mode (next) {
      mode = next
      if (next === 'hang') held = 0
      for (const pair of pairs) {
        if (next === 'refuse') {
          pair.client.resetAndDestroy()
          pair.upstream.destroy()
        } else if (next === 'forward') {
          for (const chunk of pair.toUpstream.splice(0)) pair.upstream.write(chunk)
          for (const chunk of pair.toClient.splice(0)) pair.client.write(chunk)
        }
      }
    },
    heldChunks: () => held,
    accepted: () => accepted,
    close: async () => {
      for (const pair of pairs) { pair.client.destroy(); pair.upstream.destroy() }
      await new Promise(resolve => server.close(resolve))
    }
  }
}

t.test('liveness and readiness answer 200 on a working database', async (t) => {
  const app = await buildApp(t)
  assertReady(t, await probe(app, '/_health'))
  assertReady(t, await probe(app, '/_ready'))
  t.equal((await app.inject({ method: 'HEAD', url: '/_ready' })).statusCode, 200, 'HEAD too')
})

if (usingPostgres()) {
  t.test('PostgreSQL behind a proxy: 503 while it hangs or refuses, 200 once it answers again', async (t) => {
    const { url } = await createPostgresDatabase(t)
    const target = new URL(url)
    const proxy = await startProxy({ host: target.hostname, port: Number(target.port === '' ? 5432 : target.port) })
    t.teardown(() => proxy.close())
    const viaProxy = new URL(url)
    viaProxy.hostname = '127.0.0.1'
    viaProxy.port = String(proxy.port)
    const app = await buildApp(t, { contentTypes: [articleDefinition], database: { url: viaProxy.toString() }, health: { readyTimeoutMs: TIMEOUT } })
    assertReady(t, await probe(app))

    proxy.mode('hang')
    const accepted = proxy.accepted()
    const hung = await Promise.all(Array.from({ length: 20 }, () => probe(app)))
    for (const result of hung) assertUnavailable(t, result, new RegExp(`^the database did not answer within ${TIMEOUT} ms$`))
    t.ok(hung.every(({ ms }) => ms >= TIMEOUT - 20), 'each waited for the bound')
    const more = await probe(app)
    assertUnavailable(t, more, /within 300 ms/)
    t.ok(proxy.heldChunks() <= 2, `20 + 1 probes sent one query, not one each (${proxy.heldChunks()} chunks held)`)
    t.equal(proxy.accepted(), accepted, 'and opened no new connection')
    assertReady(t, await probe(app, '/_health'))

    proxy.mode('forward')
    assertReady(t, await until(app, 200))

    proxy.mode('refuse')
    const refused = await until(app, 503)
    assertUnavailable(t, refused, /^the database did not answer: /)
    t.notMatch(refused.response.json().error.message, /within/, 'the error, not the timeout')
    assertReady(t, await probe(app, '/_health'))

    proxy.mode('forward')
    assertReady(t, await until(app, 200))
  })
} else {
  t.test('PGlite held by a transaction: 503 within the bound, 200 once released', async (t) => {
    const client = await createPGlite(t)
    const app = await buildApp(t, { database: { client }, health: { readyTimeoutMs: TIMEOUT } })
    assertReady(t, await probe(app))

    let release = (): void => {}
    const gate = new Promise<void>(resolve => { release = resolve })
    const holding = client.transaction(async () => { await gate })
    const hung = await Promise.all(Array.from({ length: 20 }, () => probe(app)))
    for (const result of hung) assertUnavailable(t, result, new RegExp(`^the database did not answer within ${TIMEOUT} ms$`))
    assertReady(t, await probe(app, '/_health'))

    release()
    await holding
    assertReady(t, await until(app, 200))
  })
}

t.test('a host-owned client closed by the host: 503 with the error, liveness unaffected', async (t) => {
  let close: () => Promise<void>
  let client: Sql | PGlite
  if (usingPostgres()) {
    const sql = postgres((await createPostgresDatabase(t)).url, { max: 2, onnotice: () => {} })
    t.teardown(() => sql.end({ timeout: 1 }))
    client = sql
    close = () => sql.end({ timeout: 1 })
  } else {
    // Closed here, it is not handed to a later test (createPGlite's teardown reuses only open instances).
    const pglite = await createPGlite(t)
    client = pglite
    close = () => pglite.close()
  }
  const app = await buildApp(t, { database: { client }, health: { readyTimeoutMs: TIMEOUT } })
  assertReady(t, await probe(app))
  await close()
  assertUnavailable(t, await probe(app), /^the database did not answer: .+/)
  assertReady(t, await probe(app, '/_health'))
})

t.test('concurrent checks share one in-flight probe, which a later check replaces once settled', async (t) => {
  let calls = 0
  let finish = (): void => {}
  const check = createReadinessCheck(async () => {
    calls++
    await new Promise<void>(resolve => { finish = resolve })
  }, 50)
  const first = await Promise.allSettled(Array.from({ length: 10 }, () => check()))
  t.ok(first.every(r => r.status === 'rejected'), 'all timed out')
  t.equal(calls, 1, 'one probe for ten checks')
  const waiting = check()
  finish()
  await waiting
  t.equal(calls, 1, 'a check arriving while the probe runs shares it, and succeeds with it')
  const next = check()
  finish()
  await next
  t.equal(calls, 2, 'a settled probe is not reused')
})

t.test('health options move and disable the routes, under the plugin prefix', async (t) => {
  const moved = await buildApp(t, { health: { path: '/live', readyPath: '/ready' } })
  assertReady(t, await probe(moved, '/live'))
  assertReady(t, await probe(moved, '/ready'))
  t.equal((await probe(moved, '/_health')).response.statusCode, 404)
  t.equal((await probe(moved, '/_ready')).response.statusCode, 404)

  const disabled = await buildApp(t, { health: { path: false, readyPath: false } })
  t.equal((await probe(disabled, '/_health')).response.statusCode, 404)
  t.equal((await probe(disabled, '/_ready')).response.statusCode, 404)
  t.same(disabled.vellum.config.health, { path: false, readyPath: false, readyTimeoutMs: 2000 })

  const host = Fastify({ logger: false, pluginTimeout: 120_000 })
  t.teardown(() => host.close())
  await host.register(async (v1) => {
    await v1.register(vellum, { prefix: '/cms', contentTypes: [articleDefinition], database: { client: await createPGlite(t) }, health: { readyPath: '/ready' } })
  }, { prefix: '/v1' })
  await host.ready()
  assertReady(t, await probe(host, '/v1/cms/_health'))
  assertReady(t, await probe(host, '/v1/cms/ready'))
  t.equal((await probe(host, '/ready')).response.statusCode, 404, 'nothing outside the prefix')
})

const bad: Array<{ name: string, health: unknown, message: RegExp }> = [
  { name: 'a path without a leading slash', health: { path: 'health' }, message: /\/health\/path: expected a path like \/_health, or false/ },
  { name: 'readyPath true', health: { readyPath: true }, message: /\/health\/readyPath: expected a path like \/_health, or false/ },
  { name: 'a timeout of 0', health: { readyTimeoutMs: 0 }, message: /\/health\/readyTimeoutMs: expected integer >= 1/ },
  { name: 'a timeout that is not an integer', health: { readyTimeoutMs: '2s' }, message: /\/health\/readyTimeoutMs: expected integer/ },
  { name: 'a timeout over a minute', health: { readyTimeoutMs: 600_000 }, message: /\/health\/readyTimeoutMs: .*60000/ },
  { name: 'an unknown key', health: { timeout: 5 }, message: /\/health\/timeout: expected one of path, readyPath, readyTimeoutMs/ },
  { name: 'one path for both routes', health: { path: '/h', readyPath: '/h' }, message: /\/health\/readyPath: expected a path other than \/health\/path \(\/h\)/ },
  { name: 'health that is no object', health: false, message: /\/health: expected object/ }
]

for (const { name, health, message } of bad) {
  t.test(`ready() rejects ${name}`, async (t) => {
    const app = Fastify({ logger: false })
    t.teardown(() => app.close())
    const error = await (async () => {
      await app.register(vellum, { contentTypes: [articleDefinition], health } as never)
      await app.ready()
    })().then(() => undefined, (e: unknown) => e)
    t.type(error, InvalidOptionsError)
    t.match((error as Error).message, message)
  })
}
