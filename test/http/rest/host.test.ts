/**
 * The content API again under a prefix inside a host app: a host scope `/v1` holds two vellum instances (the
 * customized project under `/cms`, the blog under `/blog` with its own decorator name), next to host routes
 * that keep their own error handler, 404 handler, query parsing, body parsing and headers.
 */
import t from 'tap'
import Fastify from 'fastify'
import { resetSteps, steps } from '../../helpers/custom-recorder.js'
import { createTestDatabase, databaseOption } from '../../helpers/db.js'
import vellum, { type Vellum } from '../../../lib/index.js'
import { BLOG_DIR, CUSTOM_DIR, ids, isError, isInvalidKey, sender } from './helpers.js'
import { seedBlog } from './seed.js'

const host = Fastify({ logger: false, pluginTimeout: 120_000 })
t.teardown(() => host.close())
host.setErrorHandler(async (error: Error, _request, reply) => {
  reply.code(418)
  return { hostError: error.message }
})
host.setNotFoundHandler(async (request, reply) => {
  reply.code(404)
  return { hostNotFound: request.url }
})
host.get('/hello', async (request) => ({ hello: 'root', query: request.query }))
const [cmsDb, blogDb] = [await createTestDatabase(t), await createTestDatabase(t)]
let scoped: { cms?: Vellum, blog?: Vellum } = {}
await host.register(async (v1) => {
  v1.get('/hello', async (request) => ({ hello: 'v1', query: request.query }))
  v1.get('/fail', async () => { throw new Error('host failure') })
  v1.post('/echo', async (request) => ({ echoed: request.body }))
  await v1.register(vellum, { prefix: '/cms', dir: CUSTOM_DIR, database: databaseOption(cmsDb), permissions: { public: ['api::item.item.create'] } })
  await v1.register(vellum, {
    prefix: '/blog',
    dir: BLOG_DIR,
    decorator: 'blog',
    database: databaseOption(blogDb),
    i18n: { locales: ['en', 'fr'], defaultLocale: 'en' },
    permissions: { public: '*' },
    rest: { bodyLimit: 2048 }
  })
  v1.addHook('onReady', async () => { scoped = { cms: v1.vellum, blog: (v1 as unknown as { blog: Vellum }).blog } })
}, { prefix: '/v1' })
await host.ready()
const send = sender(host)
const blog = await seedBlog({ vellum: scoped.blog } as never)
await scoped.cms!.documents('api::item.item').create({ data: { title: 'Featured', rank: 12, secret: 'item-secret' } })

t.test('both instances decorate the host scope under their own names, not the root', async (t) => {
  t.ok(scoped.cms?.contentTypes['api::item.item'])
  t.ok(scoped.blog?.contentTypes['api::article.article'])
  t.notOk(scoped.cms?.contentTypes['api::article.article'])
  t.notOk(host.hasDecorator('vellum'), 'nothing leaks to the root')
})

t.test('health and generated routes under /v1/<prefix>/api, with their statuses and envelopes', async (t) => {
  t.same((await send('GET', '/v1/cms/_health')).body, { status: 'ok' })
  t.same((await send('GET', '/v1/blog/_health')).body, { status: 'ok' })
  const created = await send('POST', '/v1/blog/api/categories', { data: { name: 'Hosted' } })
  t.equal(created.status, 201)
  const documentId = created.body.data.documentId as string
  t.same((await send('GET', `/v1/blog/api/categories/${documentId}`)).body, { data: created.body.data, meta: {} })
  t.equal((await send('PUT', `/v1/blog/api/categories/${documentId}/`, { data: { position: 9 } })).body.data.position, 9)
  const deleted = await send('DELETE', `/v1/blog/api/categories/${documentId}`)
  t.equal(deleted.status, 204)
  t.equal(deleted.text, '')
  isError(t, await send('GET', `/v1/blog/api/categories/${documentId}`), 404, 'NotFoundError', 'Not Found', {})
  isError(t, await send('DELETE', '/v1/blog/api/categories/unknown'), 404, 'NotFoundError', 'Not Found', {})
  const list = await send('GET', '/v1/blog/api/categories')
  t.same(list.body.meta, { pagination: { page: 1, pageSize: 25, pageCount: 1, total: 3 } })
  t.equal((await send('PUT', '/v1/blog/api/homepage', { data: { title: 'Hosted home' } })).status, 200)
  t.equal((await send('GET', '/v1/blog/api/homepage')).body.data.title, 'Hosted home')
})

t.test('the error envelope under the prefix: 404, 405, malformed JSON, missing data, 413', async (t) => {
  isError(t, await send('GET', '/v1/blog/api/nothing'), 404, 'NotFoundError', 'Not Found', {})
  isError(t, await send('GET', '/v1/cms/api/nothing'), 404, 'NotFoundError', 'Not Found', {})
  isError(t, await send('POST', '/v1/blog/api/homepage', { data: {} }), 405, 'MethodNotAllowedError', 'Method Not Allowed', {})
  isError(t, await send('PATCH', '/v1/blog/api/articles'), 405, 'MethodNotAllowedError', 'Method Not Allowed', {})
  isError(t, await send('POST', '/v1/blog/api/categories', '{oops', { 'content-type': 'application/json' }), 400, 'ValidationError', /^Malformed JSON body/)
  isError(t, await send('POST', '/v1/blog/api/categories', { nope: 1 }), 400, 'ValidationError', 'Missing "data" payload in the request body', {})
  isError(t, await send('POST', '/v1/blog/api/categories', JSON.stringify({ data: { name: 'x'.repeat(3000) } }), { 'content-type': 'application/json' }),
    413, 'PayloadTooLargeError', 'request entity too large', {})
})

