import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync, brotliDecompressSync } from 'node:zlib'
import t from 'tap'
import { NotFoundError, ValidationError } from '../../../lib/errors.js'
import type { ContextMiddleware } from '../../../lib/hooks/index.js'
import { negotiateEncoding } from '../../../lib/http/middlewares/builtins/compression.js'
import { parseBytes } from '../../../lib/http/middlewares/builtins/body.js'
import { corsOrigin } from '../../../lib/http/middlewares/builtins/cors.js'
import type { MiddlewareFactory } from '../../../lib/http/types.js'
import { build, recordingLogger } from './helpers.js'

const ENVELOPE_404 = { data: null, error: { status: 404, name: 'NotFoundError', message: 'Not Found', details: {} } }

/** A global middleware (listed first) that sees what comes back up the chain. */
function observer (seen: Array<{ status: number, body: unknown }>): Map<string, MiddlewareFactory> {
  return new Map<string, MiddlewareFactory>([['global::observer', () => async (ctx, next) => {
    await next()
    seen.push({ status: ctx.status, body: ctx.body })
  }]])
}

t.test('strapi::errors', async (t) => {
  t.test('formats an error thrown downstream, so upstream middlewares see the final status and envelope', async (t) => {
    const seen: Array<{ status: number, body: unknown }> = []
    const { app } = await build(t, {
      list: ['global::observer', 'strapi::errors'],
      registry: observer(seen),
      controller: () => { throw new ValidationError('title is required', { path: ['title'] }) }
    })
    const response = await app.inject('/thing')
    const envelope = { data: null, error: { status: 400, name: 'ValidationError', message: 'title is required', details: { path: ['title'] } } }
    t.equal(response.statusCode, 400)
    t.same(response.json(), envelope)
    t.same(seen, [{ status: 400, body: envelope }])
  })

  t.test('an unknown error is a 500 whose message stays in the log', async (t) => {
    const seen: Array<{ status: number, body: unknown }> = []
    const requestLog: Array<Record<string, unknown>> = []
    const { app } = await build(t, {
      list: ['global::observer', 'strapi::errors'],
      registry: observer(seen),
      requestLog,
      controller: () => { throw new Error('secret detail') }
    })
    const response = await app.inject('/thing')
    t.equal(response.statusCode, 500)
    t.same(response.json(), { data: null, error: { status: 500, name: 'InternalServerError', message: 'Internal Server Error' } })
    t.equal(seen[0]?.status, 500)
    t.ok(requestLog.some(line => line.level === 50 && (line.err as { message?: string } | undefined)?.message === 'secret detail'))
  })

  t.test('a handler that set nothing, and an unknown path, are a 404 seen upstream', async (t) => {
    const seen: Array<{ status: number, body: unknown }> = []
    const { app } = await build(t, {
      list: ['global::observer', 'strapi::errors'],
      registry: observer(seen),
      controller: () => undefined
    })
    const empty = await app.inject('/thing')
    t.equal(empty.statusCode, 404)
    t.same(empty.json(), ENVELOPE_404)
    const unknown = await app.inject('/nowhere')
    t.equal(unknown.statusCode, 404)
    t.same(unknown.json(), ENVELOPE_404)
    t.same(seen, [{ status: 404, body: ENVELOPE_404 }, { status: 404, body: ENVELOPE_404 }])
  })

  t.test('a malformed JSON body travels up as a 400 envelope', async (t) => {
    const seen: Array<{ status: number, body: unknown }> = []
    const { app } = await build(t, { list: ['global::observer', 'strapi::errors'], registry: observer(seen) })
    const response = await app.inject({ method: 'POST', url: '/thing', headers: { 'content-type': 'application/json' }, payload: '{bad' })
    t.equal(response.statusCode, 400)
    t.equal(response.json().error.name, 'ValidationError')
    t.equal(seen[0]?.status, 400)
  })
})

