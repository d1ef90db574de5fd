/**
 * The round trip through Strapi's official client (@strapi/client) against a listening vellum: find, findOne,
 * create, update and delete on a collection type and on a single type, with query parameters, and the
 * client's error classes for vellum's error answers.
 */
import t from 'tap'
import { HTTPBadRequestError, HTTPForbiddenError, HTTPNotFoundError, strapi } from '@strapi/client'
import Fastify from 'fastify'
import vellum from '../../../lib/index.js'
import { BLOG_DIR, blogApp } from './helpers.js'
import { buildApp } from '../../helpers/app.js'
import { createTestDatabase, databaseOption } from '../../helpers/db.js'

const app = await blogApp(t, { permissions: { public: '*' } })
await app.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.address()
if (address === null || typeof address === 'string') throw new Error('not listening on a port')
const client = strapi({ baseURL: `http://127.0.0.1:${address.port}/api` })

const category = await app.vellum.documents('api::category.category').create({ data: { name: 'Client' } })

/** The error envelope carried by a client HTTPError. */
async function envelopeOf (error: unknown): Promise<unknown> {
  return await (error as { response: Response }).response.json()
}

t.test('collection type: create, find, findOne, update, delete', async (t) => {
  const articles = client.collection('articles')
  const created = await articles.create({ title: 'From the client', views: 3, category: category.documentId }, { populate: ['category'] })
  t.match(created, { data: { title: 'From the client', views: 3, locale: 'en', category: { name: 'Client' } }, meta: {} })
  t.type(created.data.publishedAt, 'string')
  const documentId = created.data.documentId
  const second = await articles.create({ title: 'Second from the client', views: 7 })

  const list = await articles.find({ sort: 'views:desc', fields: ['title', 'views'], pagination: { page: 1, pageSize: 10 } })
  t.same(list.data.map(entry => entry.title), ['Second from the client', 'From the client'])
  t.same(list.meta.pagination, { page: 1, pageSize: 10, pageCount: 1, total: 2 })
  const filtered = await articles.find({ filters: { views: { $gt: 5 } }, populate: { category: { fields: ['name'] } } })
  t.same(filtered.data.map(entry => entry.documentId), [second.data.documentId])
  const offset = await articles.find({ sort: ['views:asc'], pagination: { start: 1, limit: 1 } })
  t.same(offset.data.map(entry => entry.title), ['Second from the client'])
  t.same(offset.meta.pagination, { start: 1, limit: 1, total: 2 })

  const one = await articles.findOne(documentId, { populate: '*' })
  t.match(one, { data: { documentId, title: 'From the client', category: { name: 'Client' }, tags: [], seo: null }, meta: {} })

  const updated = await articles.update(documentId, { title: 'Updated by the client' }, { fields: ['title'] })
  t.same(updated.data, { id: updated.data.id, documentId, title: 'Updated by the client' })
  const french = await articles.update(documentId, { title: 'Mis à jour' }, { locale: 'fr' })
  t.match(french.data, { documentId, locale: 'fr', title: 'Mis à jour' })
  t.equal((await articles.findOne(documentId, { locale: 'fr' })).data.title, 'Mis à jour')

  const draft = await articles.create({ title: 'Client draft' }, { status: 'draft' })
  t.equal(draft.data.publishedAt, null)
  t.same((await articles.find({ filters: { title: 'Client draft' } })).data, [], 'drafts stay unpublished')
  t.equal((await articles.find({ filters: { title: 'Client draft' }, status: 'draft' })).data.length, 1)

  t.equal(await articles.delete(documentId, { locale: 'fr' }), undefined)
  t.equal((await articles.findOne(documentId)).data.title, 'Updated by the client', 'the en version stays')
  t.equal(await articles.delete(documentId), undefined)
  const missing = await articles.findOne(documentId).then(() => null, (error: unknown) => error)
  t.type(missing, HTTPNotFoundError)
  t.same(await envelopeOf(missing), { data: null, error: { status: 404, name: 'NotFoundError', message: 'Not Found', details: {} } })
  await articles.delete(second.data.documentId)
  await articles.delete(draft.data.documentId)
})