t.test('query parameters under the prefix: qs parsing, filters, populate, pagination, their errors', async (t) => {
  const res = await send('GET', '/v1/blog/api/articles?filters[category][name]=Tech&populate[category][fields][0]=name&fields=title')
  t.same(res.body.data, [{ id: res.body.data[0].id, documentId: blog.beta, title: 'Beta review', category: { id: blog.tech.id, documentId: blog.tech.documentId, name: 'Tech' } }])
  t.same(ids(await send('GET', '/v1/blog/api/articles?sort=views:desc&pagination[start]=1&pagination[limit]=1')), [blog.beta])
  t.equal((await send('GET', '/v1/blog/api/articles?locale=fr&fields=title')).body.data[0].title, 'Alpha nouvelles')
  isInvalidKey(t, await send('GET', '/v1/blog/api/articles?filters[internalNotes][$contains]=secret'), 'internalNotes', 'filters')
  t.same(ids(await send('GET', '/v1/blog/api/articles?bogus=1&sort=views')), ids(await send('GET', '/v1/blog/api/articles?sort=views')), 'an unknown key is ignored')
  isError(t, await send('GET', '/v1/blog/api/articles?pagination[page]=0'), 400, 'ValidationError', 'pagination[page] must be an integer greater than or equal to 1')
  t.notMatch((await send('GET', '/v1/blog/api/articles?populate=*')).text, /secret/)
})

t.test('the customized project under the prefix: policies, middlewares, custom routes, permissions', async (t) => {
  resetSteps()
  const list = await send('GET', '/v1/cms/api/items')
  t.equal(list.status, 200)
  t.equal(list.headers['x-controller'], 'item.find')
  t.equal(list.headers['x-request-tag'], 'custom 200')
  t.notMatch(list.text, /item-secret/)
  t.same(steps.slice(0, 3), ['global middleware in', 'policy api::item.is-allowed', 'route middleware in'])
  isError(t, await send('GET', '/v1/cms/api/items', undefined, { 'x-policy': 'deny' }), 403, 'PolicyError', 'Policy Failed', {})
  isError(t, await send('GET', '/v1/cms/api/items', undefined, { 'x-policy': 'throw' }), 403, 'PolicyError', 'Items are closed', { policy: 'is-allowed' })
  const short = await send('GET', '/v1/cms/api/items', undefined, { 'x-route-middleware': 'short' })
  t.equal(short.status, 202)
  t.equal(short.headers['x-request-tag'], 'custom 202')
  t.same((await send('GET', '/v1/cms/api/items/featured')).body.data.map((item: { title: string }) => item.title), ['Featured'])
  t.same((await send('GET', '/v1/cms/api/items/count')).body, { data: { count: 1 } })
  t.same((await send('GET', '/v1/cms/api/ping')).body, { data: 'pong' })
  isError(t, await send('POST', '/v1/cms/api/items', { data: { title: 'x' } }), 403, 'PolicyError', 'Policy Failed', {})
  t.equal((await send('POST', '/v1/cms/api/items', { data: { title: 'Made' } }, { 'x-editor': 'yes' })).status, 201)
  isError(t, await send('PUT', '/v1/cms/api/homepage', { data: { title: 'x' } }), 403, 'ForbiddenError', 'Forbidden', {})
  isError(t, await send('GET', '/v1/cms/api/items/nope', undefined, { authorization: 'Bearer x' }), 404, 'NotFoundError', 'Not Found', {})
  isError(t, await send('POST', '/v1/cms/api/items', { data: { title: 'x' } }, { authorization: 'Bearer x' }), 401, 'UnauthorizedError', 'Missing or invalid credentials', {})
})

t.test('host routes keep their own formats: query parsing, errors, 404s, body parsing, no vellum headers', async (t) => {
  const hello = await send('GET', '/v1/hello?a[b]=1&flag')
  t.equal(hello.status, 200)
  t.same(hello.body, { hello: 'v1', query: { 'a[b]': '1', flag: '' } }, "Fastify's own querystring parser, not qs")
  t.same((await send('GET', '/hello?x=1')).body, { hello: 'root', query: { x: '1' } })
  for (const header of ['x-powered-by', 'content-security-policy', 'x-frame-options', 'strict-transport-security', 'x-request-tag']) {
    t.notOk(hello.headers[header], `no ${header} on a host route`)
  }
  const preflight = await send('OPTIONS', '/v1/hello', undefined, { origin: 'https://example.com', 'access-control-request-method': 'GET' })
  t.notOk(preflight.headers['access-control-allow-origin'], 'no CORS on host routes')
  t.same((await send('GET', '/v1/fail')).body, { hostError: 'host failure' })
  t.equal((await send('GET', '/v1/fail')).status, 418)
  t.same((await send('GET', '/v1/nothing')).body, { hostNotFound: '/v1/nothing' })
  t.same((await send('GET', '/nothing')).body, { hostNotFound: '/nothing' })
  t.same((await send('GET', '/v1/api/articles')).body, { hostNotFound: '/v1/api/articles' }, 'no content API outside the prefixes')
  t.same((await send('POST', '/v1/echo', { data: 1 })).body, { echoed: { data: 1 } })
  const badJson = await send('POST', '/v1/echo', '{oops', { 'content-type': 'application/json' })
  t.same(Object.keys(badJson.body), ['hostError'], "the host's error handler formats the host's bad JSON")
  const unsupported = await send('POST', '/v1/echo', '<x/>', { 'content-type': 'application/xml' })
  t.same(Object.keys(unsupported.body), ['hostError'])
})
