/**
 * Every generated route of the REST content API through `app.inject`, on a real database: statuses, envelopes,
 * the error envelope for every failure (unknown documents, 405, bad bodies, payload limit), always JSON.
 */
import t from 'tap'
import { blogApp, ids, isError, isInvalidKey, sender } from './helpers.js'
import { buildApp } from '../../helpers/app.js'

const app = await blogApp(t, { rest: { bodyLimit: 4096 } })
const send = sender(app)

const SYSTEM = ['id', 'documentId', 'createdAt', 'updatedAt', 'publishedAt']
const CATEGORY_SCALARS = ['name', 'slug', 'description', 'position']

t.test('POST /api/:plural creates: 201 { data, meta: {} } with scalars and system fields only', async (t) => {
  const res = await send('POST', '/api/categories', { data: { name: 'Routes', description: 'made by POST', position: 3 } })
  t.equal(res.status, 201)
  t.match(res.headers['content-type'], /^application\/json/)
  t.same(Object.keys(res.body), ['data', 'meta'])
  t.same(res.body.meta, {})
  const data = res.body.data
  t.same(Object.keys(data).sort(), [...SYSTEM, ...CATEGORY_SCALARS].sort(), 'relations are absent unless populated, no locale on a non-localized type')
  t.match(data, { name: 'Routes', slug: 'routes', description: 'made by POST', position: 3 })
  t.type(data.id, 'number')
  t.match(data.documentId, /^[a-z0-9]{24}$/)
  t.type(data.publishedAt, 'string', 'a type without draft & publish is published at creation')
})

t.test('GET /api/:plural: the list envelope with meta.pagination (page mode by default)', async (t) => {
  const res = await send('GET', '/api/categories')
  t.equal(res.status, 200)
  t.same(Object.keys(res.body), ['data', 'meta'])
  t.ok(Array.isArray(res.body.data))
  const total = res.body.data.length
  t.ok(total >= 1)
  t.same(res.body.meta, { pagination: { page: 1, pageSize: 25, pageCount: 1, total } })
})

t.test('GET /api/:plural/:documentId: 200 { data, meta: {} }', async (t) => {
  const created = await send('POST', '/api/categories', { data: { name: 'Find me' } })
  const res = await send('GET', `/api/categories/${created.body.data.documentId as string}`)
  t.equal(res.status, 200)
  t.same(res.body, { data: created.body.data, meta: {} })
})

t.test('GET of an unknown document: 404 NotFoundError; a numeric row id is not a documentId', async (t) => {
  isError(t, await send('GET', '/api/categories/doesnotexist'), 404, 'NotFoundError', 'Not Found', {})
  const created = await send('POST', '/api/categories', { data: { name: 'By id' } })
  isError(t, await send('GET', `/api/categories/${created.body.data.id as number}`), 404, 'NotFoundError', 'Not Found', {})
})

t.test('PUT /api/:plural/:documentId: 200 with the updated entry; unknown → 404', async (t) => {
  const created = await send('POST', '/api/categories', { data: { name: 'Before' } })
  const documentId = created.body.data.documentId as string
  const res = await send('PUT', `/api/categories/${documentId}`, { data: { name: 'After', position: 7 } })
  t.equal(res.status, 200)
  t.same(res.body.meta, {})
  t.match(res.body.data, { id: created.body.data.id, documentId, name: 'After', position: 7, slug: 'before' })
  t.same((await send('GET', `/api/categories/${documentId}`)).body.data, res.body.data, 'persisted')
  isError(t, await send('PUT', '/api/categories/doesnotexist', { data: { name: 'x' } }), 404, 'NotFoundError', 'Not Found', {})
})

t.test('DELETE /api/:plural/:documentId: 204 with an empty body; unknown → 404 (Strapi: 204)', async (t) => {
  const created = await send('POST', '/api/categories', { data: { name: 'Doomed' } })
  const documentId = created.body.data.documentId as string
  const res = await send('DELETE', `/api/categories/${documentId}`)
  t.equal(res.status, 204)
  t.equal(res.text, '')
  isError(t, await send('GET', `/api/categories/${documentId}`), 404, 'NotFoundError', 'Not Found', {})
  isError(t, await send('DELETE', `/api/categories/${documentId}`), 404, 'NotFoundError', 'Not Found', {})
  isError(t, await send('DELETE', '/api/categories/doesnotexist'), 404, 'NotFoundError', 'Not Found', {})
})

