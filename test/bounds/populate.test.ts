/**
 * The related rows one read may build across its populate (`bounds.maxPopulatedRows`): the populate
 * bomb answers 400 at once, naming the bound, and a read at the bound is answered whole.
 */
import t from 'tap'
import qs from 'qs'
import { isError, sender } from '../http/rest/helpers.js'
import { tracedBlogApp } from './helpers.js'

// 20 articles × 10 tags, every tag on every article.
const { app } = await tracedBlogApp(t, { bounds: { maxPopulatedRows: 10_000 } })
const send = sender(app)
const tags: string[] = []
for (let i = 0; i < 10; i++) tags.push((await send('POST', '/api/tags', { data: { name: `tag ${i}` } })).body.data.documentId as string)
for (let i = 0; i < 20; i++) {
  const reply = await send('POST', '/api/articles?status=published', { data: { title: `article ${i}`, tags } })
  if (reply.status !== 201) throw new Error(reply.text)
}

const BOMB = 'populate[tags][populate][articles][populate][tags][populate][articles][fields][0]=title'

t.test('the populate bomb: 400 naming the bound, quickly', async (t) => {
  const started = performance.now()
  const reply = await send('GET', `/api/articles?${BOMB}`)
  const elapsed = performance.now() - started
  isError(t, reply, 400, 'ValidationError', 'Too many related rows to populate: at most 10000 allowed (bounds.maxPopulatedRows)', {
    source: 'query', param: 'populate', limit: 'bounds.maxPopulatedRows', max: 10_000
  })
  // 844,200 related rows (200 + 4,000 + 40,000 + 800,000) would be built otherwise.
  t.ok(elapsed < 3000, `answered in ${Math.round(elapsed)} ms`)
})

t.test('the bound counts every level, rows at the bound are built', async (t) => {
  // One level: 200 tags over the page; two levels: 200 + 4,000.
  const bounded = (await tracedBlogApp(t, { bounds: { maxPopulatedRows: 200 } })).app
  const send = sender(bounded)
  const tagIds: string[] = []
  for (let i = 0; i < 10; i++) tagIds.push((await send('POST', '/api/tags', { data: { name: `tag ${i}` } })).body.data.documentId as string)
  for (let i = 0; i < 20; i++) await send('POST', '/api/articles?status=published', { data: { title: `article ${i}`, tags: tagIds } })
  const one = await send('GET', '/api/articles?populate=tags')
  t.equal(one.status, 200, 'at the bound')
  t.equal(one.body.data.length, 20)
  t.equal(one.body.data[19].tags.length, 10)
  const counted = await send('GET', `/api/articles?${qs.stringify({ populate: { tags: { count: true } } })}`)
  t.equal(counted.status, 200, 'a counted relation builds no rows')
  const two = await send('GET', `/api/articles?${qs.stringify({ populate: { tags: { populate: ['articles'] } } })}`)
  isError(t, two, 400, 'ValidationError', 'Too many related rows to populate: at most 200 allowed (bounds.maxPopulatedRows)')
  const paged = await send('GET', '/api/articles?populate=tags&pagination[pageSize]=19')
  t.equal(paged.status, 200)
  const filters = { name: { $eq: 'tag 0' } }
  const filtered = await send('GET', `/api/articles?${qs.stringify({ populate: { tags: { filters, populate: { articles: { filters: { title: { $eq: 'article 0' } } } } } } })}`)
  t.equal(filtered.status, 200, 'only rows the filters keep count: 20 + 20')
  const unfiltered = await send('GET', `/api/articles?${qs.stringify({ populate: { tags: { filters, populate: ['articles'] } } })}`)
  isError(t, unfiltered, 400, 'ValidationError', /bounds\.maxPopulatedRows/)
  isError(t, await send('GET', `/api/articles/${String(one.body.data[0].documentId)}?populate[tags][populate]=articles`), 400, 'ValidationError',
    /bounds\.maxPopulatedRows/, undefined)
})

t.test('the Document Service is bounded too', async (t) => {
  const documents = app.vellum.documents('api::article.article')
  await t.rejects(documents.findMany({ status: 'published', populate: { tags: { populate: { articles: { populate: { tags: { populate: ['articles'] } } } } } } }),
    { name: 'ValidationError', message: /bounds\.maxPopulatedRows/ })
  const entries = await documents.findMany({ status: 'published', populate: { tags: { populate: ['articles'] } } })
  t.equal(entries.length, 20, '4,200 rows: under the bound')
})

