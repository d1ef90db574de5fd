/**
 * populate of every relation kind, components and dynamic zones with nested options; select; orderBy
 * (through relations and components); pagination; and the SQL round-trip bound.
 */
import t from 'tap'
import { ValidationError } from '../../lib/errors.js'
import type { Entry, FindParams } from '../../lib/query/index.js'
import { ARTICLE, AUTHOR, CATEGORY, PROFILE, TAG } from './fixtures.js'
import { setup } from './helpers.js'

const { engine, countQueries, reset } = await setup(t)
const articles = engine.query(ARTICLE)
const authors = engine.query(AUTHOR)

const ids = (list: unknown): number[] => (list as Entry[]).map(e => e.id)
const names = (list: unknown, key = 'name'): unknown[] => (list as Entry[]).map(e => e[key])

async function seed (): Promise<Record<string, Entry>> {
  const profile = await engine.query(PROFILE).create({ data: { bio: 'Writes things' } })
  const ann = await authors.create({ data: { name: 'Ann', email: 'ann@example.com', profile: profile.id, address: { city: 'Paris', zip: '75001' } } })
  const bob = await authors.create({ data: { name: 'Bob', email: 'bob@example.com' } })
  const red = await engine.query(TAG).create({ data: { name: 'red' } })
  const blue = await engine.query(TAG).create({ data: { name: 'blue' } })
  const green = await engine.query(TAG).create({ data: { name: 'green' } })
  const news = await engine.query(CATEGORY).create({ data: { name: 'News', note: 'private note' } })
  const first = await articles.create({
    data: {
      title: 'First',
      views: 10,
      author: ann.id,
      editor: bob.id,
      tags: [blue.id, red.id, green.id],
      topics: [green.id],
      category: news.id,
      seo: { metaTitle: 'First SEO', category: news.id, link: { label: 'seo link' } },
      links: [{ label: 'one', position: 1 }, { label: 'two', position: 2 }, { label: 'three', position: 3 }],
      blocks: [
        { __component: 'shared.quote', text: 'To be', by: 'W' },
        { __component: 'shared.link', label: 'a link' },
        { __component: 'shared.seo', metaTitle: 'zone seo', link: { label: 'zone seo link' } },
        { __component: 'shared.quote', text: 'or not', by: 'S' }
      ]
    }
  })
  const second = await articles.create({ data: { title: 'Second', views: 30, author: bob.id, tags: [red.id], related: [first.id], seo: { metaTitle: 'Another' } } })
  const third = await articles.create({ data: { title: 'Third', views: 20, author: ann.id } })
  return { profile, ann, bob, red, blue, green, news, first, second, third }
}

const s = await seed()

t.test('every relation kind, with the contract shapes', async (t) => {
  const first = await articles.findOne({ where: { id: s.first!.id }, populate: ['author', 'editor', 'tags', 'topics', 'category', 'related'] })
  t.match(first, { title: 'First', author: { id: s.ann!.id, name: 'Ann' }, editor: { name: 'Bob' }, category: { name: 'News' } }, 'to-one relations are objects')
  t.same(names(first?.tags), ['blue', 'red', 'green'], 'manyToMany keeps the connect order')
  t.same(names(first?.topics), ['green'], 'one-way manyToMany')
  t.same(first?.related, [], 'empty to-many is []')
  const second = await articles.findOne({ where: { id: s.second!.id }, populate: ['related', 'category', 'editor'] })
  t.same(ids(second?.related), [s.first!.id], 'one-way oneToMany (to its own type)')
  t.equal(second?.category, null, 'empty to-one is null')
  t.equal(second?.editor, null)
  t.notOk('author' in (second ?? {}), 'not populated: no key')

  const ann = await authors.findOne({ where: { id: s.ann!.id }, populate: { articles: true, profile: true } })
  t.same(names(ann?.articles, 'title'), ['First', 'Third'], 'oneToMany inverse side, in link order')
  t.match(ann?.profile, { bio: 'Writes things' }, 'oneToOne owner side')
  const profile = await engine.query(PROFILE).findOne({ populate: { author: true } })
  t.match(profile?.author, { name: 'Ann' }, 'oneToOne inverse side')
  const red = await engine.query(TAG).findOne({ where: { name: 'red' }, populate: { articles: { select: ['title'] } } })
  t.same(red?.articles, [{ id: s.first!.id, documentId: null, title: 'First' }, { id: s.second!.id, documentId: null, title: 'Second' }], 'manyToMany inverse side, with select')
  t.match(first?.author, { createdAt: String, updatedAt: String, publishedAt: null, locale: null, documentId: null }, 'populated rows carry their system fields')
})

