/**
 * Strapi's official client (@strapi/client) against a listening vellum (issue 15). With `auth: '<api token>'`: a
 * full-access token performs CRUD, a read-only token reads and gets the client's 403 on a write, a key nobody
 * knows gets its 401, and no credential is the public role (nothing public here: 403). With `auth: '<jwt>'` from
 * POST /api/auth/local: CRUD within the authenticated role's permissions, a revoked action the client's 403.
 */
import t from 'tap'
import { HTTPAuthorizationError, HTTPForbiddenError, strapi } from '@strapi/client'
import { blogApp } from '../http/rest/helpers.js'
import { buildApp } from '../helpers/app.js'

const app = await blogApp(t, { apiToken: { salt: 'client-test-salt' }, permissions: { public: [] } })
await app.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.address()
if (address === null || typeof address === 'string') throw new Error('not listening on a port')
const baseURL = `http://127.0.0.1:${address.port}/api`

/** What a call rejected with (null when it did not). */
const rejection = async (call: Promise<unknown>): Promise<unknown> => await call.then(() => null, (error: unknown) => error)

const fullAccess = await app.vellum.auth.tokens.create({ name: 'client full access', type: 'full-access' })
const readOnly = await app.vellum.auth.tokens.create({ name: 'client read only', type: 'read-only' })

t.test('a full-access token: create, find, findOne, update, delete', async (t) => {
  const articles = strapi({ baseURL, auth: fullAccess.accessKey }).collection('articles')
  const created = await articles.create({ title: 'Through a token', views: 2 })
  t.match(created.data, { title: 'Through a token', views: 2 })
  const { documentId } = created.data
  t.same((await articles.find({ filters: { title: 'Through a token' }, fields: ['title'] })).data.map(entry => entry.documentId), [documentId])
  t.equal((await articles.update(documentId, { title: 'Renamed through a token' })).data.title, 'Renamed through a token')
  t.equal((await articles.findOne(documentId)).data.title, 'Renamed through a token')
  t.equal(await articles.delete(documentId), undefined)
  t.same((await articles.find({ filters: { documentId } })).data, [])
})

t.test('a read-only token reads, and its writes are the client\'s HTTPForbiddenError', async (t) => {
  const { documentId } = await app.vellum.documents('api::article.article').create({ data: { title: 'Readable' }, status: 'published' })
  const articles = strapi({ baseURL, auth: readOnly.accessKey }).collection('articles')
  t.equal((await articles.findOne(documentId)).data.title, 'Readable')
  t.type(await rejection(articles.create({ title: 'Refused' })), HTTPForbiddenError)
  t.type(await rejection(articles.update(documentId, { title: 'Refused' })), HTTPForbiddenError)
  t.type(await rejection(articles.delete(documentId)), HTTPForbiddenError)
  t.equal((await app.vellum.documents('api::article.article').findOne({ documentId }))?.title, 'Readable', 'nothing was written')
})

t.test('a key nobody knows is the client\'s HTTPAuthorizationError, never public access', async (t) => {
  t.type(await rejection(strapi({ baseURL, auth: 'f'.repeat(256) }).collection('articles').find()), HTTPAuthorizationError)
})

t.test('no credential is the public role, which may do nothing here', async (t) => {
  t.type(await rejection(strapi({ baseURL }).collection('articles').find()), HTTPForbiddenError)
})

const A = 'api::article.article'

t.test('a JWT from /api/auth/local drives @strapi/client: create, find, findOne, update, delete; a denied action is 403', async (t) => {
  const app = await buildApp(t, {
    usersPermissions: { jwtSecret: 'client-test-secret', bcryptRounds: 4 },
    permissions: { authenticated: ['create', 'find', 'findOne', 'update', 'delete'].map(action => `${A}.${action}`) }
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('not listening on a port')
  const baseURL = `http://127.0.0.1:${address.port}/api`

  const registered = await fetch(`${baseURL}/auth/local/register`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'writer', email: 'writer@example.com', password: 'password-1' })
  })
  t.equal(registered.status, 200)
  const login = await fetch(`${baseURL}/auth/local`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identifier: 'writer@example.com', password: 'password-1' })
  })
  const { jwt } = await login.json() as { jwt: string }

  const articles = strapi({ baseURL, auth: jwt }).collection('articles')
  const created = await articles.create({ title: 'Written with a JWT' })
  t.match(created.data, { title: 'Written with a JWT' })
  t.same((await articles.find()).data.map(entry => entry.title), ['Written with a JWT'])
  t.equal((await articles.findOne(created.data.documentId)).data.title, 'Written with a JWT')
  t.equal((await articles.update(created.data.documentId, { title: 'Edited' })).data.title, 'Edited')
  t.equal(await articles.delete(created.data.documentId), undefined)

  await app.vellum.auth.roles.revoke('authenticated', [`${A}.create`])
  await t.rejects(articles.create({ title: 'No longer allowed' }), { name: 'HTTPForbiddenError' })
  await t.rejects(strapi({ baseURL }).collection('articles').find(), { name: 'HTTPForbiddenError' }, 'without the JWT: the public role, which may not find')
})
