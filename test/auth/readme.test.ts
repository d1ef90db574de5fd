/**
 * The README's "API tokens" example runs as written: its code block (plain JavaScript inside a ts fence) is
 * taken from README.md and run with `app` in scope, on an app whose public role may do nothing.
 */
import t from 'tap'
import { readFile } from 'node:fs/promises'
import type { LightMyRequestResponse } from 'fastify'
import { buildApp } from '../helpers/app.js'
import { fromRoot } from '../helpers/paths.js'

const readme = await readFile(fromRoot('README.md'), 'utf8')
const section = readme.slice(readme.indexOf('\n## API tokens\n'))
const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1]

t.test('the README\'s token example: created, used with its key, listed and revoked', async (t) => {
  t.ok(code?.includes('auth.tokens.create'), 'the example is found')
  const app = await buildApp(t, { apiToken: { salt: 'readme-salt' } })
  await app.vellum.documents('api::article.article').create({ data: { title: 'Readable' }, status: 'published' })
  const AsyncFunction = (async () => {}).constructor as new (...args: string[]) => (app: unknown) => Promise<LightMyRequestResponse>
  const res = await new AsyncFunction('app', `${code!}\nreturn res`)(app)
  t.equal(res.statusCode, 200, 'the request with the key is answered')
  t.match(res.json(), { data: [{ title: 'Readable' }] })
  t.same(await app.vellum.auth.tokens.list(), [], 'revoked at the end, as written')
  t.equal((await app.inject({ url: '/api/articles' })).statusCode, 403, 'without the key: the public may not')
})
