/**
 * The customization points of a Strapi-layout project (the `custom` fixture, contract §16–§20) through HTTP:
 * core router options, custom routes with named, bare and inline handlers, controllers and services extending
 * the core, custom actions, API and global policies (true, false, throwing), global and route middlewares
 * (including short-circuits), `config.auth: false`, Strapi's default `config/middlewares`, register and
 * bootstrap. The full step order of one request is test/http/flow.test.ts's.
 */
import t from 'tap'
import { entry, resetSteps, steps } from '../../helpers/custom-recorder.js'
import { CUSTOM_DIR, isError, sender } from './helpers.js'
import { buildApp } from '../../helpers/app.js'

const app = await buildApp(t, { dir: CUSTOM_DIR, contentTypes: [], permissions: { public: ['api::item.item.create'] } })
const send = sender(app)
const items = app.vellum.documents('api::item.item')
for (const [title, rank] of [['Low', 1], ['Mid', 10], ['High', 20], ['Top', 30]] as const) {
  await items.create({ data: { title, rank, secret: `${title.toLowerCase()}-secret` } })
}
const { documentId: lowId } = (await items.findFirst({ filters: { title: 'Low' } }))!

/** Requests with a fresh step record. */
async function traced (...args: Parameters<typeof send>): Promise<Awaited<ReturnType<typeof send>>> {
  resetSteps()
  return await send(...args)
}

t.test('src/index.ts: register and bootstrap ran once each, with the decorator', async (t) => {
  t.equal(entry.register, 1)
  t.equal(entry.bootstrap, 1)
  t.equal(entry.vellum, app.vellum)
})

t.test("Strapi's generated config/middlewares loads unchanged: security headers, powered-by, the project's global middleware", async (t) => {
  const res = await traced('GET', '/api/items')
  t.equal(res.status, 200)
  t.equal(res.headers['x-powered-by'], 'vellum')
  t.match(res.headers['content-security-policy'], /connect-src 'self' https:/)
  t.equal(res.headers['x-frame-options'], 'SAMEORIGIN')
  t.match(res.headers['strict-transport-security'], /max-age=31536000/)
  t.equal(res.headers['x-request-tag'], 'custom 200', 'global::request-tag saw the final status on the way out')
  t.equal(steps[0], 'global middleware in')
  t.equal(steps[steps.length - 1], 'global middleware out')
  const notFound = await traced('GET', '/api/nothing')
  isError(t, notFound, 404, 'NotFoundError', 'Not Found', {})
  t.equal(notFound.headers['x-request-tag'], 'custom 404', 'the global middlewares see an unknown path and its 404 too')
  t.same(steps, ['global middleware in', 'global middleware out'])
  const preflight = await send('OPTIONS', '/api/items', undefined, { origin: 'https://example.com', 'access-control-request-method': 'GET' })
  t.equal(preflight.status, 204, 'strapi::cors answers preflights')
  t.equal(preflight.headers['access-control-allow-origin'], 'https://example.com')
})

t.test('a core controller extending the core: super.find, its header, the extended service, private fields out', async (t) => {
  const res = await traced('GET', '/api/items?sort=rank')
  t.equal(res.status, 200)
  t.equal(res.headers['x-controller'], 'item.find')
  t.equal(res.headers['x-item-tag'], 'item', "the route middleware's default config")
  t.same(res.body.data.map((item: { title: string }) => item.title), ['Low', 'Mid', 'High', 'Top'])
  t.same(res.body.meta, { pagination: { page: 1, pageSize: 25, pageCount: 1, total: 4 } })
  t.notMatch(res.text, /secret/)
  for (const step of ['policy api::item.is-allowed', 'route middleware in', 'controller in', 'service in', 'service out', 'controller out', 'route middleware out']) {
    t.ok(steps.includes(step), step)
  }
  t.ok(steps.indexOf('controller in') < steps.indexOf('service in'), 'the core action called the extended service')
  t.ok(steps.indexOf('service out') < steps.indexOf('controller out'))
})

t.test('an API policy answering false: 403 PolicyError "Policy Failed"; nothing downstream runs', async (t) => {
  const res = await traced('GET', '/api/items', undefined, { 'x-policy': 'deny' })
  isError(t, res, 403, 'PolicyError', 'Policy Failed', {})
  // The PolicyError rejects `await next()` in request-tag (Koa's meaning): its code after it does not run,
  // and strapi::errors, upstream, formats the envelope.
  t.same(steps, ['global middleware in', 'policy api::item.is-allowed'])
  t.notOk(res.headers['x-request-tag'])
  t.equal(res.headers['x-frame-options'], 'SAMEORIGIN', 'the security headers are on errors too')
  t.notOk(res.headers['x-controller'])
})

t.test('a policy throwing: its status, name, message and details reach the client', async (t) => {
  const res = await traced('GET', '/api/items', undefined, { 'x-policy': 'throw' })
  isError(t, res, 403, 'PolicyError', 'Items are closed', { policy: 'is-allowed' })
  t.same(steps, ['global middleware in', 'policy api::item.is-allowed'])
})

t.test('a global policy with its config: require-header on create checks x-editor', async (t) => {
  const refused = await traced('POST', '/api/items', { data: { title: 'Nope' } })
  isError(t, refused, 403, 'PolicyError', 'Policy Failed', {})
  t.same(steps, ['global middleware in', 'policy global::require-header'])
  const created = await traced('POST', '/api/items', { data: { title: 'Edited', rank: 5, secret: 'edited-secret' } }, { 'x-editor': 'ann' })
  t.equal(created.status, 201)
  t.match(created.body.data, { title: 'Edited', rank: 5, description: null })
  t.notOk('secret' in created.body.data)
  t.ok(steps.includes('policy global::require-header'))
  t.equal((await items.findOne({ documentId: created.body.data.documentId as string }))?.secret, 'edited-secret', 'private fields are writable')
  await items.delete({ documentId: created.body.data.documentId as string })
})