t.test('strapi::security (helmet in the scope)', async (t) => {
  t.test('Strapi\'s helmet defaults on every answer of the scope, errors and 404s included, never on the host', async (t) => {
    const { app } = await build(t, { list: ['strapi::security'], controller: () => { throw new NotFoundError() } })
    for (const url of ['/thing', '/nowhere']) {
      const response = await app.inject(url)
      t.equal(response.statusCode, 404)
      t.equal(response.headers['x-frame-options'], 'SAMEORIGIN')
      t.equal(response.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains')
      t.equal(response.headers['x-content-type-options'], 'nosniff')
      t.match(response.headers['content-security-policy'], /connect-src 'self' https:/)
      t.notOk(response.headers['cross-origin-opener-policy'], 'off, as in Strapi')
      t.notOk(response.headers['cross-origin-resource-policy'], 'off, as in Strapi')
    }
    const host = await app.inject('/host')
    t.notOk(host.headers['x-frame-options'])
    t.notOk(host.headers['content-security-policy'])
  })

  t.test('the config is helmet\'s, merged over the defaults', async (t) => {
    const { app } = await build(t, {
      list: [{ name: 'strapi::security', config: { frameguard: { action: 'deny' }, contentSecurityPolicy: false } }]
    })
    const response = await app.inject('/thing')
    t.equal(response.headers['x-frame-options'], 'DENY')
    t.notOk(response.headers['content-security-policy'])
    t.equal(response.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains', 'untouched defaults stay')
  })

  t.test('CSP directives as a generated Strapi project writes them', async (t) => {
    const { app } = await build(t, {
      list: [{
        name: 'strapi::security',
        config: {
          contentSecurityPolicy: {
            useDefaults: true,
            directives: { 'connect-src': ["'self'", 'https:'], 'img-src': ["'self'", 'data:', 'blob:', 'cdn.example.com'], upgradeInsecureRequests: null }
          }
        }
      }]
    })
    const response = await app.inject('/thing')
    t.match(response.headers['content-security-policy'], /img-src 'self' data: blob: cdn\.example\.com/)
    t.notMatch(response.headers['content-security-policy'], /upgrade-insecure-requests/)
  })
})

t.test('strapi::security: headers recorded once from static options, directives given as functions run per request', async (t) => {
  const { app } = await build(t, { list: ['strapi::security'] })
  const [first, second] = [await app.inject('/thing'), await app.inject('/thing')]
  const helmetHeaders = ['content-security-policy', 'strict-transport-security', 'x-frame-options', 'x-content-type-options', 'referrer-policy']
  for (const name of helmetHeaders) {
    t.ok(first.headers[name], `${name} set`)
    t.equal(second.headers[name], first.headers[name], `${name}: the same on every answer`)
  }
  let nonce = 0
  const { app: perRequest } = await build(t, {
    list: [{ name: 'strapi::security', config: { contentSecurityPolicy: { directives: { 'script-src': ["'self'", () => `'nonce-${++nonce}'`] } } } }]
  })
  const policies = [await perRequest.inject('/thing'), await perRequest.inject('/thing')].map(r => r.headers['content-security-policy'])
  t.match(policies[0], /script-src 'self' 'nonce-1'/)
  t.match(policies[1], /script-src 'self' 'nonce-2'/, 'computed again for the next request')
})

t.test('strapi::cors (@fastify/cors in the scope)', async (t) => {
  t.test('Strapi\'s defaults: any origin, reflected because credentials are on', async (t) => {
    const { app } = await build(t, { list: ['strapi::cors'] })
    const response = await app.inject({ url: '/thing', headers: { origin: 'https://app.example' } })
    t.equal(response.statusCode, 200)
    t.equal(response.headers['access-control-allow-origin'], 'https://app.example')
    t.equal(response.headers['access-control-allow-credentials'], 'true')
    t.match(response.headers.vary, /Origin/)
    const host = await app.inject({ url: '/host', headers: { origin: 'https://app.example' } })
    t.notOk(host.headers['access-control-allow-origin'], 'the host app is untouched')
  })

  t.test('a preflight is answered 204 before the middleware chain starts', async (t) => {
    const steps: string[] = []
    const { app } = await build(t, {
      list: ['strapi::cors', 'global::step'],
      registry: new Map<string, MiddlewareFactory>([['global::step', () => async (_ctx, next) => { steps.push('chain'); await next() }]])
    })
    const response = await app.inject({
      method: 'OPTIONS',
      url: '/thing',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'PUT' }
    })
    t.equal(response.statusCode, 204)
    t.equal(response.body, '')
    t.equal(response.headers['access-control-allow-methods'], 'GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS')
    t.equal(response.headers['access-control-allow-headers'], 'Content-Type, Authorization, Origin, Accept')
    t.equal(response.headers['access-control-max-age'], '31536000')
    t.same(steps, [])
  })

  t.test('an origin list reflects listed origins only; errors carry the headers too', async (t) => {
    const { app } = await build(t, {
      list: ['strapi::errors', { name: 'strapi::cors', config: { origin: ['https://a.example', 'https://b.example'], expose: ['X-Total'], headers: 'Content-Type' } }],
      controller: () => { throw new ValidationError('bad') }
    })
    const allowed = await app.inject({ url: '/thing', headers: { origin: 'https://b.example' } })
    t.equal(allowed.statusCode, 400)
    t.equal(allowed.headers['access-control-allow-origin'], 'https://b.example')
    t.equal(allowed.headers['access-control-expose-headers'], 'X-Total')
    const refused = await app.inject({ url: '/thing', headers: { origin: 'https://evil.example' } })
    t.notOk(refused.headers['access-control-allow-origin'])
    const preflight = await app.inject({ method: 'OPTIONS', url: '/thing', headers: { origin: 'https://a.example', 'access-control-request-method': 'GET' } })
    t.equal(preflight.headers['access-control-allow-headers'], 'Content-Type')
  })

  t.test('a comma-separated origin string is a list; credentials off sends *', async (t) => {
    const { app } = await build(t, { list: [{ name: 'strapi::cors', config: { origin: 'https://a.example, https://b.example' } }] })
    const response = await app.inject({ url: '/thing', headers: { origin: 'https://a.example' } })
    t.equal(response.headers['access-control-allow-origin'], 'https://a.example')
    const open = await build(t, { list: [{ name: 'strapi::cors', config: { credentials: false } }] })
    const star = await open.app.inject({ url: '/thing', headers: { origin: 'https://x.example' } })
    t.equal(star.headers['access-control-allow-origin'], '*')
    t.notOk(star.headers['access-control-allow-credentials'])
  })

  t.test('an origin function gets a view of the request', async (t) => {
    const { app } = await build(t, {
      list: [{
        name: 'strapi::cors',
        config: { origin: async (ctx: { get: (name: string) => string }) => ctx.get('x-tenant') === 'acme' ? ['https://acme.example'] : [] }
      }]
    })
    const acme = await app.inject({ url: '/thing', headers: { origin: 'https://acme.example', 'x-tenant': 'acme' } })
    t.equal(acme.headers['access-control-allow-origin'], 'https://acme.example')
    const other = await app.inject({ url: '/thing', headers: { origin: 'https://acme.example', 'x-tenant': 'other' } })
    t.notOk(other.headers['access-control-allow-origin'])
  })

  t.test('`enabled` is refused with a warning, as Strapi 5 does; bad types fail at boot', async (t) => {
    const bootLog = recordingLogger()
    await build(t, { list: [{ name: 'strapi::cors', config: { enabled: true } }], bootLog })
    t.ok(bootLog.entries.some(entry => entry.level === 'warn' && /enabled/.test(entry.msg ?? '')))
    await t.rejects(build(t, { list: [{ name: 'strapi::cors', config: { maxAge: 'long' } }] }), { message: 'Middleware strapi::cors: "maxAge" must be a number of seconds' })
    await t.rejects(build(t, { list: [{ name: 'strapi::cors', config: { origin: 42 } }] }), { name: 'ProjectCodeError', message: /"origin" must be/ })
  })

  t.test('corsOrigin maps Strapi\'s origin values', async (t) => {
    t.equal(corsOrigin('*', true), true)
    t.equal(corsOrigin('*', false), '*')
    t.equal(corsOrigin(['*'], true), true)
    t.equal(corsOrigin('https://a.example', true), 'https://a.example')
    t.same(corsOrigin('https://a.example,https://b.example', true), ['https://a.example', 'https://b.example'])
    t.same(corsOrigin(['https://a.example'], true), ['https://a.example'])
  })
})

t.test('strapi::poweredBy', async (t) => {
  const { app } = await build(t, { list: ['strapi::security', 'strapi::poweredBy'] })
  const response = await app.inject('/thing')
  t.equal(response.headers['x-powered-by'], 'vellum', 'set after helmet removed the header')
  const custom = await build(t, { list: [{ name: 'vellum::poweredBy', config: { poweredBy: 'Acme CMS' } }] })
  t.equal((await custom.app.inject('/thing')).headers['x-powered-by'], 'Acme CMS')
  await t.rejects(build(t, { list: [{ name: 'strapi::poweredBy', config: { poweredBy: 1 } }] }), { message: 'Middleware strapi::poweredBy: "poweredBy" must be a string' })
})

t.test('strapi::logger logs one line per request through request.log, with the final status', async (t) => {
  const requestLog: Array<Record<string, unknown>> = []
  const { app } = await build(t, {
    list: ['strapi::logger', 'strapi::errors'],
    requestLog,
    controller: (ctx) => {
      if (ctx.query.fail !== undefined) throw new ValidationError('nope')
      return { data: 1 }
    }
  })
  await app.inject('/thing')
  await app.inject('/thing?fail=1')
  await app.inject({ method: 'POST', url: '/nowhere' })
  const lines = requestLog.filter(line => typeof line.msg === 'string' && /^(GET|POST) /.test(line.msg))
  t.equal(lines.length, 3)
  t.match(lines[0], { level: 30, method: 'GET', url: '/thing', statusCode: 200, msg: /^GET \/thing \(\d+ ms\) 200$/ })
  t.match(lines[1], { statusCode: 400, msg: /^GET \/thing\?fail=1 \(\d+ ms\) 400$/ })
  t.match(lines[2], { statusCode: 404, msg: /^POST \/nowhere \(\d+ ms\) 404$/ })
  t.ok(lines.every(line => typeof line.reqId === 'string'), 'the request logger, with its request id')
})

t.test('strapi::logger without strapi::errors below still logs the error\'s status', async (t) => {
  const requestLog: Array<Record<string, unknown>> = []
  const { app } = await build(t, {
    list: [{ name: 'strapi::logger', config: { level: 'warn' } }],
    requestLog,
    controller: () => { throw new ValidationError('nope') }
  })
  const response = await app.inject('/thing')
  t.equal(response.statusCode, 400)
  const line = requestLog.find(entry => typeof entry.msg === 'string' && entry.msg.startsWith('GET /thing'))
  t.match(line, { level: 40, statusCode: 400 })
  await t.rejects(build(t, { list: [{ name: 'strapi::logger', config: { level: 'http' } }] }), { message: /"level" must be one of/ })
})

t.test('strapi::query, strapi::session and strapi::public are accepted and do nothing, saying so once', async (t) => {
  const bootLog = recordingLogger()
  const { app, resolved } = await build(t, { list: ['strapi::query', 'strapi::session', 'strapi::public'], bootLog })
  t.equal(resolved.middlewares.length, 0)
  t.equal(resolved.plugins.length, 0)
  const debug = bootLog.entries.filter(entry => entry.level === 'debug' && /strapi::(query|session|public):/.test(entry.msg ?? ''))
  t.equal(debug.length, 3)
  t.equal((await app.inject('/thing')).statusCode, 200)
  const warned = recordingLogger()
  await build(t, { list: [{ name: 'strapi::query', config: { depth: 5 } }], bootLog: warned })
  t.match(warned.entries, [{ level: 'warn', obj: { ignored: ['depth'] } }])
})

t.test('strapi::body', async (t) => {
  t.test('without limits it leaves Fastify\'s parsing (1mb, koa-body\'s default) alone', async (t) => {
    const { resolved } = await build(t, { list: ['strapi::body'] })
    t.equal(resolved.plugins.length, 0)
    t.equal(resolved.middlewares.length, 0)
  })

  t.test('jsonLimit and textLimit apply to the scope\'s parsers; a larger body is a 413 envelope', async (t) => {
    const bootLog = recordingLogger()
    const { app } = await build(t, {
      list: ['strapi::errors', { name: 'strapi::body', config: { jsonLimit: '64b', textLimit: 10, formLimit: '56kb', multipart: true } }],
      bootLog,
      controller: (ctx) => ({ data: ctx.request.body })
    })
    const small = await app.inject({ method: 'POST', url: '/thing', payload: { data: { a: 1 } } })
    t.equal(small.statusCode, 200)
    t.same(small.json(), { data: { data: { a: 1 } } })
    const large = await app.inject({ method: 'POST', url: '/thing', payload: { data: { text: 'x'.repeat(100) } } })
    t.equal(large.statusCode, 413)
    t.same(large.json(), { data: null, error: { status: 413, name: 'PayloadTooLargeError', message: 'request entity too large', details: {} } })
    const text = await app.inject({ method: 'POST', url: '/thing', headers: { 'content-type': 'text/plain' }, payload: 'more than ten bytes' })
    t.equal(text.statusCode, 413)
    const poisoned = await app.inject({ method: 'POST', url: '/thing', headers: { 'content-type': 'application/json' }, payload: '{"__proto__":{}}' })
    t.equal(poisoned.statusCode, 400, 'Fastify\'s prototype-poisoning check is kept')
    t.match(bootLog.entries, [{ level: 'warn', obj: { ignored: ['formLimit', 'multipart'] } }])
  })

  t.test('a limit that is not a size fails at boot', async (t) => {
    await t.rejects(build(t, { list: [{ name: 'strapi::body', config: { jsonLimit: 'lots' } }] }), { message: /Middleware strapi::body: "jsonLimit" must be a size/ })
  })

  t.test('parseBytes reads koa-body sizes', async (t) => {
    t.equal(parseBytes('1mb'), 1048576)
    t.equal(parseBytes('56kb'), 57344)
    t.equal(parseBytes('1.5 KB'), 1536)
    t.equal(parseBytes(100), 100)
    t.equal(parseBytes('0'), undefined)
    t.equal(parseBytes(-1), undefined)
    t.equal(parseBytes('ten'), undefined)
  })
})

t.test('strapi::favicon serves the project\'s icon at /favicon.ico', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vellum-favicon-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const icon = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  await writeFile(join(dir, 'favicon.png'), icon)
  const steps: string[] = []
  const { app } = await build(t, {
    list: ['strapi::favicon', 'global::step'],
    projectDir: dir,
    registry: new Map<string, MiddlewareFactory>([['global::step', () => async (_ctx, next) => { steps.push('after favicon'); await next() }]])
  })
  const response = await app.inject('/favicon.ico')
  t.equal(response.statusCode, 200)
  t.equal(response.headers['content-type'], 'image/png')
  t.equal(response.headers['cache-control'], 'public, max-age=86400')
  t.same(response.rawPayload, icon)
  t.same(steps, [], 'answered without going further')
  const post = await app.inject({ method: 'POST', url: '/favicon.ico' })
  t.equal(post.statusCode, 405)
  t.equal(post.headers.allow, 'GET, HEAD, OPTIONS')
  t.equal(post.json().error.status, 405)
  t.equal((await app.inject('/thing')).statusCode, 200)

  const bootLog = recordingLogger()
  const empty = await mkdtemp(join(tmpdir(), 'vellum-favicon-'))
  t.teardown(() => rm(empty, { recursive: true, force: true }))
  const none = await build(t, { list: ['strapi::favicon'], projectDir: empty, bootLog })
  t.equal(none.resolved.middlewares.length, 0, 'no icon: skipped')
  t.equal((await none.app.inject('/favicon.ico')).statusCode, 404)
  t.ok(bootLog.entries.some(entry => entry.level === 'debug' && /no favicon/.test(entry.msg ?? '')))
})

