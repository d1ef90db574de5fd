/**
 * The README's "Users & Permissions" example runs as written: its code block is taken from README.md and run
 * with `app` in scope.
 */
import t from 'tap'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { LightMyRequestResponse } from 'fastify'
import { buildApp } from '../helpers/app.js'

const readme = await readFile(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8')
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