t.test('a route middleware returning without next(): its answer at once, downstream skipped, upstream unwinds', async (t) => {
  const res = await traced('GET', '/api/items', undefined, { 'x-route-middleware': 'short' })
  t.equal(res.status, 202)
  t.same(res.body, { data: null, meta: { shortCircuit: 'route middleware' } })
  t.same(steps, ['global middleware in', 'policy api::item.is-allowed', 'route middleware in', 'global middleware out'])
  t.equal(res.headers['x-request-tag'], 'custom 202')
  t.notOk(res.headers['x-item-tag'], 'its own code after next() never ran')
  t.notOk(res.headers['x-controller'])
})

t.test('a custom action as a route handler: featured reuses super.find; API + inline policies; a middleware with its config', async (t) => {
  const res = await traced('GET', '/api/items/featured')
  t.equal(res.status, 200)
  t.same(res.body.data.map((item: { title: string }) => item.title), ['Top', 'High', 'Mid'], 'rank ≥ 10, by rank desc')
  t.same(res.body.meta.pagination, { page: 1, pageSize: 25, pageCount: 1, total: 3 })
  t.equal(res.headers['x-item-tag'], 'featured')
  t.notOk(res.headers['x-controller'], 'the core find, not the extended one')
  t.same(steps.slice(0, 4), ['global middleware in', 'policy api::item.is-allowed', 'policy inline', 'route middleware in'])
  const denied = await traced('GET', '/api/items/featured', undefined, { 'x-policy': 'deny' })
  isError(t, denied, 403, 'PolicyError', 'Policy Failed', {})
  t.notOk(steps.includes('policy inline'), 'policies run in order and stop at the first refusal')
})

t.test("a bare handler name ('item.count') is the file's own API; an inline route middleware wraps it", async (t) => {
  const res = await traced('GET', '/api/items/count')
  t.equal(res.status, 200)
  t.same(res.body, { data: { count: 4 } })
  t.same(steps, ['global middleware in', 'inline middleware in', 'inline middleware out', 'global middleware out'])
})

t.test('an inline handler function', async (t) => {
  const res = await send('GET', '/api/ping')
  t.equal(res.status, 200)
  t.same(res.body, { data: 'pong' })
  t.equal(res.headers['x-request-tag'], 'custom 200')
})

t.test('config.auth false: find and findOne open though nothing is public; credentials are not checked there', async (t) => {
  t.equal((await send('GET', `/api/items/${lowId}`)).body.data.title, 'Low')
  isError(t, await send('GET', '/api/items/unknown'), 404, 'NotFoundError', 'Not Found', {})
  t.equal((await send('GET', '/api/items', undefined, { authorization: 'Bearer whatever' })).status, 200)
  t.equal((await send('GET', '/api/ping', undefined, { authorization: 'Bearer whatever' })).status, 200)
  isError(t, await send('PUT', `/api/items/${lowId}`, { data: { rank: 2 } }), 403, 'ForbiddenError', 'Forbidden', {})
  isError(t, await send('POST', '/api/items', { data: { title: 'x' } }, { authorization: 'Bearer whatever', 'x-editor': 'ann' }),
    401, 'UnauthorizedError', 'Missing or invalid credentials', {})
})

t.test('core router only/except: the missing actions are 405s on known paths', async (t) => {
  const item = await send('DELETE', `/api/items/${lowId}`)
  isError(t, item, 405, 'MethodNotAllowedError', 'Method Not Allowed', {})
  t.equal(item.headers.allow, 'GET, HEAD, PUT')
  const single = await send('DELETE', '/api/homepage')
  isError(t, single, 405, 'MethodNotAllowedError', 'Method Not Allowed', {})
  t.equal(single.headers.allow, 'GET, HEAD, PUT')
  t.equal((await items.findOne({ documentId: lowId }))?.title, 'Low')
})

t.test('the single type: find public (404, then 200), update not public', async (t) => {
  isError(t, await send('GET', '/api/homepage'), 404, 'NotFoundError', 'Not Found', {})
  isError(t, await send('PUT', '/api/homepage', { data: { title: 'x' } }), 403, 'ForbiddenError', 'Forbidden', {})
  await app.vellum.documents('api::homepage.homepage').create({ data: { title: 'Welcome', tagline: 'Hi' } })
  const res = await send('GET', '/api/homepage')
  t.equal(res.status, 200)
  t.match(res.body, { data: { title: 'Welcome', tagline: 'Hi' }, meta: {} })
})

t.test('vellum.controller and vellum.service: the extended objects, the core as their prototype', async (t) => {
  const controller = app.vellum.controller('api::item.item')
  for (const action of ['find', 'featured', 'count', 'findOne', 'create', 'update', 'delete', 'sanitizeOutput', 'transformResponse']) {
    t.type(controller[action], 'function', action)
  }
  t.ok(Object.hasOwn(controller, 'find'), 'find is overridden')
  t.notOk(Object.hasOwn(controller, 'findOne'), 'findOne comes from the core')
  t.type(Object.getPrototypeOf(controller).find, 'function')
  const service = app.vellum.service('api::item.item') as Record<string, (...args: unknown[]) => unknown>
  t.equal(service.label!({ title: 'Thing', rank: 3 }), 'Thing (#3)')
  resetSteps()
  const found = await service.find!({ filters: { rank: { $gte: 20 } }, sort: 'rank' }) as { results: Array<{ title: string }> }
  t.same(found.results.map(item => item.title), ['High', 'Top'])
  t.same(steps.filter(step => step.startsWith('service')), ['service in', 'service out'])
})