t.test('strapi::compression compresses serialized answers over the threshold', async (t) => {
  const big = { data: Array.from({ length: 200 }, (_, i) => ({ id: i, title: `item ${i}` })) }
  const { app } = await build(t, {
    list: ['strapi::compression'],
    controller: (ctx) => ctx.query.small !== undefined ? { data: 1 } : big
  })
  const gzipped = await app.inject({ url: '/thing', headers: { 'accept-encoding': 'gzip, deflate' } })
  t.equal(gzipped.headers['content-encoding'], 'gzip')
  t.match(gzipped.headers.vary, /Accept-Encoding/)
  t.same(JSON.parse(gunzipSync(gzipped.rawPayload).toString()), big)
  const brotli = await app.inject({ url: '/thing', headers: { 'accept-encoding': 'gzip, br' } })
  t.equal(brotli.headers['content-encoding'], 'br')
  t.same(JSON.parse(brotliDecompressSync(brotli.rawPayload).toString()), big)
  const small = await app.inject({ url: '/thing?small=1', headers: { 'accept-encoding': 'gzip' } })
  t.notOk(small.headers['content-encoding'])
  t.same(small.json(), { data: 1 })
  const identity = await app.inject({ url: '/thing' })
  t.notOk(identity.headers['content-encoding'])
  t.same(identity.json(), big)

  const noBrotli = await build(t, { list: [{ name: 'strapi::compression', config: { br: false, threshold: 10 } }], controller: () => big })
  t.equal((await noBrotli.app.inject({ url: '/thing', headers: { 'accept-encoding': 'br, gzip' } })).headers['content-encoding'], 'gzip')
})