t.test('draft & publish: POST publishes, ?status=draft keeps a draft only', async (t) => {
  const published = await send('POST', '/api/articles', { data: { title: 'Routes published' } })
  t.equal(published.status, 201)
  t.type(published.body.data.publishedAt, 'string')
  t.equal(published.body.data.locale, 'en')
  const draft = await send('POST', '/api/articles?status=draft', { data: { title: 'Routes draft' } })
  t.equal(draft.status, 201)
  t.equal(draft.body.data.publishedAt, null)
  const draftId = draft.body.data.documentId as string
  isError(t, await send('GET', `/api/articles/${draftId}`), 404, 'NotFoundError', 'Not Found', {})
  t.equal((await send('GET', `/api/articles/${draftId}?status=draft`)).body.data.title, 'Routes draft')
  t.notOk(ids(await send('GET', '/api/articles')).includes(draftId), 'absent from the published list')
  t.ok(ids(await send('GET', '/api/articles?status=draft')).includes(draftId), 'present in the draft list')
  // PUT without status publishes the draft.
  const put = await send('PUT', `/api/articles/${draftId}`, { data: { title: 'Routes now published' } })
  t.equal(put.status, 200)
  t.type(put.body.data.publishedAt, 'string')
  t.equal((await send('GET', `/api/articles/${draftId}`)).body.data.title, 'Routes now published')
  // A PUT ?status=draft changes the draft only.
  await send('PUT', `/api/articles/${draftId}?status=draft`, { data: { title: 'Routes draft edit' } })
  t.equal((await send('GET', `/api/articles/${draftId}`)).body.data.title, 'Routes now published')
  t.equal((await send('GET', `/api/articles/${draftId}?status=draft`)).body.data.title, 'Routes draft edit')
})

t.test('DELETE of a D&P document removes draft and published rows; ?status=draft is a 400 (Strapi: 500)', async (t) => {
  const created = await send('POST', '/api/articles', { data: { title: 'Routes to delete' } })
  const documentId = created.body.data.documentId as string
  const refused = await send('DELETE', `/api/articles/${documentId}?status=draft`)
  isError(t, refused, 400, 'ValidationError', 'Cannot delete a draft document: delete the document, or use discardDraft')
  t.equal((await send('GET', `/api/articles/${documentId}`)).status, 200, 'nothing was deleted')
  t.equal((await send('DELETE', `/api/articles/${documentId}`)).status, 204)
  t.equal((await send('GET', `/api/articles/${documentId}`)).status, 404)
  t.equal((await send('GET', `/api/articles/${documentId}?status=draft`)).status, 404)
})

t.test('a trailing slash is accepted on every generated path', async (t) => {
  t.equal((await send('GET', '/api/categories/')).status, 200)
  const created = await send('POST', '/api/categories/', { data: { name: 'Slash' } })
  t.equal(created.status, 201)
  const documentId = created.body.data.documentId as string
  t.equal((await send('GET', `/api/categories/${documentId}/`)).status, 200)
  t.equal((await send('PUT', `/api/categories/${documentId}/`, { data: { position: 1 } })).status, 200)
  t.equal((await send('DELETE', `/api/categories/${documentId}/`)).status, 204)
  t.equal((await send('GET', '/api/homepage/')).status, 404, 'the single type answers too (nothing there yet)')
})

t.test('405 MethodNotAllowedError in the envelope for PATCH, and for POST/PATCH on a single type (Strapi: plain text), trailing slash or not', async (t) => {
  const created = await send('POST', '/api/categories', { data: { name: 'Patchy' } })
  const documentId = created.body.data.documentId as string
  for (const [method, url] of [
    ['PATCH', '/api/categories'],
    ['PATCH', `/api/categories/${documentId}`],
    ['POST', `/api/categories/${documentId}`],
    ['PUT', '/api/categories'],
    ['DELETE', '/api/categories'],
    ['POST', '/api/homepage'],
    ['PATCH', '/api/homepage'],
    ['PATCH', `/api/categories/${documentId}/`],
    ['DELETE', '/api/categories/'],
    ['PUT', '/api/categories/'],
    ['POST', '/api/homepage/']
  ] as const) {
    const res = await send(method, url, { data: { name: 'x' } })
    isError(t, res, 405, 'MethodNotAllowedError', 'Method Not Allowed', {})
    const allowed = url.includes(documentId) ? 'GET, HEAD, PUT, DELETE' : url.includes('categories') ? 'GET, HEAD, POST' : 'GET, HEAD, PUT, DELETE'
    t.equal(res.headers.allow, allowed, `${method} ${url}: Allow`)
  }
  t.equal((await send('GET', `/api/categories/${documentId}`)).body.data.name, 'Patchy', 'nothing changed')
})

