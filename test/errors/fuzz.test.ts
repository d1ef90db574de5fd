/**
 * Malformed requests of every kind (URLs, query strings, bodies, content types, headers, methods), through
 * app.inject on a host app and through real HTTP on the standalone server: every answer in error is the
 * envelope and none is a 500. The corpus is fixed cases plus seeded random mixes, so a failure reproduces.
 */
import t from 'tap'
import { blogApp } from '../http/rest/helpers.js'
import { envelopeProblem, rawRequest, startServer } from './helpers.js'

interface Case {
  method: string
  url: string
  contentType?: string
  body?: string
}

const deepObject = (levels: number): string => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels)

const PATHS = [
  '/api/articles', '/api/articles/%zz', '/api/articles/%', '/api/articles/%C0%AF', '/api/articles/%00', '/api/articles/a%2Fb',
  `/api/articles/${'x'.repeat(150)}`, '/api//articles', '/api/articles/..%2F..%2Fetc', '/api/homepage', '/api/categories/nope',
  '/api/tags/%E2%82%AC', '/api/nothing', '/api', '/api/articles/1', '/_health/%zz'
]
const QUERIES = [
  '', '?filters[$foo]=1', '?filters[title][$eq][0][1][2][3][4][5]=x', `?${'populate[tags][populate]'.repeat(12)}=*`, '?sort=%zz',
  '?pagination[page]=-1', '?pagination[pageSize]=abc', '?fields[0][1]=x', '?locale[]=x', '?status=xx', '?filters=abc', '?_q[]=1',
  '?a[__proto__][b]=1', '?filters[__proto__][x]=1', `?filters[title][$in]=${Array.from({ length: 200 }, (_, i) => `&filters[title][$in]=${i}`).join('')}`,
  '?populate=%', '?filters[views][$gt]=abc', '?filters[publishedDate][$lt]=not-a-date', '?sort[0][title]=sideways', '?pagination[limit]=1e400',
  '?filters[$or][0][$and][0][$not][$or]=1', '?fields=password', '?filters[author][password][$eq]=x', `?${'['.repeat(500)}=1`, '?%zz=%zz'
]
const BODIES: Array<[string | undefined, string | undefined]> = [
  ['application/json', '{oops'], ['application/json', 'null'], ['application/json', '[]'], ['application/json', '"string"'],
  ['application/json', '{"data":null}'], ['application/json', '{"data":[]}'], ['application/json', '{"data":{"title":{}}}'],
  ['application/json', `{"data":${deepObject(3000)}}`], ['application/json', `{"data":{"title":"x","metadata":${deepObject(3000)}}}`],
  ['application/json', '{"data":{"views":"abc"}}'], ['application/json', '{"data":{"views":1e400}}'], ['application/json', '{"data":{"tags":{"connect":"x"}}}'],
  ['application/json', '{"data":{"__proto__":{"x":1}}}'], ['application/json', '{"constructor":{"prototype":{"x":1}}}'],
  ['application/json', '{"data":{"publishedDate":"2024-13-45","publishTime":"25:61"}}'], ['application/json', '{"data":{"title":"\\ud800"}}'],
  ['application/json', '{"data":{"blocks":[{"__component":"nope"}]}}'], ['application/json', '{"data":{"category":{"set":[{"id":-1}]}}}'],
  ['application/json; charset=utf-16', '{"data":{}}'], ['text/xml', '<data/>'], ['multipart/form-data; boundary=x', '--x--'],
  ['application/x-www-form-urlencoded', 'data[title]=x'], ['text/plain', 'hello'], [undefined, '{"data":{}}'], ['application/json', ''],
  ['application/json', '\u0000\u0001\u0002'], ['application/vnd.api+json', '{"data":{}}'], ['application/json', `{"data":{"title":"${'x'.repeat(300)}"}}`]
]
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH']