t.test('negotiateEncoding honours q-values and preference', async (t) => {
  const all = ['br', 'gzip', 'deflate'] as const
  t.equal(negotiateEncoding('gzip, br', [...all]), 'br')
  t.equal(negotiateEncoding('gzip;q=1, br;q=0.5', [...all]), 'gzip')
  t.equal(negotiateEncoding('br;q=0, gzip', [...all]), 'gzip')
  t.equal(negotiateEncoding('*', [...all]), 'br')
  t.equal(negotiateEncoding('identity', [...all]), undefined)
  t.equal(negotiateEncoding(undefined, [...all]), undefined)
})

t.test('strapi::ip refuses clients outside the whitelist or on the blacklist', async (t) => {
  const blocked = await build(t, { list: [{ name: 'strapi::ip', config: { blacklist: ['127.0.0.*'] } }] })
  const refused = await blocked.app.inject('/thing')
  t.equal(refused.statusCode, 403)
  t.same(refused.json(), { data: null, error: { status: 403, name: 'ForbiddenError', message: 'Forbidden', details: {} } })
  const listed = await build(t, { list: [{ name: 'strapi::ip', config: { whitelist: ['10.*', /^127\.0\.0\.1$/] } }] })
  t.equal((await listed.app.inject('/thing')).statusCode, 200)
  const elsewhere = await build(t, { list: [{ name: 'strapi::ip', config: { whitelist: ['10.0.0.1'] } }] })
  t.equal((await elsewhere.app.inject('/thing')).statusCode, 403)
  await t.rejects(build(t, { list: [{ name: 'strapi::ip', config: { whitelist: [1] } }] }), { message: /"whitelist" must list/ })
})

t.test('strapi::responseTime sets X-Response-Time', async (t) => {
  const { app } = await build(t, { list: ['strapi::responseTime'] })
  t.match((await app.inject('/thing')).headers['x-response-time'], /^\d+ms$/)
})

t.test('Strapi\'s default list, as a project without config/middlewares gets it', async (t) => {
  const requestLog: Array<Record<string, unknown>> = []
  const route: ContextMiddleware[] = []
  const { app, resolved } = await build(t, { requestLog, route })
  t.same(resolved.plugins.map(plugin => plugin.name), ['strapi::security', 'strapi::cors'])
  t.same(resolved.middlewares.map(middleware => middleware.name), ['vellumLogger', 'vellumErrors', 'vellumPoweredBy'])
  const response = await app.inject({ url: '/thing', headers: { origin: 'https://app.example' } })
  t.equal(response.statusCode, 200)
  t.equal(response.headers['x-powered-by'], 'vellum')
  t.equal(response.headers['x-frame-options'], 'SAMEORIGIN')
  t.equal(response.headers['access-control-allow-origin'], 'https://app.example')
  t.ok(requestLog.some(line => line.msg !== undefined && /^GET \/thing \(\d+ ms\) 200$/.test(String(line.msg))))
})