t.test('a path that matches no route: 404 NotFoundError envelope', async (t) => {
  for (const url of ['/api/nothing', '/api/categories/a/b', '/api', '/api/']) {
    isError(t, await send('GET', url), 404, 'NotFoundError', 'Not Found', {})
  }
})

t.test('malformed JSON (and prototype poisoning): 400 ValidationError', async (t) => {
  for (const payload of ['{bad', '{"data": {"name": "x"}', '{"data": {"name": "x"}}}', 'nul']) {
    const res = await send('POST', '/api/categories', payload, { 'content-type': 'application/json' })
    isError(t, res, 400, 'ValidationError', /^Malformed JSON body: /)
  }
  const put = await send('PUT', '/api/homepage', '{"data":', { 'content-type': 'application/json' })
  isError(t, put, 400, 'ValidationError', /^Malformed JSON body: /)
  for (const poisoned of ['{"data":{"name":"x","__proto__":{"polluted":1}}}', '{"data":{"name":"x","constructor":{"prototype":{"p":1}}}}']) {
    isError(t, await send('POST', '/api/categories', poisoned, { 'content-type': 'application/json' }), 400, 'ValidationError', /^Malformed JSON body: /)
  }
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution')
})

t.test('a body without an object `data`: 400 "Missing \\"data\\" payload in the request body"', async (t) => {
  const message = 'Missing "data" payload in the request body'
  const created = await send('POST', '/api/categories', { data: { name: 'Has data' } })
  const documentId = created.body.data.documentId as string
  for (const payload of [{}, { name: 'x' }, { data: null }, { data: [] }, { data: 'x' }, { data: 1 }, [], [{ data: {} }], 'null', '"data"']) {
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload)
    const headers = { 'content-type': 'application/json' }
    isError(t, await send('POST', '/api/categories', body, headers), 400, 'ValidationError', message, {})
    isError(t, await send('PUT', `/api/categories/${documentId}`, body, headers), 400, 'ValidationError', message, {})
    isError(t, await send('PUT', '/api/homepage', body, headers), 400, 'ValidationError', message, {})
  }
  isError(t, await send('POST', '/api/categories'), 400, 'ValidationError', message, {})
  isError(t, await send('PUT', '/api/homepage'), 400, 'ValidationError', message, {})
  // An empty body is no body, whatever its content type (as koa-body reads it).
  isError(t, await send('POST', '/api/categories', '', { 'content-type': 'application/json' }), 400, 'ValidationError', message, {})
})

t.test('an empty body with a JSON content type is no body: DELETE and GET work (as @strapi/client sends them)', async (t) => {
  const created = await send('POST', '/api/categories', { data: { name: 'Typed delete' } })
  const documentId = created.body.data.documentId as string
  const json = { 'content-type': 'application/json' }
  t.equal((await send('GET', `/api/categories/${documentId}`, '', json)).status, 200)
  const deleted = await send('DELETE', `/api/categories/${documentId}`, '', json)
  t.equal(deleted.status, 204)
  t.equal((await send('DELETE', '/api/homepage', '', json)).status, 204)
  isError(t, await send('DELETE', `/api/categories/${documentId}`, '', json), 404, 'NotFoundError', 'Not Found', {})
})

t.test('a text/plain body is not parsed: the same 400 as a missing data', async (t) => {
  const res = await send('POST', '/api/categories', JSON.stringify({ data: { name: 'Plain' } }), { 'content-type': 'text/plain' })
  isError(t, res, 400, 'ValidationError', 'Missing "data" payload in the request body', {})
  t.notOk((await send('GET', '/api/categories?filters[name]=Plain')).body.data.length, 'nothing was created')
})

t.test('a content type vellum does not parse: 415 UnsupportedMediaTypeError in the envelope', async (t) => {
  for (const type of ['application/xml', 'application/x-www-form-urlencoded']) {
    const res = await send('POST', '/api/categories', 'data=1', { 'content-type': type })
    isError(t, res, 415, 'UnsupportedMediaTypeError', 'Unsupported Media Type', {})
  }
})

t.test('a payload over rest.bodyLimit: 413 PayloadTooLargeError, details {} as every envelope', async (t) => {
  const big = JSON.stringify({ data: { name: 'Big', description: 'x'.repeat(5000) } })
  for (const [method, url] of [['POST', '/api/categories'], ['PUT', '/api/homepage']] as const) {
    const res = await send(method, url, big, { 'content-type': 'application/json' })
    isError(t, res, 413, 'PayloadTooLargeError', 'request entity too large', {})
  }
  const fits = await send('POST', '/api/categories', { data: { name: 'Fits', description: 'x'.repeat(3000) } })
  t.equal(fits.status, 201, 'a body under the limit passes')
})

