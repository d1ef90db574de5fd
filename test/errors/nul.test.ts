/**
 * A NUL character (`%00`) in a documentId: PostgreSQL text cannot hold one, so no document has it. Every action
 * answers a 400 in the envelope, never a 500 (the fuzz test found `DELETE /api/articles/%00?a[__proto__][b]=1`
 * once unknown query parameters were ignored instead of refused first).
 */
import t from 'tap'
import { buildApp } from '../helpers/app.js'

t.test('a documentId with a NUL character is a 400 on every action', async (t) => {
  const app = await buildApp(t, { permissions: { public: '*' } })
  for (const [method, url] of [['GET', '/api/articles/%00'], ['PUT', '/api/articles/a%00b'], ['DELETE', '/api/articles/%00?a[__proto__][b]=1']] as const) {
    const res = await app.inject({ method, url, ...(method === 'PUT' && { payload: { data: { title: 'x' } } }) })
    t.equal(res.statusCode, 400, `${method} ${url}`)
    t.match(res.json(), { data: null, error: { status: 400, name: 'ValidationError' } }, `${method} ${url}: the envelope`)
  }
  const documents = app.vellum.documents('api::article.article')
  await t.rejects(documents.publish({ documentId: 'a\u0000' }), { name: 'ValidationError', message: 'A documentId cannot contain a NUL (\\u0000) character' })
})
