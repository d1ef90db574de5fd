/**
 * Round trips a REST write costs on the wire, transaction control included (BEGIN, COMMIT, savepoints), counted
 * by the benchmark's proxy in front of the machine's PostgreSQL on one connection, once its statements are
 * prepared. And generated uids under concurrency: two app instances on one database (each value is reserved
 * by its base's lock until its write commits).
 */
import t from 'tap'
import { createWireCounter } from '../../../benchmarks/wire-counter.js'
import { createPostgresDatabase } from '../../helpers/db.js'
import { blogApp, sender } from './helpers.js'

const { url } = await createPostgresDatabase(t)
const counter = await createWireCounter({ host: '127.0.0.1', port: 5432 })
t.teardown(() => counter.close())
const proxied = new URL(url)
proxied.port = String(counter.port)
const app = await blogApp(t, { database: { url: proxied.toString(), max: 1 } })
const send = sender(app)

/** The round trips of `fn`'s second run (the first prepares the statements on the connection). */
async function roundTrips (fn: () => Promise<unknown>): Promise<number> {
  await fn()
  counter.reset()
  await fn()
  return counter.counts().roundTrips
}

const category = (await send('POST', '/api/categories', { data: { name: 'News' } })).body.data
const tags = [(await send('POST', '/api/tags', { data: { name: 'a' } })).body.data, (await send('POST', '/api/tags', { data: { name: 'b' } })).body.data]

t.test('the benchmark\'s create (a generated slug, a to-one and a to-many connect): 1 round trip', async (t) => {
  const created: Array<Record<string, any>> = []
  const n = await roundTrips(async () => {
    const reply = await send('POST', '/api/articles', {
      data: { title: 'bench-post', views: 42, category: { connect: [category.documentId] }, tags: { connect: tags.map(tag => tag.documentId) } }
    })
    t.equal(reply.status, 201)
    created.push(reply.body.data)
  })
  t.same(created.map(entry => entry.slug), ['bench-post', 'bench-post-1'])
  // The rows with their links and slug, committing on their own (no BEGIN, no COMMIT), answering the published
  // row: nothing is read back.
  t.equal(n, 1, 'round trips')
})

t.test('a REST update with relations: 9 round trips, no savepoint', async (t) => {
  const article = (await send('POST', '/api/articles?status=draft', { data: { title: 'Before', tags: [tags[0].documentId] } })).body.data
  let flip = false
  const n = await roundTrips(async () => {
    flip = !flip
    const reply = await send('PUT', `/api/articles/${String(article.documentId)}?status=draft`, {
      data: { title: flip ? 'After' : 'Again', category: category.documentId, tags: { connect: [{ documentId: tags[1].documentId, position: { start: true } }] } }
    })
    t.equal(reply.status, 200)
  })
  // BEGIN; the document's lock; its rows (unprepared: 2); the targets; the row with its links; every change; the response;
  // COMMIT. With a savepoint per write and the targets' read unprepared: 11.
  t.equal(n, 9, 'round trips')
})

t.test('creates of a draft with a generated slug: 4 round trips, with a component too', async (t) => {
  const draft = await roundTrips(async () => {
    t.equal((await send('POST', '/api/articles?status=draft', { data: { title: 'A draft', tags: { connect: [tags[0].documentId] } } })).status, 201)
  })
  // BEGIN; the slug's lock; the row with its links and slug, answering it; COMMIT.
  t.equal(draft, 4, 'a draft: round trips')
  const composed = await roundTrips(async () => {
    t.equal((await send('POST', '/api/articles?status=draft', { data: { title: 'Composed', seo: { metaTitle: 'm' } } })).status, 201)
  })
  // BEGIN; the slug's lock; the row with its slug and component rows, answering it; COMMIT.
  t.equal(composed, 4, 'with a component: round trips')
})

t.test('a publish: 10 round trips, no savepoint', async (t) => {
  const articles = app.vellum.documents('api::article.article')
  const { documentId } = await articles.create({ data: { title: 'To publish' } })
  const n = await roundTrips(async () => {
    t.equal((await articles.publish({ documentId })).entries.length, 1)
  })
  // With the document's lock; with a savepoint per write: 11.
  t.equal(n, 10, 'round trips')
})

t.test('two app instances on one database creating documents of one title at once: all succeed, distinct slugs', async (t) => {
  const other = sender(await blogApp(t, { database: { url } }))
  const senders = [send, other]
  const bodies = [
    { data: { title: 'Same title', category: { connect: [category.documentId] }, tags: { connect: tags.map(tag => tag.documentId) } } },
    // With components: the step-by-step create.
    { data: { title: 'Same title', seo: { metaTitle: 'm' } } }
  ]
  const replies = await Promise.all(Array.from({ length: 16 }, (_, i) => senders[i % 2]!('POST', '/api/articles', bodies[Math.floor(i / 2) % 2])))
  t.same(replies.map(reply => reply.status), Array(16).fill(201), 'no create failed')
  const slugs = replies.map(reply => String(reply.body.data.slug)).sort()
  t.same(slugs, ['same-title', ...Array.from({ length: 15 }, (_, i) => `same-title-${i + 1}`)].sort(), 'distinct, the first free suffixes')
})

t.test('two app instances creating drafts of one title at once (outside the unique index): distinct slugs', async (t) => {
  const other = sender(await blogApp(t, { database: { url } }))
  const senders = [send, other]
  const bodies = [{ data: { title: 'Draft title' } }, { data: { title: 'Draft title', seo: { metaTitle: 'm' } } }]
  const replies = await Promise.all(Array.from({ length: 16 }, (_, i) => senders[i % 2]!('POST', '/api/articles?status=draft', bodies[Math.floor(i / 2) % 2])))
  t.same(replies.map(reply => reply.status), Array(16).fill(201), 'no create failed')
  const slugs = replies.map(reply => String(reply.body.data.slug)).sort()
  t.same(slugs, ['draft-title', ...Array.from({ length: 15 }, (_, i) => `draft-title-${i + 1}`)].sort(), 'distinct, the first free suffixes')
})
