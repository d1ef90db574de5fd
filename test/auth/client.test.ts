/**
 * A real client, as a front end uses Users & Permissions: a JWT from POST /api/auth/local given to Strapi's
 * official client (@strapi/client, `auth: '<jwt>'`) performs CRUD within the authenticated role's permissions
 * over real HTTP, and a denied action surfaces as the client's HTTPForbiddenError.
 */
import t from 'tap'
import { strapi } from '@strapi/client'
import { buildApp } from '../helpers/app.js'

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