t.test('the body: root id/documentId and unknown keys are 400s with source body; validation errors list each problem', async (t) => {
  for (const key of ['id', 'documentId']) {
    const res = await send('POST', '/api/categories', { data: { [key]: 5, name: 'x' } })
    isError(t, res, 400, 'ValidationError', `Invalid key ${key}`, { key, path: key, source: 'body' })
  }
  const unknown = await send('POST', '/api/categories', { data: { name: 'x', bogus: 1 } })
  isError(t, unknown, 400, 'ValidationError', 'Invalid key bogus')
  t.match(unknown.body.error.details, { key: 'bogus', path: 'bogus', source: 'body' })
  // Strapi ignores a body locale (and creates in the default locale); vellum refuses it: the locale is a query parameter.
  const locale = await send('POST', '/api/articles', { data: { title: 'x', locale: 'fr' } })
  isError(t, locale, 400, 'ValidationError', 'Invalid key locale', { key: 'locale', path: 'locale', source: 'body', value: 'fr' })
  isError(t, await send('POST', '/api/articles', { data: { title: 'x', createdAt: '2020-01-01T00:00:00.000Z' } }), 400, 'ValidationError', 'Invalid key createdAt')
  const publishedAt = await send('POST', '/api/articles?status=draft', { data: { title: 'Ignored publishedAt', publishedAt: '2020-01-01T00:00:00.000Z' } })
  t.equal(publishedAt.status, 201, 'publishedAt is accepted')
  t.equal(publishedAt.body.data.publishedAt, null, 'and ignored')
  const missing = await send('POST', '/api/categories', { data: {} })
  isError(t, missing, 400, 'ValidationError', 'name must be defined.', {
    errors: [{ path: ['name'], message: 'name must be defined.', name: 'ValidationError', value: null }]
  })
  const several = await send('POST', '/api/authors', { data: { name: 'x', password: 'short' } })
  isError(t, several, 400, 'ValidationError', '2 errors occurred')
  t.same(several.body.error.details.errors.map((e: { path: string[] }) => e.path), [['name'], ['password']])
})

t.test('single type: GET 404 before any, PUT creates (200, never 201) then updates, DELETE 204 (also when nothing exists)', async (t) => {
  isError(t, await send('GET', '/api/homepage'), 404, 'NotFoundError', 'Not Found', {})
  const created = await send('PUT', '/api/homepage', { data: { title: 'Home' } })
  t.equal(created.status, 200)
  t.same(Object.keys(created.body), ['data', 'meta'])
  t.same(created.body.meta, {})
  t.match(created.body.data, { title: 'Home', locale: 'en' })
  t.type(created.body.data.publishedAt, 'string')
  const documentId = created.body.data.documentId as string
  const updated = await send('PUT', '/api/homepage', { data: { title: 'Home again' } })
  t.equal(updated.status, 200)
  t.match(updated.body.data, { documentId, title: 'Home again' }, 'the same document')
  const read = await send('GET', '/api/homepage')
  t.equal(read.status, 200)
  t.same(read.body, { data: updated.body.data, meta: {} })
  const deleted = await send('DELETE', '/api/homepage')
  t.equal(deleted.status, 204)
  t.equal(deleted.text, '')
  isError(t, await send('GET', '/api/homepage'), 404, 'NotFoundError', 'Not Found', {})
  const again = await send('DELETE', '/api/homepage')
  t.equal(again.status, 204, 'deleting nothing is still a 204, as in Strapi')
  t.equal(again.text, '')
})

t.test('single type with draft & publish: PUT ?status=draft stays unpublished', async (t) => {
  const draft = await send('PUT', '/api/homepage?status=draft', { data: { title: 'Draft home' } })
  t.equal(draft.status, 200)
  t.equal(draft.body.data.publishedAt, null)
  t.equal((await send('GET', '/api/homepage')).status, 404)
  t.equal((await send('GET', '/api/homepage?status=draft')).body.data.title, 'Draft home')
  const published = await send('PUT', '/api/homepage', { data: { title: 'Published home' } })
  t.match(published.body.data, { documentId: draft.body.data.documentId, title: 'Published home' })
  t.equal((await send('GET', '/api/homepage')).body.data.title, 'Published home')
  t.equal((await send('DELETE', '/api/homepage')).status, 204)
})