t.test('populate forms', async (t) => {
  const where = { id: s.first!.id }
  const keysOf = async (populate: FindParams['populate']): Promise<string[]> => {
    const row = await articles.findOne({ where, populate })
    return ['author', 'editor', 'tags', 'topics', 'category', 'related', 'seo', 'links', 'blocks'].filter(k => row !== null && k in row)
  }
  const all = ['author', 'editor', 'tags', 'topics', 'category', 'related', 'seo', 'links', 'blocks']
  t.same(await keysOf(true), all, 'true: everything, one level')
  t.same(await keysOf('*'), all, "'*'")
  t.same(await keysOf(['author', 'tags']), ['author', 'tags'], 'array')
  t.same(await keysOf('author,seo'), ['author', 'seo'], 'comma-separated string')
  t.same(await keysOf({ author: true, tags: false }), ['author'], 'object, false skipped')
  t.same(await keysOf(undefined), [], 'nothing by default')
  const star = await articles.findOne({ where, populate: '*' })
  t.notOk('profile' in (star?.author as Entry), "'*' is one level")
  t.notOk('link' in (star?.seo as Entry), "'*' does not go into components")
  const dotted = await articles.findOne({ where, populate: ['author.profile', 'author.address', 'seo.link'] })
  t.match(dotted, { author: { profile: { bio: 'Writes things' }, address: { city: 'Paris' } }, seo: { link: { label: 'seo link' } } }, 'dotted paths nest')
  const nestedStar = await articles.findOne({ where, populate: { author: { populate: '*' } } })
  t.match(nestedStar?.author, { profile: { bio: 'Writes things' }, address: { city: 'Paris' }, articles: Array }, 'nested *')
})

t.test('nested options: select, where, orderBy, limit, offset, count', async (t) => {
  const where = { id: s.first!.id }
  const selected = await articles.findOne({ where, select: ['title'], populate: { author: { select: ['name'] } } })
  t.same(selected, { id: s.first!.id, documentId: null, title: 'First', author: { id: s.ann!.id, documentId: null, name: 'Ann' } }, 'select keeps id and documentId')
  const filtered = await articles.findOne({ where, populate: { tags: { where: { name: { $ne: 'red' } } } } })
  t.same(names(filtered?.tags), ['blue', 'green'], 'where on a to-many relation')
  const noMatch = await articles.findMany({ orderBy: 'id', populate: { author: { where: { name: 'Bob' } } } })
  t.same(noMatch.map(a => (a.author as Entry | null)?.name ?? null), [null, 'Bob', null], 'a non-matching to-one becomes null; parents are not filtered')
  const ordered = await articles.findOne({ where, populate: { tags: { orderBy: { name: 'asc' } } } })
  t.same(names(ordered?.tags), ['blue', 'green', 'red'], 'orderBy inside populate')
  const desc = await articles.findOne({ where, populate: { tags: { orderBy: 'name:desc', limit: 2 } } })
  t.same(names(desc?.tags), ['red', 'green'], 'orderBy + limit')
  const page = await articles.findOne({ where, populate: { tags: { limit: 1, offset: 1 } } })
  t.same(names(page?.tags), ['red'], 'limit + offset keep the stored order')
  const counted = await articles.findMany({ orderBy: 'id', populate: { tags: { count: true } } })
  t.same(counted.map(a => a.tags), [{ count: 3 }, { count: 1 }, { count: 0 }], 'count')
  const countWhere = await articles.findOne({ where, populate: { tags: { count: true, where: { name: { $startsWith: 'g' } } } } })
  t.same(countWhere?.tags, { count: 1 }, 'count with where')
  const perRow = await authors.findMany({ orderBy: 'id', populate: { articles: { limit: 1, orderBy: { views: 'desc' } } } })
  t.same(perRow.map(a => names(a.articles, 'title')), [['Third'], ['Second']], 'limit applies per parent row')
})

