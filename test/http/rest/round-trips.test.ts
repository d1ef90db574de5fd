/**
 * Statements a REST write sends, counted from the SQL trace log: a write is a small fixed number of
 * statements whatever its payload (issue 13's write plan).
 */
import Fastify from 'fastify'
import t from 'tap'
import vellum from '../../../lib/index.js'
import { createTestDatabase, databaseOption, isTransactionControl } from '../../helpers/db.js'
import { BLOG_DIR, sender } from './helpers.js'

const statements: string[] = []
const app = Fastify({
  logger: {
    level: 'trace',
    stream: {
      write: (line: string) => {
        const entry = JSON.parse(line) as { msg?: string, sql?: string }
        if (entry.msg === 'sql' && entry.sql !== undefined && !isTransactionControl(entry.sql)) statements.push(entry.sql)
      }
    }
  },
  pluginTimeout: 120_000
})
t.teardown(() => app.close())
await app.register(vellum, {
  dir: BLOG_DIR,
  contentTypes: [],
  i18n: { locales: ['en', 'fr'], defaultLocale: 'en' },
  permissions: { public: '*' },
  database: databaseOption(await createTestDatabase(t))
})
await app.ready()
const send = sender(app)

async function counted (fn: () => Promise<unknown>): Promise<string[]> {
  statements.length = 0
  await fn()
  return [...statements]
}

t.test('a REST update with relations: 6 statements', async (t) => {
  const category = (await send('POST', '/api/categories', { data: { name: 'News' } })).body.data
  const a = (await send('POST', '/api/tags', { data: { name: 'a' } })).body.data
  const b = (await send('POST', '/api/tags', { data: { name: 'b' } })).body.data
  const article = (await send('POST', '/api/articles?status=draft', { data: { title: 'Before', tags: [a.documentId] } })).body.data
  let reply: Awaited<ReturnType<typeof send>> | undefined
  const seen = await counted(async () => {
    reply = await send('PUT', `/api/articles/${String(article.documentId)}?status=draft&populate=*`, {
      data: { title: 'After', category: category.documentId, tags: { connect: [{ documentId: b.documentId, position: { start: true } }] } }
    })
  })
  t.equal(reply?.status, 200)
  t.equal(reply?.body.data.title, 'After')
  t.same(reply?.body.data.tags.map((tag: { name: string }) => tag.name), ['b', 'a'], 'connected first, as positioned')
  t.equal(reply?.body.data.category.name, 'News')
  // The document's lock (a statement of its own: a read waiting for it inside would see the snapshot taken
  // before it waited); the document's rows; the targets of every relation; the row with its links and the
  // targets found; every change (row and links); the response.
  t.equal(seen.length, 6, 'statements')
  t.match(seen[0], /pg_advisory_xact_lock/, 'the document\'s lock first')
  t.notMatch(seen[1], /_lnk|_cmps/, 'the rows are read without their relations and components')
})

t.test('a REST create of a draft with positioned relations: 3 statements; of a type without draft & publish: 1', async (t) => {
  const [x, y] = [(await send('POST', '/api/tags', { data: { name: 'x' } })).body.data, (await send('POST', '/api/tags', { data: { name: 'y' } })).body.data]
  let reply: Awaited<ReturnType<typeof send>> | undefined
  const positioned = await counted(async () => {
    reply = await send('POST', '/api/articles?status=draft&populate=tags', {
      data: { title: 'Positioned', tags: { connect: [x.documentId, { documentId: y.documentId, position: { before: x.documentId } }] } }
    })
  })
  t.equal(reply?.status, 201)
  t.same(reply?.body.data.tags.map((tag: { name: string }) => tag.name), ['y', 'x'])
  // The slug's lock (a draft's slug is outside the unique index); the document with its links and slug; the response.
  t.equal(positioned.length, 3, 'statements')
  const plain = await counted(async () => { reply = await send('POST', '/api/categories', { data: { name: 'Plain' } }) })
  t.equal(reply?.status, 201)
  t.match(reply?.body.data, { name: 'Plain', slug: 'plain', publishedAt: String })
  // One statement writes the row and answers it: nothing populated, nothing read back.
  t.equal(plain.length, 1, 'statements')
})

t.test('a REST create of a draft with components and a dynamic zone: 3 statements', async (t) => {
  let reply: Awaited<ReturnType<typeof send>> | undefined
  const seen = await counted(async () => {
    reply = await send('POST', '/api/articles?status=draft&populate=*', {
      data: { title: 'Composed', seo: { metaTitle: 'm' }, blocks: [{ __component: 'content.quote', text: 'q' }, { __component: 'content.rich-text', body: 'b' }] }
    })
  })
  t.equal(reply?.status, 201)
  t.match(reply?.body.data.seo, { metaTitle: 'm', noIndex: false }, 'defaults applied')
  t.match(reply?.body.data.blocks, [{ __component: 'content.quote', text: 'q' }, { __component: 'content.rich-text', body: 'b' }], 'in order')
  // The slug's lock; the row with its slug, component rows and their join rows; the response.
  t.equal(seen.length, 3, 'statements')
})

t.test('a REST update replacing components and a dynamic zone: 6 statements', async (t) => {
  const article = (await send('POST', '/api/articles?status=draft', { data: { title: 'Recomposed', seo: { metaTitle: 'm' }, blocks: [{ __component: 'content.quote', text: 'q' }] } })).body.data
  let reply: Awaited<ReturnType<typeof send>> | undefined
  const seen = await counted(async () => {
    reply = await send('PUT', `/api/articles/${String(article.documentId)}?status=draft&populate=*`, {
      data: { seo: { metaTitle: 'n' }, blocks: [{ __component: 'content.rich-text', body: 'b' }, { __component: 'content.quote', text: 'r' }] }
    })
  })
  t.equal(reply?.status, 200)
  t.match(reply?.body.data.seo, { metaTitle: 'n' })
  t.match(reply?.body.data.blocks, [{ __component: 'content.rich-text', body: 'b' }, { __component: 'content.quote', text: 'r' }])
  // The document's lock; its rows; the row with its items; every change; the other locales' rows (shared
  // attributes); the response.
  t.equal(seen.length, 6, 'statements')
})
