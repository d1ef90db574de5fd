/**
 * Populate, filters and sanitizing follow what the token may read (contract §26.1): a custom token with
 * `api::tag.tag.find` but not `api::article.article.find` gets tags without their articles, and a 400 "Invalid
 * key" when it filters through them; a read-only or full-access token reads every relation.
 */
import t from 'tap'
import { blogApp, isInvalidKey, sender } from '../http/rest/helpers.js'
import { seedBlog } from '../http/rest/seed.js'

const app = await blogApp(t, { permissions: { public: [] }, apiToken: { salt: 'read-test-salt' } })
const send = sender(app)
await seedBlog(app)
const tokens = app.vellum.auth.tokens
const tagsOnly = await tokens.create({ name: 'tags only', type: 'custom', permissions: ['api::tag.tag.find'] })
const readOnly = await tokens.create({ name: 'read only', type: 'read-only' })
const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` })

t.test('a custom token without find on articles: tags answered without their articles key', async (t) => {
  const reply = await send('GET', '/api/tags?populate=articles', undefined, bearer(tagsOnly.accessKey))
  t.equal(reply.status, 200)
  t.ok(reply.body.data.length > 0)
  t.ok(reply.body.data.every((tag: Record<string, unknown>) => !('articles' in tag)), 'no articles key')
  const star = await send('GET', '/api/tags?populate=*', undefined, bearer(tagsOnly.accessKey))
  t.ok(star.body.data.every((tag: Record<string, unknown>) => !('articles' in tag)), 'populate=* too')
  isInvalidKey(t, await send('GET', '/api/tags?filters[articles][title]=x', undefined, bearer(tagsOnly.accessKey)), 'articles', 'filters')
})

t.test('a read-only token reads the relation; one custom token\'s verdicts do not leak to another (per-caller cache)', async (t) => {
  for (let round = 0; round < 2; round++) {
    const reply = await send('GET', '/api/tags?populate=articles', undefined, bearer(readOnly.accessKey))
    t.equal(reply.status, 200)
    t.ok(reply.body.data.some((tag: { articles?: unknown[] }) => (tag.articles?.length ?? 0) > 0), `round ${round}: articles populated`)
    t.equal((await send('GET', '/api/tags?filters[articles][title]=x', undefined, bearer(readOnly.accessKey))).status, 200)
    isInvalidKey(t, await send('GET', '/api/tags?filters[articles][title]=x', undefined, bearer(tagsOnly.accessKey)), 'articles', 'filters')
  }
})