t.test('components', async (t) => {
  const first = await articles.findOne({ where: { id: s.first!.id }, populate: { seo: { populate: { category: true, link: true } }, links: true } })
  t.match(first?.seo, { metaTitle: 'First SEO', category: { name: 'News' }, link: { label: 'seo link' } }, 'single component with a relation and a nested component')
  t.same(Object.keys(first?.seo as Entry), ['id', 'metaTitle', 'metaDescription', 'category', 'link'], 'component rows carry id and no documentId')
  t.same(names(first?.links, 'label'), ['one', 'two', 'three'], 'repeatable component in stored order')
  const second = await articles.findOne({ where: { id: s.second!.id }, populate: ['seo', 'links'] })
  t.same(second?.links, [], 'empty repeatable component is []')
  t.match(second?.seo, { metaTitle: 'Another' })
  const third = await articles.findOne({ where: { id: s.third!.id }, populate: ['seo'] })
  t.equal(third?.seo, null, 'missing component is null')
  const selected = await articles.findOne({ where: { id: s.first!.id }, populate: { links: { select: ['label'], where: { position: { $gt: 1 } }, orderBy: { position: 'desc' } } } })
  t.same(selected?.links, [{ id: (first?.links as Entry[])[2]!.id, label: 'three' }, { id: (first?.links as Entry[])[1]!.id, label: 'two' }], 'select, where and orderBy on a repeatable component')
})

t.test('dynamic zones', async (t) => {
  const all = await articles.findOne({ where: { id: s.first!.id }, populate: { blocks: true } })
  const blocks = all?.blocks as Entry[]
  t.same(blocks.map(b => b.__component), ['shared.quote', 'shared.link', 'shared.seo', 'shared.quote'], 'stored order')
  t.same(Object.keys(blocks[0]!), ['__component', 'id', 'text', 'by'], '{ __component, id, ...fields }')
  t.notOk('link' in blocks[2]!, 'nested component not populated by default')
  const on = await articles.findOne({
    where: { id: s.first!.id },
    populate: { blocks: { on: { 'shared.quote': { select: ['text'] }, 'shared.seo': { populate: { link: true } } } } }
  })
  t.same((on?.blocks as Entry[]).map(b => b.__component), ['shared.quote', 'shared.seo', 'shared.quote'], 'on: only listed components')
  t.same((on?.blocks as Entry[])[0], { __component: 'shared.quote', id: blocks[0]!.id, text: 'To be' }, 'on: select per component')
  t.match((on?.blocks as Entry[])[1], { metaTitle: 'zone seo', link: { label: 'zone seo link' } }, 'on: populate per component')
  const star = await articles.findOne({ where: { id: s.first!.id }, populate: { blocks: { populate: '*' } } })
  t.match((star?.blocks as Entry[])[2], { link: { label: 'zone seo link' } }, "populate: '*' goes one level into each component")
  const empty = await articles.findOne({ where: { id: s.third!.id }, populate: ['blocks'] })
  t.same(empty?.blocks, [], 'empty zone is []')
})

t.test('keys in model order at every level, whatever the select and populate order', async (t) => {
  const first = await articles.findOne({
    where: { id: s.first!.id },
    select: ['views', 'title', 'releasedAt'],
    populate: { blocks: true, links: true, category: { select: ['name'] }, tags: { select: ['name', 'createdAt'] }, author: true }
  })
  const keys = (value: unknown): string[] => Object.keys(value as Entry)
  t.same(keys(first), ['id', 'documentId', 'title', 'views', 'releasedAt', 'author', 'tags', 'category', 'links', 'blocks'], 'root')
  t.same(keys(first?.author), ['id', 'documentId', 'name', 'email', 'createdAt', 'updatedAt', 'publishedAt', 'locale'], 'a related row, every field')
  t.same(keys((first?.tags as Entry[])[0]), ['id', 'documentId', 'name', 'createdAt'], 'related rows, selected')
  t.same(keys(first?.category), ['id', 'documentId', 'name'])
  t.same(keys((first?.links as Entry[])[0]), ['id', 'label', 'url', 'position'], 'component rows')
  t.same((first?.blocks as Entry[]).map(keys), [['__component', 'id', 'text', 'by'], ['__component', 'id', 'label', 'url', 'position'], ['__component', 'id', 'metaTitle', 'metaDescription'], ['__component', 'id', 'text', 'by']], 'zone items')
  t.match(first, { releasedAt: null, author: { name: 'Ann', createdAt: String, locale: null }, tags: [{ name: 'blue', createdAt: String }] }, 'values read in place')
})

