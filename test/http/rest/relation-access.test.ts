/**
 * Relation writes respect read permission (contract §12, §21): a write naming a relation to a content type
 * the caller may not read is refused with Strapi's validateInput answer, 400 "Invalid key <attribute>", at
 * any depth (components included) and in every relation form, before anything is written. The answer depends
 * on the attribute only, so it is the same whether the ids given exist or not: no oracle.
 */
import t from 'tap'
import { blogApp, isError, sender } from './helpers.js'
import { seedBlog } from './seed.js'

const ARTICLE = 'api::article.article'
// Articles may be written and read; authors may not be read.
const PUBLIC = [`${ARTICLE}.create`, `${ARTICLE}.update`, `${ARTICLE}.find`, `${ARTICLE}.findOne`, 'api::tag.tag.find']
const app = await blogApp(t, { permissions: { public: PUBLIC } })
const send = sender(app)
const blog = await seedBlog(app)
const annId = (await app.vellum.documents('api::author.author').findOne({ documentId: blog.ann }))!.id as number

async function articleCount (): Promise<number> {
  return await app.vellum.documents(ARTICLE).count({ status: 'draft' })
}

t.test('connecting an author the caller may not read: 400 Invalid key author, nothing written', async (t) => {
  const before = await articleCount()
  const res = await send('POST', '/api/articles', { data: { title: 'Linked', author: { connect: [{ id: annId }] } } })
  isError(t, res, 400, 'ValidationError', 'Invalid key author', { key: 'author', path: 'author', source: 'body' })
  t.equal(await articleCount(), before, 'no article created')
  const ann = await app.vellum.documents('api::author.author').findOne({ documentId: blog.ann, populate: { articles: { fields: ['title'] } } })
  t.notOk((ann?.articles as Array<{ title: string }>).some(a => a.title === 'Linked'), 'Ann is linked to nothing new')
})

t.test('the same answer whether the target exists or not: no existence oracle', async (t) => {
  const bodies = new Set<string>()
  for (const author of [{ connect: [{ id: annId }] }, { connect: [{ id: 999_999 }] }, { connect: [blog.ann] }, { connect: ['no-such-document'] },
    blog.ann, 'no-such-document', { set: [{ documentId: blog.bob }] }, { set: [{ documentId: 'nope' }] }]) {
    const res = await send('POST', '/api/articles', { data: { title: 'Probe', author } })
    t.equal(res.status, 400)
    bodies.add(res.text)
  }
  t.equal(bodies.size, 1, 'one body for every id')
})

t.test('every form of the relation is refused, clearing included', async (t) => {
  for (const reviewer of [null, [], { disconnect: [blog.ann] }, { set: [] }, { connect: [] }]) {
    isError(t, await send('PUT', `/api/articles/${blog.beta}`, { data: { reviewer } }), 400, 'ValidationError', 'Invalid key reviewer',
      { key: 'reviewer', path: 'reviewer', source: 'body' })
  }
  const beta = await app.vellum.documents(ARTICLE).findOne({ documentId: blog.beta, populate: { reviewer: true } })
  t.equal((beta?.reviewer as { documentId: string } | null)?.documentId, blog.ann, 'the reviewer is unchanged')
})

t.test('relations the caller may read are written as before', async (t) => {
  const res = await send('POST', '/api/articles?populate=tags', { data: { title: 'Tagged', tags: { connect: [blog.red] } } })
  t.equal(res.status, 201)
  t.same(res.body.data.tags.map((tag: { documentId: string }) => tag.documentId), [blog.red])
  isError(t, await send('POST', '/api/articles', { data: { title: 'Missing tag', tags: ['no-such-tag'] } }), 400, 'ValidationError',
    /not found/, undefined)
})

t.test('inside a component: 400 naming the path, for a single type too', async (t) => {
  // The homepage's relations all target articles, which this caller may not read.
  const home = await blogApp(t, { permissions: { public: ['api::homepage.homepage.update', 'api::homepage.homepage.find'] } })
  const send = sender(home)
  isError(t, await send('PUT', '/api/homepage', { data: { title: 'Home', hero: { heading: 'Hi', article: blog.alpha } } }), 400, 'ValidationError',
    'Invalid key article', { key: 'article', path: 'hero.article', source: 'body' })
  isError(t, await send('PUT', '/api/homepage', { data: { title: 'Home', highlight: blog.alpha } }), 400, 'ValidationError',
    'Invalid key highlight', { key: 'highlight', path: 'highlight', source: 'body' })
  t.equal((await send('PUT', '/api/homepage', { data: { title: 'Home', hero: { heading: 'Hi' } } })).status, 200, 'without the relation the write passes')
})

t.test('a controller that replaces validateInput: the core sanitizeInput drops the relation', async (t) => {
  const lenient = await blogApp(t, {
    permissions: { public: [`${ARTICLE}.create`, `${ARTICLE}.find`] },
    controllers: [{ kind: 'controller-factory', uid: ARTICLE, extend: () => ({ async validateInput () {} }) }]
  })
  const ann = await lenient.vellum.documents('api::author.author').create({ data: { name: 'Ann' } })
  const res = await sender(lenient)('POST', '/api/articles', { data: { title: 'Lenient', author: { connect: [{ id: ann.id }] }, seo: { metaTitle: 'm' } } })
  t.equal(res.status, 201)
  const written = await lenient.vellum.documents(ARTICLE).findOne({ documentId: res.body.data.documentId, populate: { author: true, seo: true } })
  t.equal(written?.title, 'Lenient')
  t.equal(written?.author, null, 'the author was not linked')
  t.equal((written?.seo as { metaTitle: string } | null)?.metaTitle, 'm', 'the rest of the data was written')
})