t.test('single type with i18n: PUT ?locale=fr adds a localization of the one document; DELETE ?locale=fr removes only it', async (t) => {
  const en = await send('PUT', '/api/homepage', { data: { title: 'Home en' } })
  const documentId = en.body.data.documentId as string
  const fr = await send('PUT', '/api/homepage?locale=fr', { data: { title: 'Accueil' } })
  t.equal(fr.status, 200)
  t.match(fr.body.data, { documentId, locale: 'fr', title: 'Accueil' }, 'the same document, not a second one')
  const all = await app.vellum.documents('api::homepage.homepage').findMany({ locale: '*', fields: ['documentId'] })
  t.same([...new Set(all.map(entry => entry.documentId))], [documentId])
  t.match((await send('GET', '/api/homepage?locale=fr')).body.data, { documentId, locale: 'fr' })
  t.equal((await send('DELETE', '/api/homepage?locale=fr')).status, 204)
  t.equal((await send('GET', '/api/homepage?locale=fr')).status, 404)
  t.match((await send('GET', '/api/homepage')).body.data, { documentId, locale: 'en' }, 'the en version stays')
  t.equal((await send('DELETE', '/api/homepage?locale=fr')).status, 204, 'deleting a missing localization is still a 204')
  t.equal((await send('DELETE', '/api/homepage')).status, 204)
  t.equal((await send('GET', '/api/homepage')).status, 404)
})

t.test('query parameters on writes shape the returned document; the wrong ones are 400s', async (t) => {
  const res = await send('POST', '/api/categories?fields=name', { data: { name: 'Shaped', position: 2 } })
  t.equal(res.status, 201)
  t.same(res.body.data, { id: res.body.data.id, documentId: res.body.data.documentId, name: 'Shaped' })
  const documentId = res.body.data.documentId as string
  const put = await send('PUT', `/api/categories/${documentId}?fields[0]=position`, { data: { position: 4 } })
  t.same(put.body.data, { id: res.body.data.id, documentId, position: 4 })
  isInvalidKey(t, await send('POST', '/api/categories?filters[name]=x', { data: { name: 'Nope' } }), 'filters')
  isInvalidKey(t, await send('PUT', `/api/categories/${documentId}?sort=name`, { data: { name: 'Nope' } }), 'sort')
  isInvalidKey(t, await send('GET', `/api/categories/${documentId}?pagination[page]=1`), 'pagination')
  isInvalidKey(t, await send('DELETE', `/api/categories/${documentId}?populate=*`), 'populate')
  isInvalidKey(t, await send('GET', '/api/homepage?sort=title'), 'sort')
  t.equal((await send('GET', `/api/categories/${documentId}`)).body.data.name, 'Shaped', 'the refused writes changed nothing')
})

t.test('HEAD answers like GET without a body; /_health stays inside the scope', async (t) => {
  const head = await send('HEAD', '/api/categories')
  t.equal(head.status, 200)
  t.equal(head.text, '')
  t.same((await send('GET', '/_health')).body, { status: 'ok' })
})

t.test('rest.prefix moves the content API; an empty prefix mounts it at the root', async (t) => {
  const moved = sender(await buildApp(t, { rest: { prefix: '/content' }, permissions: { public: '*' } }))
  const created = await moved('POST', '/content/articles', { data: { title: 'Moved' } })
  t.equal(created.status, 201)
  t.equal((await moved('GET', `/content/articles/${created.body.data.documentId as string}`)).status, 200)
  isError(t, await moved('GET', '/content/nothing'), 404, 'NotFoundError', 'Not Found', {})
  t.equal((await moved('GET', '/api/articles')).body.statusCode, 404, "outside the prefix: the host's 404")
  isError(t, await moved('PATCH', '/content/articles'), 405, 'MethodNotAllowedError', 'Method Not Allowed', {})

  const root = sender(await buildApp(t, { rest: { prefix: '' }, permissions: { public: '*' } }))
  t.equal((await root('POST', '/articles', { data: { title: 'At the root' } })).status, 201)
  t.same((await root('GET', '/articles?fields=title')).body.data.map((a: { title: string }) => a.title), ['At the root'])
  // Mounted at the host's root, vellum does not take over the host's 404 handler.
  const notFound = await root('GET', '/api/articles')
  t.equal(notFound.status, 404)
  t.same(notFound.body, { message: 'Route GET:/api/articles not found', error: 'Not Found', statusCode: 404 }, "Fastify's own 404")
})