t.test('more select shapes of one model than the readers kept for it', async (t) => {
  const scalars = ['title', 'slug', 'summary', 'body', 'contact', 'views', 'shares', 'rating', 'price', 'featured', 'day', 'at', 'releasedAt', 'stamp', 'kind', 'meta', 'content']
  const pairs = scalars.flatMap((a, i) => scalars.slice(i + 1).map(b => [a, b] as const))
  t.ok(pairs.length > 100, `${pairs.length} shapes`)
  // The first ones again at the end, after they were dropped.
  for (const [a, b] of [...pairs, ...pairs.slice(0, 10)]) {
    const row = await articles.findOne({ where: { id: s.first!.id }, select: [b, a] })
    if (Object.keys(row ?? {}).join() !== ['id', 'documentId', a, b].join()) return t.fail(`select ${a}, ${b}: ${Object.keys(row ?? {}).join()}`)
  }
  t.pass('every row has its own keys, in model order')
})

t.test('select', async (t) => {
  t.same(await articles.findOne({ where: { id: s.first!.id }, select: ['title', 'views'] }), { id: s.first!.id, documentId: null, title: 'First', views: 10 })
  t.same(await articles.findOne({ where: { id: s.first!.id }, select: 'title' }), { id: s.first!.id, documentId: null, title: 'First' }, 'a string')
  t.same(Object.keys(await articles.findOne({ select: '*' }) ?? {}).length, 25, "'*' is every scalar and system field")
  t.same(Object.keys(await engine.query('shared.link').findOne({ select: ['label'] }) ?? {}), ['id', 'label'], 'components have no documentId')
})

t.test('orderBy', async (t) => {
  const titles = async (orderBy: FindParams['orderBy']): Promise<unknown[]> => (await articles.findMany({ orderBy })).map(a => a.title)
  t.same(await titles('views'), ['First', 'Third', 'Second'], 'string')
  t.same(await titles('views:desc'), ['Second', 'Third', 'First'], 'string with direction')
  t.same(await titles('views:DESC'), ['Second', 'Third', 'First'], 'direction is case-insensitive')
  t.same(await titles({ views: 'desc' }), ['Second', 'Third', 'First'], 'object')
  t.same(await titles([{ author: { name: 'asc' } }, { views: 'desc' }]), ['Third', 'First', 'Second'], 'array, through a relation')
  t.same(await titles('author.name:desc,views'), ['Second', 'First', 'Third'], 'dotted path, several keys')
  t.same(await titles({ seo: { metaTitle: 'asc' } }), ['Second', 'First', 'Third'], 'through a component (NULL last)')
  t.same(await titles({ tags: { name: 'asc' } }), ['First', 'Second', 'Third'], 'to-many ascending: the smallest value')
  t.same(await titles({ tags: { name: 'desc' } }), ['Third', 'First', 'Second'], 'to-many descending: the largest value; no value (NULL) first, as PostgreSQL sorts')
  t.same(await titles({ author: { profile: { bio: 'asc' } } }), ['First', 'Third', 'Second'], 'two levels deep')
  t.same(await titles(undefined), ['First', 'Second', 'Third'], 'ties and no order: by id')
  t.same((await authors.findMany({ orderBy: { articles: { views: 'desc' } } })).map(a => a.name), ['Bob', 'Ann'], 'through an inverse side')
  const errors: Array<[FindParams['orderBy'], string]> = [
    ['bogus', 'Invalid key bogus'],
    ['author', 'Invalid key author'],
    [{ author: 'asc' }, 'Invalid key author'],
    ['author.bogus', 'Invalid key bogus at author'],
    ['blocks', 'Invalid key blocks'],
    ['views:up', 'Invalid order. order can only be one of asc|desc|ASC|DESC'],
    [{ views: 'sideways' }, 'Invalid order. order can only be one of asc|desc|ASC|DESC'],
    ['title.length', 'Invalid key length at title']
  ]
  for (const [orderBy, message] of errors) {
    await t.rejects(articles.findMany({ orderBy }), { name: 'ValidationError', message }, `${JSON.stringify(orderBy)}: ${message}`)
  }
})