/** mulberry32: a small seeded generator, so the random mixes are the same on every run. */
function random (seed: number): () => number {
  let state = seed
  return () => {
    state = (state + 0x6D2B79F5) | 0
    let x = Math.imul(state ^ (state >>> 15), 1 | state)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

function corpus (count: number, seed: number): Case[] {
  const cases: Case[] = []
  for (const path of PATHS) cases.push({ method: 'GET', url: path })
  for (const query of QUERIES) cases.push({ method: 'GET', url: `/api/articles${query}` })
  for (const [contentType, body] of BODIES) {
    cases.push({ method: 'POST', url: '/api/articles', ...(contentType !== undefined && { contentType }), ...(body !== undefined && { body }) })
  }
  const pick = <T>(list: readonly T[], next: () => number): T => list[Math.floor(next() * list.length)] as T
  const next = random(seed)
  for (let i = 0; i < count; i++) {
    const method = pick(METHODS, next)
    const [contentType, body] = method === 'POST' || method === 'PUT' ? pick(BODIES, next) : [undefined, undefined]
    cases.push({ method, url: pick(PATHS, next) + pick(QUERIES, next), ...(contentType !== undefined && { contentType }), ...(body !== undefined && { body }) })
  }
  return cases
}

function describe (c: Case): string {
  return `${c.method} ${c.url.slice(0, 120)}${c.contentType === undefined ? '' : ` [${c.contentType}]`}${c.body === undefined ? '' : ` ${c.body.slice(0, 60)}`}`
}

const HOST_CODES = new Set(['FST_ERR_BAD_URL', 'FST_ERR_MAX_PARAM_LENGTH'])

t.test('app.inject on a host app: every error is the envelope, none is a 500', async (t) => {
  const app = await blogApp(t)
  const problems: string[] = []
  for (const c of corpus(200, 14)) {
    const res = await app.inject({
      method: c.method as 'GET',
      url: c.url,
      ...(c.contentType !== undefined && { headers: { 'content-type': c.contentType } }),
      ...(c.body !== undefined && { payload: c.body })
    })
    if (res.statusCode >= 500) problems.push(`${res.statusCode} ${describe(c)}: ${res.body.slice(0, 200)}`)
    // Fastify's own refusals of a malformed URL or an over-long parameter stay the host's (its framework errors).
    if (res.statusCode < 400 || HOST_CODES.has(res.json<{ code?: string }>().code ?? '')) continue
    const problem = envelopeProblem(res.statusCode, res.headers['content-type'] as string | undefined, res.body)
    if (problem !== undefined) problems.push(`${describe(c)}: ${problem}`)
  }
  t.same(problems, [], 'no 500, every error in the envelope')
})

t.test('real HTTP on the standalone server: every error is the envelope, none is a 500', async (t) => {
  const { port, lines } = await startServer(t)
  const problems: string[] = []
  const send = async (request: string, what: string): Promise<void> => {
    const reply = await rawRequest(port, request)
    if (reply.status >= 500 || Number.isNaN(reply.status)) problems.push(`${reply.status} ${what}: ${reply.body.slice(0, 200)}`)
    if (reply.status < 400) return
    const problem = envelopeProblem(reply.status, reply.headers['content-type'], reply.body)
    if (problem !== undefined) problems.push(`${what}: ${problem}`)
  }
  for (const c of corpus(100, 1402)) {
    const headers = [
      `${c.method} ${c.url} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close',
      ...(c.contentType === undefined ? [] : [`Content-Type: ${c.contentType}`]),
      ...(c.body === undefined ? [] : [`Content-Length: ${Buffer.byteLength(c.body)}`])
    ]
    await send(`${headers.join('\r\n')}\r\n\r\n${c.body ?? ''}`, describe(c))
  }
  const get = (extra: string): string => `GET /api/articles HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extra}\r\n`
  await send(get(`x-big: ${'a'.repeat(20_000)}\r\n`), 'a 20 KB header')
  await send(get(Array.from({ length: 3000 }, (_, i) => `x-h${i}: 1\r\n`).join('')), '3,000 headers')
  await send(get('x-bad: a\u0001b\r\n'), 'a control byte in a header')
  await send(get('bad header line\r\n'), 'a header without a colon')
  await send('GET /api/articles HTTP/9.9\r\nHost: x\r\n\r\n', 'an unknown HTTP version')
  await send('POST /api/articles HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 'Content-Length and chunked')
  await send('POST /api/articles HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'a bad chunk size')
  await send('\u0000\u0001\u0002\r\n\r\n', 'binary garbage')
  t.same(problems, [], 'no 500, every error in the envelope')
  t.same(lines.filter(line => (JSON.parse(line) as { level: number }).level >= 50), [], 'nothing logged as a server error')
})