t.test('a populated to-many relation takes a window: start/limit or page/pageSize', async (t) => {
  const names = (reply: { body: { data: Array<{ tags: Array<{ name: string }> }> } }): string[] => reply.body.data[0]!.tags.map(tag => tag.name)
  const limited = await send('GET', `/api/articles?${qs.stringify({ populate: { tags: { limit: 3, start: 2, sort: 'name' } } })}`)
  t.equal(limited.status, 200)
  t.same(names(limited), ['tag 2', 'tag 3', 'tag 4'])
  const paged = await send('GET', `/api/articles?${qs.stringify({ populate: { tags: { page: 2, pageSize: 4, sort: 'name' } } })}`)
  t.same(names(paged), ['tag 4', 'tag 5', 'tag 6', 'tag 7'])
  // Each window is known from the query: the bomb with limits builds 20·2 + 40·2 + 80·2 + 160·2 = 600 rows.
  const window = { limit: 2 }
  const bounded = { populate: { tags: { ...window, populate: { articles: { ...window, populate: { tags: { ...window, populate: { articles: { ...window, fields: ['title'] } } } } } } } } }
  const deep = await send('GET', `/api/articles?${qs.stringify(bounded)}`)
  t.equal(deep.status, 200, 'the bomb, windowed, is answered')
  t.equal(deep.body.data[0].tags[0].articles[0].tags[0].articles.length, 2)
  const mixed = await send('GET', `/api/articles?${qs.stringify({ populate: { tags: { start: 1, pageSize: 2 } } })}`)
  isError(t, mixed, 400, 'PaginationError', 'Invalid pagination attributes. You cannot use page and offset pagination in the same query')
  const negative = await send('GET', '/api/articles?populate[tags][limit]=0')
  isError(t, negative, 400, 'ValidationError', 'Invalid value for populate at tags.limit: expected an integer greater than or equal to 1')
  const toOne = await send('GET', '/api/articles?populate[category][limit]=1')
  isError(t, toOne, 400, 'ValidationError', 'Invalid key limit at category', undefined)
})

t.test('a read of one entry limits its lists to the bound instead of counting first; near the bound it counts', async (t) => {
  const bound = 6
  const traced = await tracedBlogApp(t, { bounds: { maxPopulatedRows: bound } })
  const send = sender(traced.app)
  const tagIds: string[] = []
  for (let i = 0; i < bound + 1; i++) tagIds.push((await send('POST', '/api/tags', { data: { name: `tag ${i}` } })).body.data.documentId as string)
  const category = (await send('POST', '/api/categories', { data: { name: 'news' } })).body.data.documentId as string
  const article = async (data: Record<string, unknown>): Promise<string> => {
    const reply = await send('POST', '/api/articles?status=published', { data: { title: 'x', ...data } })
    if (reply.status !== 201) throw new Error(reply.text)
    return reply.body.data.documentId as string
  }
  const atBound = await article({ tags: tagIds.slice(0, bound) })
  const overBound = await article({ tags: tagIds })
  const withCategory = await article({ tags: tagIds.slice(0, bound), category })
  const read = async (documentId: string, query: Record<string, unknown>): Promise<{ reply: Awaited<ReturnType<typeof send>>, statements: number, text: string }> => {
    traced.statements.length = 0
    const reply = await send('GET', `/api/articles/${documentId}?${qs.stringify(query)}`)
    return { reply, statements: traced.statements.length, text: traced.statements.join('\n') }
  }

  const whole = await read(atBound, { populate: ['tags'] })
  t.equal(whole.reply.status, 200)
  t.equal(whole.reply.body.data.tags.length, bound, 'every tag at the bound')
  t.equal(whole.statements, 1, 'one statement')
  t.notMatch(whole.text, /count\(\*\)/, 'nothing counted first')
  t.match(whole.text, `LIMIT ${bound + 1}`, 'the list limited to one over the bound')
  const over = await read(overBound, { populate: ['tags'] })
  isError(t, over.reply, 400, 'ValidationError', `Too many related rows to populate: at most ${bound} allowed (bounds.maxPopulatedRows)`, {
    source: 'query', param: 'populate', limit: 'bounds.maxPopulatedRows', max: bound
  })
  t.equal(over.statements, 2, 'the capped read, then the count')
  // A to-one counts as one row before it is read: 1 + 6 may be over, so it is counted: the category is null.
  const near = await read(atBound, { populate: ['tags', 'category'] })
  t.equal(near.reply.status, 200, 'a null category builds no row')
  t.equal(near.reply.body.data.tags.length, bound)
  t.equal(near.statements, 2)
  isError(t, (await read(withCategory, { populate: ['tags', 'category'] })).reply, 400, 'ValidationError', /bounds\.maxPopulatedRows/)
  const star = await read(atBound, { populate: '*' })
  t.equal(star.reply.status, 200, 'populate=*')
  t.equal(star.reply.body.data.tags.length, bound)
  const small = await read(await article({ tags: tagIds.slice(0, 1) }), { populate: '*' })
  t.equal(small.reply.status, 200)
  t.equal(small.statements, 1, 'populate=* well under the bound: one statement')

  const documents = traced.app.vellum.documents('api::article.article')
  await t.rejects(documents.findOne({ documentId: overBound, status: 'published', populate: ['tags'] }), { name: 'ValidationError', message: /bounds\.maxPopulatedRows/ })
  const entry = await documents.findOne({ documentId: atBound, status: 'published', populate: ['tags'] })
  t.equal((entry?.tags as unknown[] | undefined)?.length, bound, 'the Document Service reads at the bound whole')

  // A zone is a list too: its items that exist, up to the cap.
  const page = async (count: number): Promise<string> => {
    const sections = Array.from({ length: count }, (_, i) => ({ __component: 'content.quote', text: `quote ${i}` }))
    return (await send('POST', '/api/pages', { data: { title: `${count}`, sections } })).body.data.documentId as string
  }
  const full = await send('GET', `/api/pages/${await page(bound)}?populate=sections`)
  t.equal(full.status, 200)
  t.same(full.body.data.sections.map((s: { text: string }) => s.text), Array.from({ length: bound }, (_, i) => `quote ${i}`), 'in order, whole')
  isError(t, await send('GET', `/api/pages/${await page(bound + 1)}?populate=sections`), 400, 'ValidationError', /bounds\.maxPopulatedRows/)
})
