/**
 * The README's "Users & Permissions" example runs as written: its code block is taken from README.md and run
 * with `app` in scope.
 */
import t from 'tap'
import { readFile } from 'node:fs/promises'
import type { LightMyRequestResponse } from 'fastify'
import { buildApp } from '../helpers/app.js'
import { createCoreRouter } from '../../lib/index.js'
import { fromRoot } from '../helpers/paths.js'

const readme = await readFile(fromRoot('README.md'), 'utf8')
const section = readme.slice(readme.indexOf('\n## Users & Permissions\n'))
const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1]

t.test('the README\'s users example: create, grant, log in, read with the JWT, block', async (t) => {
  t.ok(code?.includes('auth.users.create'), 'the example is found')
  const app = await buildApp(t, { usersPermissions: { jwtSecret: 'readme-secret', bcryptRounds: 4 } })
  await app.vellum.documents('api::article.article').create({ data: { title: 'Readable' }, status: 'published' })
  const AsyncFunction = (async () => {}).constructor as new (...args: string[]) => (app: unknown) => Promise<{ res: LightMyRequestResponse, jwt: string }>
  const { res, jwt } = await new AsyncFunction('app', `${code!}\nreturn { res, jwt }`)(app)
  t.equal(res.statusCode, 200, 'the request with the JWT is answered')
  t.match(res.json(), { data: [{ title: 'Readable' }] })
  t.equal((await app.inject({ url: '/api/articles', headers: { authorization: `Bearer ${jwt}` } })).statusCode, 401, 'blocked at the end, as written')
  t.equal((await app.inject({ url: '/api/articles' })).statusCode, 403, 'without the JWT: the public may not')
})

const policyCode = /```ts\n([\s\S]*?)```/.exec(section.slice(section.indexOf('**A policy that reads the caller**')))?.[1]

t.test('the README\'s policy reads ctx.state.user: an editor creates, another authenticated user gets 403 PolicyError', async (t) => {
  t.match(policyCode, /^export default /, 'the policy example is found')
  // Imported as the module it is (src/policies/is-editor.js), from a data: URL.
  const { default: policy } = await import(`data:text/javascript,${encodeURIComponent(policyCode!)}`) as { default: (policyContext: unknown) => boolean }
  const A = 'api::article.article'
  const app = await buildApp(t, {
    usersPermissions: { jwtSecret: 'readme-secret', bcryptRounds: 4 },
    permissions: { authenticated: [`${A}.create`] },
    policies: { 'is-editor': policy },
    routes: [createCoreRouter(A, { only: ['create'], config: { create: { policies: ['global::is-editor'] } } })]
  })
  await app.vellum.auth.roles.create({ name: 'Editor', type: 'editor', actions: [`${A}.create`] })
  const users = app.vellum.auth.users
  const editor = users.issue(await users.create({ username: 'eve', email: 'eve@example.com', password: 'editor-password', role: 'editor' }))
  const reader = users.issue(await users.create({ username: 'rob', email: 'rob@example.com', password: 'reader-password' }))
  const post = async (jwt: string): Promise<LightMyRequestResponse> =>
    await app.inject({ method: 'POST', url: '/api/articles', headers: { authorization: `Bearer ${jwt}` }, payload: { data: { title: 'Policy' } } })
  t.equal((await post(editor)).statusCode, 201, 'the editor passes the policy')
  const refused = await post(reader)
  t.equal(refused.statusCode, 403)
  t.equal(refused.json().error.name, 'PolicyError')
})
