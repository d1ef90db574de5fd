/**
 * Array sizes inside bodies (`bounds.maxBodyArrayLength`, `bounds.maxBodyComponents`): a body over a bound is
 * a 400 naming it before any SQL runs; one just under the bounds is written whole, however many values it binds.
 */
import t from 'tap'
import { isError, sender } from '../http/rest/helpers.js'
import { tracedBlogApp } from './helpers.js'

// Bodies of megabytes: the byte limit is not what these tests are about.
const { app, statements } = await tracedBlogApp(t, { rest: { bodyLimit: 16 * 1024 * 1024 } })
const send = sender(app)

t.test('20,000 zone items: 400 naming the bound, no SQL', async (t) => {
  const blocks = Array.from({ length: 20_000 }, (_, i) => ({ __component: 'content.quote', text: `q${i}` }))
  statements.length = 0
  const reply = await send('POST', '/api/articles', { data: { title: 'Zone', blocks } })
  isError(t, reply, 400, 'ValidationError', 'Too many components at blocks: at most 1000 allowed (bounds.maxBodyArrayLength)', {
    key: 'blocks', path: 'blocks', source: 'body', limit: 'bounds.maxBodyArrayLength', max: 1000
  })
  t.same(statements, [], 'no statement ran')
})

t.test('100,000 relation ids, as a list or in connect: 400 naming the bound, no SQL', async (t) => {
  const ids = Array.from({ length: 100_000 }, (_, i) => ({ id: i + 1 }))
  statements.length = 0
  const list = await send('POST', '/api/articles', { data: { title: 'Links', tags: ids } })
  isError(t, list, 400, 'ValidationError', /^Too many relations at tags: at most 1000 allowed \(bounds\.maxBodyArrayLength\)$/)
  const connect = await send('POST', '/api/articles', { data: { title: 'Links', tags: { connect: ids } } })
  isError(t, connect, 400, 'ValidationError', /^Too many relations at tags\.connect: /)
  t.equal(connect.body.error.details.path, 'tags.connect')
  t.same(statements, [], 'no statement ran')
})

t.test('an update is bounded before it reads the document', async (t) => {
  const created = await send('POST', '/api/articles', { data: { title: 'Existing' } })
  t.equal(created.status, 201)
  const ids = Array.from({ length: 1001 }, (_, i) => ({ id: i + 1 }))
  statements.length = 0
  const reply = await send('PUT', `/api/articles/${String(created.body.data.documentId)}`, { data: { relatedArticles: { set: ids } } })
  isError(t, reply, 400, 'ValidationError', /^Too many relations at relatedArticles\.set: at most 1000/)
  t.same(statements, [], 'no statement ran')
})

t.test('component items are counted across the body', async (t) => {
  const bounded = await tracedBlogApp(t, { bounds: { maxBodyComponents: 10 } })
  // The article's seo component holds one item: 1 + 10 zone items is over 10.
  const blocks = Array.from({ length: 10 }, (_, i) => ({ __component: 'content.quote', text: `q${i}` }))
  const reply = await sender(bounded.app)('POST', '/api/articles', { data: { title: 'Many', seo: { metaTitle: 'x' }, blocks } })
  isError(t, reply, 400, 'ValidationError', 'Too many components in the body at blocks: at most 10 allowed (bounds.maxBodyComponents)')
})

t.test('a body just under the bounds is written whole', async (t) => {
  const tags: string[] = []
  for (let i = 0; i < 20; i++) tags.push((await send('POST', '/api/tags', { data: { name: `t${i}` } })).body.data.documentId as string)
  // 500 zone items of two fields each (thousands of values to bind) and 1,000 relation ids.
  const blocks = Array.from({ length: 500 }, (_, i) => ({ __component: 'content.quote', text: `quote ${i}`, author: `author ${i}` }))
  const related = Array.from({ length: 1000 }, (_, i) => ({ documentId: tags[i % tags.length]! }))
  const reply = await send('POST', '/api/pages?populate[sections]=true&populate[tags][count]=true', { data: { title: 'Full', sections: blocks, tags: related } })
  t.equal(reply.status, 201, reply.text.slice(0, 300))
  t.equal(reply.body.data.sections.length, 500, 'every zone item')
  t.equal(reply.body.data.sections[499].text, 'quote 499')
  t.same(reply.body.data.tags, { count: 20 })
})