t.test('limit, offset, findWithCount, findPage', async (t) => {
  t.same((await articles.findMany({ orderBy: 'id', limit: 2 })).map(a => a.title), ['First', 'Second'])
  t.same((await articles.findMany({ orderBy: 'id', limit: 2, offset: 2 })).map(a => a.title), ['Third'])
  t.same((await articles.findMany({ orderBy: 'id', offset: '1' as unknown as number })).map(a => a.title), ['Second', 'Third'], 'numeric strings')
  const { result: [rows, count], queries } = await countQueries(() => articles.findWithCount({ where: { views: { $gt: 5 } }, limit: 2, populate: ['tags'] }))
  t.equal(rows.length, 2)
  t.equal(count, 3, 'total of all matching rows')
  t.equal(queries.length, 1, 'rows and total in one statement')
  const paged = await articles.findPage({ page: 2, pageSize: 2, orderBy: 'id' })
  t.same(paged.results.map(a => a.title), ['Third'])
  t.same(paged.pagination, { page: 2, pageSize: 2, pageCount: 2, total: 3 })
  const beyond = await countQueries(() => articles.findPage({ page: 5, pageSize: 2 }))
  t.same(beyond.result, { results: [], pagination: { page: 5, pageSize: 2, pageCount: 2, total: 3 } }, 'a page beyond the end keeps the total')
  t.equal(beyond.queries.length, 1, 'still one statement: the total does not need a row of the page')
  t.same(await articles.findWithCount({ limit: 0 }), [[], 3], 'limit 0: no rows, the total still counted')
  t.same((await articles.findPage()).pagination, { page: 1, pageSize: 10, pageCount: 1, total: 3 }, 'defaults')
  t.same((await articles.findPage({ where: { title: 'nope' } })).pagination, { page: 1, pageSize: 10, pageCount: 0, total: 0 })
  await t.rejects(articles.findPage({ page: 0 }), ValidationError)
  await t.rejects(articles.findPage({ pageSize: -1 }), ValidationError)
  await t.rejects(articles.findMany({ limit: -1 }), { name: 'ValidationError', message: 'Invalid value -1 for limit: expected a non-negative integer' })
  await t.rejects(articles.findMany({ offset: 'x' as unknown as number }), ValidationError)
  await t.rejects(articles.findMany({ populate: { tags: { limit: 1.5 } } }), { message: /for tags\.limit/ })
})

t.test('a sorted page is its slice of the sorted rows, whatever the limit, offset and sort keys', async (t) => {
  // Without a limit every row is read whole; with one, the page is picked by ids and keys, then read back.
  const orders: FindParams['orderBy'][] = [{ views: 'desc' }, { author: { name: 'asc' } }, ['title'], [{ views: 'asc' }, { title: 'desc' }]]
  for (const orderBy of orders) {
    const all = await articles.findMany({ orderBy, populate: ['tags', 'author'] })
    t.equal(all.length, 3)
    for (let limit = 1; limit <= 3; limit++) {
      for (let offset = 0; offset <= 3; offset++) {
        const page = await articles.findMany({ orderBy, limit, offset, populate: ['tags', 'author'] })
        t.same(page, all.slice(offset, offset + limit), `${JSON.stringify(orderBy)}, limit ${limit}, offset ${offset}`)
      }
    }
    const [rows, total] = await articles.findWithCount({ orderBy, limit: 2, offset: 1, populate: ['tags'] })
    t.same({ ids: ids(rows), total }, { ids: ids(all.slice(1, 3)), total: 3 }, 'with the total too')
  }
})

t.test('load and populate one entry', async (t) => {
  t.same(names(await articles.load(s.first!, 'tags'), 'name'), ['blue', 'red', 'green'])
  t.match(await articles.load(s.first!.id, 'author'), { name: 'Ann' })
  t.same(await articles.load(s.first!, 'tags', { count: true }), { count: 3 })
  t.same(names(await articles.load(s.first!, 'tags', { where: { name: 'red' } })), ['red'])
  t.same(names(await articles.load(s.first!, 'links'), 'label'), ['one', 'two', 'three'], 'a component')
  t.equal(await articles.load({ id: 999 }, 'author'), null, 'unknown entry')
  await t.rejects(articles.load(s.first!, 'title'), { name: 'ValidationError', message: 'Invalid key title' })
  const populated = await articles.populate({ id: s.first!.id, title: 'kept' } as Entry, ['author', 'seo'])
  t.match(populated, { id: s.first!.id, title: 'kept', author: { name: 'Ann' }, seo: { metaTitle: 'First SEO' } })
})