t.test('single type: update creates then updates, find, delete', async (t) => {
  const homepage = client.single('homepage')
  const absent = await homepage.find().then(() => null, (error: unknown) => error)
  t.type(absent, HTTPNotFoundError)
  const created = await homepage.update({ title: 'Client home', hero: { heading: 'Hi from the client' } }, { populate: ['hero'] })
  t.match(created, { data: { title: 'Client home', locale: 'en', hero: { heading: 'Hi from the client' } }, meta: {} })
  const documentId = created.data.documentId
  const updated = await homepage.update({ title: 'Client home 2' })
  t.match(updated.data, { documentId, title: 'Client home 2' })
  const found = await homepage.find({ fields: ['title'], populate: { hero: true } })
  t.match(found, { data: { documentId, title: 'Client home 2', hero: { heading: 'Hi from the client' } }, meta: {} })
  t.notOk('locale' in found.data, 'fields shaped the answer')
  const french = await homepage.update({ title: 'Accueil' }, { locale: 'fr' })
  t.match(french.data, { documentId, locale: 'fr', title: 'Accueil' })
  t.equal((await homepage.find({ locale: 'fr' })).data.title, 'Accueil')
  t.equal(await homepage.delete({ locale: 'fr' }), undefined)
  // The homepage's title is not localized (no pluginOptions.i18n.localized), so the fr write changed it in every locale.
  t.match((await homepage.find()).data, { documentId, locale: 'en', title: 'Accueil' }, 'the en version stays')
  t.equal(await homepage.delete(), undefined)
  t.type(await homepage.find().then(() => null, (error: unknown) => error), HTTPNotFoundError)
})

t.test("vellum's 4xx answers surface as the client's HTTP errors, with the envelope", async (t) => {
  const articles = client.collection('articles')
  const invalid = await articles.create({ views: 1 }).then(() => null, (error: unknown) => error)
  t.type(invalid, HTTPBadRequestError)
  t.match(await envelopeOf(invalid), { data: null, error: { status: 400, name: 'ValidationError', message: /^title must be/, details: { errors: [{ path: ['title'] }] } } })
  const privateFilter = await articles.find({ filters: { internalNotes: { $null: false } } }).then(() => null, (error: unknown) => error)
  t.type(privateFilter, HTTPBadRequestError)
  t.match(await envelopeOf(privateFilter), { error: { message: 'Invalid key internalNotes', details: { param: 'filters' } } })
  const closed = await buildApp(t)
  await closed.listen({ host: '127.0.0.1', port: 0 })
  const port = (closed.server.address() as { port: number }).port
  const forbidden = await strapi({ baseURL: `http://127.0.0.1:${port}/api` }).collection('articles').find().then(() => null, (error: unknown) => error)
  t.type(forbidden, HTTPForbiddenError)
  t.same(await envelopeOf(forbidden), { data: null, error: { status: 403, name: 'ForbiddenError', message: 'Forbidden', details: {} } })
})

t.test('the same round trip under a prefix, inside a host app with a prefixed scope of its own', async (t) => {
  const host = Fastify({ logger: false, pluginTimeout: 120_000 })
  t.teardown(() => host.close())
  host.get('/hello', async () => ({ host: true }))
  const database = databaseOption(await createTestDatabase(t))
  await host.register(async (v1) => {
    await v1.register(vellum, { dir: BLOG_DIR, database, permissions: { public: '*' }, i18n: { locales: ['en', 'fr'] }, prefix: '/cms' })
  }, { prefix: '/v1' })
  await host.listen({ host: '127.0.0.1', port: 0 })
  const base = `http://127.0.0.1:${(host.server.address() as { port: number }).port}`
  const prefixed = strapi({ baseURL: `${base}/v1/cms/api` })

  const articles = prefixed.collection('articles')
  const created = await articles.create({ title: 'Under a prefix', views: 1 })
  const documentId = created.data.documentId
  t.same((await articles.find({ fields: ['title'] })).data.map(entry => entry.title), ['Under a prefix'])
  t.equal((await articles.findOne(documentId)).data.title, 'Under a prefix')
  t.equal((await articles.update(documentId, { title: 'Still under it' })).data.title, 'Still under it')
  t.equal(await articles.delete(documentId), undefined)
  t.type(await articles.findOne(documentId).then(() => null, (error: unknown) => error), HTTPNotFoundError)

  const homepage = prefixed.single('homepage')
  t.equal((await homepage.update({ title: 'Prefixed home' })).data.title, 'Prefixed home')
  t.equal((await homepage.find()).data.title, 'Prefixed home')
  t.equal(await homepage.delete(), undefined)

  t.same(await (await fetch(`${base}/hello`)).json(), { host: true }, 'the host route still answers')
})