t.test('bad populate and select', async (t) => {
  const cases: Array<[FindParams, string]> = [
    [{ populate: ['bogus'] }, 'Invalid key bogus'],
    [{ populate: { title: true } }, 'Invalid key title'],
    [{ populate: { author: { populate: { bogus: true } } } }, 'Invalid key bogus at author'],
    [{ populate: { tags: { fields: ['name'] } } }, 'Invalid key fields at tags'],
    [{ populate: { tags: { on: { 'shared.quote': true } } } }, 'Using fragments is not permitted to populate "tags" in "api::article.article"'],
    [{ populate: { blocks: { on: { 'shared.address': true } } } }, 'Invalid key shared.address at blocks.on'],
    [{ populate: { blocks: { where: { id: 1 } } } }, 'Invalid key where at blocks'],
    [{ populate: { blocks: { on: { 'shared.quote': { orderBy: 'text' } } } } }, 'Invalid key orderBy at blocks.on.shared.quote'],
    [{ populate: { tags: { where: { bogus: 1 } } } }, 'Invalid key bogus'],
    [{ populate: { tags: { orderBy: 'bogus' } } }, 'Invalid key bogus'],
    [{ populate: { tags: { select: ['bogus'] } } }, 'Invalid key bogus'],
    [{ populate: 42 as unknown as boolean }, 'Invalid value 42 for populate: expected true, "*", a list of names or an object'],
    [{ select: ['author'] }, 'Invalid key author'],
    [{ select: ['bogus'] }, 'Invalid key bogus'],
    [{ select: ['seo'] }, 'Invalid key seo']
  ]
  for (const [params, message] of cases) {
    await t.rejects(articles.findMany(params), { name: 'ValidationError', message }, message)
  }
})

t.test('populate costs one statement, whatever the number of rows', async (t) => {
  await reset()
  const tags = await engine.query(TAG).createMany({ data: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] })
  for (let i = 0; i < 10; i++) {
    await authors.create({ data: { name: `author ${i}`, address: { city: `city ${i}` } } })
  }
  for (let i = 0; i < 100; i++) {
    await articles.create({
      data: { title: `article ${i}`, author: (i % 10) + 1, tags: tags.ids.slice(0, (i % 3) + 1), seo: { metaTitle: `seo ${i}`, link: { label: `link ${i}` } }, links: [{ label: 'x' }, { label: 'y' }] }
    })
  }
  const populate = {
    author: { populate: { address: true, articles: { select: ['title'], limit: 2 } } },
    tags: { populate: { articles: { populate: { seo: true } } } },
    seo: { populate: ['link'] },
    links: true,
    blocks: true
  }
  const { result, queries } = await countQueries(() => articles.findMany({ populate, limit: 100 }))
  t.equal(result.length, 100)
  t.match(result[0], { author: { address: { city: 'city 0' }, articles: Array }, tags: [{ articles: Array }], seo: { link: { label: 'link 0' } } }, 'relation → relation → component populated')
  t.match(result[99], { title: 'article 99', author: { name: 'author 9', address: { city: 'city 9' } } })
  t.equal(queries.length, 1, 'findMany with a three-level populate over 100 rows: one statement')
  const paged = await countQueries(() => articles.findPage({ populate, pageSize: 100 }))
  t.equal(paged.result.pagination.total, 100)
  t.equal(paged.queries.length, 1, 'findPage with the same populate: one statement, total included')
  const single = await countQueries(() => articles.findOne({ where: { tags: { articles: { seo: { metaTitle: 'seo 5' } } } }, populate }))
  t.ok(single.result !== null)
  t.equal(single.queries.length, 1, 'findOne with nested filters and populate: one statement')
})

t.test('rows wider than json_build_object allows (over 50 keys)', async (t) => {
  const attributes = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`field${i}`, { type: 'integer' as const }]))
  const wide = await setup(t, {
    contentTypes: [{
      kind: 'collectionType',
      collectionName: 'wides',
      info: { singularName: 'wide', pluralName: 'wides' },
      attributes: { ...attributes, self: { type: 'relation', relation: 'oneToOne', target: 'api::wide.wide' } }
    }],
    components: []
  })
  const repo = wide.engine.query('api::wide.wide')
  const first = await repo.create({ data: { field0: 0, field59: 59 } })
  const second = await repo.create({ data: { field1: 1, self: first.id }, populate: ['self'] })
  t.equal(Object.keys(second).length, 6 + 60 + 1)
  t.match(second, { field1: 1, field59: null, self: { id: first.id, field0: 0, field59: 59 } })
})
