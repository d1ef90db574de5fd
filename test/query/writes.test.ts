/**
 * create / createMany / update / updateMany / delete / deleteMany: values as returned, relation writes with
 * their order columns, component and dynamic-zone writes, and write errors as ValidationError.
 */
import { sql } from 'drizzle-orm'
import t from 'tap'
import { ValidationError } from '../../lib/errors.js'
import type { Entry } from '../../lib/query/index.js'
import { createErrorMapper } from '../../lib/query/errors.js'
import { isTransactionControl } from '../helpers/db.js'
import { ARTICLE, AUTHOR, CATEGORY, PROFILE, TAG } from './fixtures.js'
import { recordingLogger, setup } from './helpers.js'

const { engine, database, reset, countQueries } = await setup(t)
const articles = engine.query(ARTICLE)
const authors = engine.query(AUTHOR)
const tags = engine.query(TAG)

const names = (list: unknown, key = 'name'): unknown[] => (list as Entry[]).map(e => e[key])

async function count (table: string): Promise<number> {
  const [row] = await database.execute<{ n: number | string }>(sql`SELECT count(*) AS n FROM ${sql.identifier(table)}`)
  return Number(row?.n)
}

async function makeTags (...list: string[]): Promise<number[]> {
  return (await tags.createMany({ data: list.map(name => ({ name })) })).ids
}

t.beforeEach(async () => { await reset() })

t.test('create returns the row read back, every type normalized', async (t) => {
  const before = Date.now()
  const row = await articles.create({
    data: {
      title: 'Types',
      slug: 'types',
      views: '42',
      shares: '9223372036854775807',
      rating: 0.1,
      price: '12.50',
      featured: 't',
      day: '2024-02-29',
      at: '7:05'.padStart(5, '0'),
      releasedAt: '2024-03-01T12:34:56.789+01:00',
      stamp: new Date('2024-01-01T00:00:00Z'),
      meta: { nested: [1, 'two', null], ok: true },
      content: [{ type: 'paragraph', children: [{ type: 'text', text: 'hi' }] }],
      documentId: 'abcdefghijklmnopqrstuvwx',
      locale: 'en',
      publishedAt: '2024-03-02T00:00:00Z'
    }
  })
  t.match(row, {
    id: 1,
    documentId: 'abcdefghijklmnopqrstuvwx',
    title: 'Types',
    views: 42,
    shares: '9223372036854775807',
    rating: 0.1,
    price: 12.5,
    featured: true,
    day: '2024-02-29',
    at: '07:05:00.000',
    releasedAt: '2024-03-01T11:34:56.789Z',
    stamp: '2024-01-01T00:00:00.000Z',
    kind: 'news',
    meta: { nested: [1, 'two', null], ok: true },
    content: [{ type: 'paragraph', children: [{ type: 'text', text: 'hi' }] }],
    summary: null,
    publishedAt: '2024-03-02T00:00:00.000Z',
    locale: 'en'
  })
  t.same(Object.keys(row).slice(0, 3), ['id', 'documentId', 'title'], 'id and documentId first')
  t.same(Object.keys(row).slice(-4), ['createdAt', 'updatedAt', 'publishedAt', 'locale'], 'system fields last')
  t.equal(row.createdAt, row.updatedAt, 'createdAt = updatedAt on create')
  t.ok(Date.parse(String(row.createdAt)) >= before - 1000, 'timestamps filled')
  t.notOk('author' in row, 'relations are not returned unless populated')
  const kept = await articles.create({ data: { title: 'Imported', createdAt: '2020-01-01T00:00:00Z' } })
  t.equal(kept.createdAt, '2020-01-01T00:00:00.000Z', 'a given createdAt is kept')
  t.equal(kept.kind, 'news', 'attribute defaults apply on create')
  const withTags = await articles.create({ data: { title: 'Tagged', tags: await makeTags('a') }, select: ['title'], populate: ['tags'] })
  t.same(withTags, { id: 3, documentId: null, title: 'Tagged', tags: [{ id: 1, documentId: null, name: 'a', createdAt: String(names([(withTags.tags as Entry[])[0]], 'createdAt')[0]), updatedAt: String(names([(withTags.tags as Entry[])[0]], 'updatedAt')[0]), publishedAt: null, locale: null }] }, 'select and populate shape the returned row')
  const empty = await engine.query(CATEGORY).create({ data: {} })
  t.match(empty, { id: 1, name: null }, 'an empty data object')
})

t.test('createMany', async (t) => {
  const result = await articles.createMany({ data: [{ title: 'a', views: 1 }, { title: 'b' }, { views: 3 }] })
  t.same(result, { count: 3, ids: [1, 2, 3] })
  const rows = await articles.findMany({ orderBy: 'id' })
  t.same(rows.map(r => [r.title, r.views, r.kind]), [['a', 1, 'news'], ['b', null, 'news'], [null, 3, 'news']], 'missing columns: default or NULL')
  t.ok(rows.every(r => r.createdAt !== null), 'timestamps on every row')
  const [tagA] = await makeTags('a')
  const linked = await articles.createMany({ data: [{ title: 'c', tags: [tagA!], seo: { metaTitle: 'c' } }, { title: 'd' }] })
  t.same(linked.ids, [4, 5])
  t.match(await articles.findOne({ where: { id: 4 }, populate: ['tags', 'seo'] }), { tags: [{ name: 'a' }], seo: { metaTitle: 'c' } }, 'relations and components too')
  t.same(await articles.createMany({ data: [] }), { count: 0, ids: [] })
  const bad = await articles.createMany({ data: [{ views: 1 }, { views: 'x' }, { bogus: 1 }] }).catch((err: unknown) => err)
  t.ok(bad instanceof ValidationError)
  t.match((bad as ValidationError).details, {
    errors: [
      { path: ['1', 'views'], message: 'Invalid value "x" for 1.views: expected an integer', value: 'x' },
      { path: ['1'].length === 1 ? ['2', 'bogus'] : [], message: 'Invalid key bogus' }
    ]
  }, 'every problem, with row-indexed paths')
  t.equal((bad as ValidationError).message, '2 errors occurred')
  t.equal(await articles.count(), 5, 'nothing inserted')
  await t.rejects(articles.createMany({ data: { title: 'x' } as never }), { name: 'ValidationError', message: 'createMany requires a data array' })
})

t.test('update and updateMany', async (t) => {
  const created = await articles.create({ data: { title: 'old', views: 1, createdAt: '2020-01-01T00:00:00Z', updatedAt: '2020-01-01T00:00:00Z' } })
  const updated = await articles.update({ where: { id: created.id }, data: { title: 'new', summary: 'sum' } })
  t.match(updated, { id: created.id, title: 'new', summary: 'sum', views: 1, createdAt: '2020-01-01T00:00:00.000Z' })
  t.not(updated?.updatedAt, created.updatedAt, 'updatedAt moves on update')
  t.equal(await articles.update({ where: { title: 'missing' }, data: { title: 'x' } }), null, 'no match: null')
  t.match(await articles.update({ where: { title: 'new' }, data: { views: null }, select: ['views'] }), { views: null }, 'by any condition; null clears')
  await articles.createMany({ data: [{ title: 'a', views: 5 }, { title: 'b', views: 5 }, { title: 'c', views: 6 }] })
  t.same(await articles.updateMany({ where: { views: 5 }, data: { kind: 'review' } }), { count: 2 })
  t.same((await articles.findMany({ where: { kind: 'review' }, orderBy: 'id' })).map(a => a.title), ['a', 'b'])
  t.same(await articles.updateMany({ where: { title: 'none' }, data: { kind: 'review' } }), { count: 0 })
  const [tagA] = await makeTags('a')
  t.same(await articles.updateMany({ where: { views: 5 }, data: { tags: [tagA!] } }), { count: 2 }, 'with links')
  t.equal(await articles.count({ where: { tags: { name: 'a' } } }), 2)
  await t.rejects(articles.update({ where: {}, data: { title: 'x' } }), { name: 'ValidationError', message: 'update requires a where parameter' })
  await t.rejects(articles.update({ where: { id: 1 }, data: null as never }), { name: 'ValidationError', message: 'update requires a data object' })
  await t.rejects(articles.update({ where: { id: 1 }, data: { id: 5 } }), { name: 'ValidationError', message: 'Invalid key id' })
  await t.rejects(articles.updateMany({ where: { views: 'x' }, data: {} }), { name: 'ValidationError', message: /for views/ })
})

t.test('delete and deleteMany clear links and component rows', async (t) => {
  const tagIds = await makeTags('a', 'b')
  const ann = await authors.create({ data: { name: 'Ann' } })
  const one = await articles.create({
    data: {
      title: 'one',
      author: ann.id,
      tags: tagIds,
      seo: { metaTitle: 'x', link: { label: 'nested' } },
      links: [{ label: 'l1' }],
      blocks: [{ __component: 'shared.quote', text: 'q' }, { __component: 'shared.seo', link: { label: 'deep' } }]
    }
  })
  const two = await articles.create({ data: { title: 'two', related: [one.id], tags: [tagIds[0]!] } })
  const deleted = await articles.delete({ where: { id: one.id }, populate: ['tags', 'author'] })
  t.match(deleted, { id: one.id, title: 'one', tags: [{ name: 'a' }, { name: 'b' }], author: { name: 'Ann' } }, 'returns the row as it was')
  t.equal(await articles.count(), 1)
  t.equal(await count('articles_tags_lnk'), 1, 'its tag links are gone, the others stay')
  t.equal(await count('articles_author_lnk'), 0)
  t.equal(await count('articles_related_lnk'), 0, 'links pointing at it from other rows are gone')
  t.equal(await count('components_shared_seos'), 0, 'component rows are deleted')
  t.equal(await count('components_shared_links'), 0, 'nested component rows too')
  t.equal(await count('components_shared_quotes'), 0, 'dynamic-zone rows too')
  t.equal(await count('articles_cmps'), 0)
  t.equal(await count('components_shared_seos_cmps'), 0)
  t.same(names((await authors.findOne({ populate: ['articles'] }))?.articles, 'title'), [], 'the inverse side sees it gone')
  t.equal(await articles.delete({ where: { id: one.id } }), null, 'no match: null')
  await tags.delete({ where: { id: tagIds[0]! } })
  t.same((await articles.findOne({ where: { id: two.id }, populate: ['tags'] }))?.tags, [], 'deleting a target clears links from the owning side')
  await articles.createMany({ data: [{ views: 1 }, { views: 1 }, { views: 2 }] })
  t.same(await articles.deleteMany({ where: { views: 1 } }), { count: 2 })
  t.same(await articles.deleteMany(), { count: 2 }, 'no where: every row')
  await t.rejects(articles.delete({ where: {} }), { name: 'ValidationError', message: 'delete requires a where parameter' })
})

t.test('relation writes: set, connect, disconnect, positions, both order columns', async (t) => {
  const [a, b, c, d] = await makeTags('a', 'b', 'c', 'd')
  const post = await articles.create({ data: { title: 'p', tags: [c!, a!] } })
  const tagsOf = async (): Promise<unknown[]> => names((await articles.findOne({ where: { id: post.id }, populate: ['tags'] }))?.tags)
  t.same(await tagsOf(), ['c', 'a'], 'a list sets, in order')
  await articles.update({ where: { id: post.id }, data: { tags: { connect: [b!] } } })
  t.same(await tagsOf(), ['c', 'a', 'b'], 'connect appends')
  await articles.update({ where: { id: post.id }, data: { tags: { connect: [{ id: c! }] } } })
  t.same(await tagsOf(), ['a', 'b', 'c'], 'connecting a linked id moves it to the end')
  await articles.update({ where: { id: post.id }, data: { tags: { connect: [{ id: d!, position: { start: true } }] } } })
  t.same(await tagsOf(), ['d', 'a', 'b', 'c'], 'position start')
  await articles.update({ where: { id: post.id }, data: { tags: { connect: [{ id: c!, position: { before: a! } }, { id: d!, position: { after: b! } }] } } })
  t.same(await tagsOf(), ['c', 'a', 'b', 'd'], 'before / after, applied in order')
  await articles.update({ where: { id: post.id }, data: { tags: { connect: [{ id: a!, position: { end: true } }] } } })
  t.same(await tagsOf(), ['c', 'b', 'd', 'a'], 'position end')
  await articles.update({ where: { id: post.id }, data: { tags: { disconnect: [b!, 999], connect: [] } } })
  t.same(await tagsOf(), ['c', 'd', 'a'], 'disconnect (unlinked ids ignored)')
  await articles.update({ where: { id: post.id }, data: { tags: { set: [{ id: a! }, b!] } } })
  t.same(await tagsOf(), ['a', 'b'], 'set')
  await articles.update({ where: { id: post.id }, data: { summary: 'links untouched' } })
  t.same(await tagsOf(), ['a', 'b'], 'omitting the attribute keeps the links')
  await articles.update({ where: { id: post.id }, data: { tags: [] } })
  t.same(await tagsOf(), [], '[] clears')
  await articles.update({ where: { id: post.id }, data: { tags: { connect: a! } } })
  await articles.update({ where: { id: post.id }, data: { tags: null } })
  t.same(await tagsOf(), [], 'null clears')

  // The other side's order: each tag lists its articles in the order they were linked.
  const second = await articles.create({ data: { title: 'q', tags: [a!] } })
  await articles.update({ where: { id: post.id }, data: { tags: [a!] } })
  const third = await articles.create({ data: { title: 'r', tags: [a!] } })
  t.same(names((await tags.findOne({ where: { id: a! }, populate: ['articles'] }))?.articles, 'title'), ['q', 'p', 'r'], 'inverse side ordered by its own order column')
  await tags.update({ where: { id: a! }, data: { articles: { connect: [{ id: third.id, position: { start: true } }] } } })
  t.same(names((await tags.findOne({ where: { id: a! }, populate: ['articles'] }))?.articles, 'title'), ['r', 'q', 'p'], 'writes from the inverse side keep their order')
  t.same(names((await articles.findOne({ where: { id: second.id }, populate: ['tags'] }))?.tags), ['a'])
})

t.test('create with relations: the row and its links in one statement, every target checked', async (t) => {
  const [a, b, c] = await makeTags('a', 'b', 'c')
  const ann = await authors.create({ data: { name: 'Ann' } })
  const { result: post, queries } = await countQueries(() => articles.create({
    data: { title: 'p', author: ann.id, tags: { connect: [c!, { id: a!, position: { start: true } }, { id: b!, position: { after: a! } }] } }
  }))
  t.equal(queries.filter(q => !isTransactionControl(q)).length, 2, 'the INSERT with its links, then the read-back')
  const read = await articles.findOne({ where: { id: post.id }, populate: ['tags', 'author'] })
  t.same(names(read?.tags), ['a', 'b', 'c'], 'positions applied')
  t.equal((read?.author as Entry).name, 'Ann')
  const second = await articles.create({ data: { title: 'q', author: ann.id, tags: [a!] } })
  t.same(names((await authors.findOne({ where: { id: ann.id }, populate: ['articles'] }))?.articles, 'title'), ['p', 'q'], 'appended last on the other side')
  t.same(names((await tags.findOne({ where: { id: a! }, populate: ['articles'] }))?.articles, 'title'), ['p', 'q'])

  const before = [await count('articles'), await count('articles_tags_lnk'), await count('articles_author_lnk')]
  const cases: Array<[Record<string, unknown>, string, unknown]> = [
    [{ tags: [a!, 999] }, 'tags: no api::tag.tag with id 999', [999]],
    [{ author: ann.id, tags: [998, b!, 999] }, 'tags: no api::tag.tag with id 998, 999', [998, 999]],
    [{ tags: { set: [997], disconnect: [997] } }, 'tags: no api::tag.tag with id 997', [997]],
    [{ author: 996, tags: [995] }, 'author: no api::author.author with id 996', [996]]
  ]
  for (const [data, message, value] of cases) {
    const error = await articles.create({ data: { title: 'm', ...data } }).catch((err: unknown) => err)
    t.ok(error instanceof ValidationError, message)
    t.match(error, { message, details: { errors: [{ path: [message.slice(0, message.indexOf(':'))], message, value }] } })
  }
  t.same([await count('articles'), await count('articles_tags_lnk'), await count('articles_author_lnk')], before, 'a failed create left nothing behind')

  // A one-way oneToMany: another document linking the same target leaves it linked here too (Strapi takes a
  // target from its previous owner only on a two-way relation; the inverse-side writes below take it).
  const x = await articles.create({ data: { title: 'x', documentId: 'doc-x', related: [second.id] } })
  const draft = await articles.create({ data: { title: 'x2', documentId: 'doc-x', related: [second.id] } })
  const relatedOf = async (id: number): Promise<unknown[]> => names((await articles.findOne({ where: { id }, populate: ['related'] }))?.related, 'title')
  t.same([await relatedOf(x.id), await relatedOf(draft.id)], [['q'], ['q']], 'the same document keeps both links')
  const y = await articles.create({ data: { title: 'y', related: [second.id] } })
  t.same([await relatedOf(x.id), await relatedOf(draft.id), await relatedOf(y.id)], [['q'], ['q'], ['q']], 'another document links it too')
})

t.test('relation writes: to-one sides and their inverse', async (t) => {
  const ann = await authors.create({ data: { name: 'Ann' } })
  const bob = await authors.create({ data: { name: 'Bob' } })
  const post = await articles.create({ data: { title: 'p', author: ann.id } })
  const authorOf = async (id = post.id): Promise<unknown> => ((await articles.findOne({ where: { id }, populate: ['author'] }))?.author as Entry | null)?.name ?? null
  t.equal(await authorOf(), 'Ann', 'an id sets a to-one relation')
  await articles.update({ where: { id: post.id }, data: { author: { connect: [bob.id] } } })
  t.equal(await authorOf(), 'Bob', 'connect replaces a to-one relation')
  await articles.update({ where: { id: post.id }, data: { author: { set: [ann.id, bob.id] } } })
  t.equal(await authorOf(), 'Bob', 'the last one wins')
  await articles.update({ where: { id: post.id }, data: { author: { disconnect: [ann.id] } } })
  t.equal(await authorOf(), 'Bob', 'disconnecting another id keeps it')
  await articles.update({ where: { id: post.id }, data: { author: { disconnect: [bob.id] } } })
  t.equal(await authorOf(), null, 'disconnecting the current target clears it')
  await articles.update({ where: { id: post.id }, data: { author: { id: ann.id } } })
  t.equal(await authorOf(), 'Ann', '{ id } sets')
  await articles.update({ where: { id: post.id }, data: { author: null } })
  t.equal(await authorOf(), null, 'null clears')

  // Writing the oneToMany inverse side moves the article away from its previous author.
  const other = await articles.create({ data: { title: 'o', author: ann.id } })
  await authors.update({ where: { id: bob.id }, data: { articles: { connect: [other.id, post.id] } } })
  t.equal(await authorOf(other.id), 'Bob', 'inverse write sets the owning side')
  t.same(names((await authors.findOne({ where: { id: ann.id }, populate: ['articles'] }))?.articles, 'title'), [], 'and takes it from the previous owner')
  t.same(names((await authors.findOne({ where: { id: bob.id }, populate: ['articles'] }))?.articles, 'title'), ['o', 'p'], 'in connect order')

  // oneToOne: a profile belongs to one author.
  const profile = await engine.query(PROFILE).create({ data: { bio: 'b' } })
  await authors.update({ where: { id: ann.id }, data: { profile: profile.id } })
  await authors.update({ where: { id: bob.id }, data: { profile: profile.id } })
  t.equal((await authors.findOne({ where: { id: ann.id }, populate: ['profile'] }))?.profile, null, 'oneToOne: linking takes the target from its previous owner')
  t.match(await engine.query(PROFILE).findOne({ populate: ['author'] }), { author: { name: 'Bob' } })
  await engine.query(PROFILE).update({ where: { id: profile.id }, data: { author: ann.id } })
  t.match(await authors.findOne({ where: { id: ann.id }, populate: ['profile'] }), { profile: { bio: 'b' } }, 'oneToOne written from the inverse side')

  // One-way oneToMany: Strapi keeps a target linked from several sources (nothing is taken without an inverse side).
  const x = await articles.create({ data: { title: 'x', related: [post.id] } })
  const y = await articles.create({ data: { title: 'y', related: [post.id, other.id] } })
  t.same(names((await articles.findOne({ where: { id: x.id }, populate: ['related'] }))?.related, 'title'), ['p'], 'one-way oneToMany: the target stays linked from its previous source')
  t.same(names((await articles.findOne({ where: { id: y.id }, populate: ['related'] }))?.related, 'title'), ['p', 'o'])
})

t.test('an update with relations: one statement reads, one writes; a bare select reads nothing back unless a FindOne hook listens', async (t) => {
  const [a, b, c] = await makeTags('a', 'b', 'c')
  const ann = await authors.create({ data: { name: 'Ann' } })
  const post = await articles.create({ data: { title: 'p', tags: [a!, b!] } })
  const statements = async (fn: () => Promise<unknown>): Promise<number> => (await countQueries(fn)).queries.filter(q => !isTransactionControl(q)).length
  t.equal(await statements(() => articles.update({
    where: { id: post.id },
    data: { title: 'q', author: ann.id, tags: { connect: [{ id: c!, position: { before: b! } }], disconnect: [a!] } },
    select: ['id']
  })), 2, 'the row with its links and targets, then the row and every link change')
  const read = await articles.findOne({ where: { id: post.id }, populate: ['tags', 'author'] })
  t.same(names(read?.tags), ['c', 'b'])
  t.equal((read?.author as Entry).name, 'Ann')
  t.equal(read?.title, 'q')
  t.equal(await statements(() => articles.update({ where: { id: post.id }, data: { title: 'r' }, select: ['id'] })), 1, 'scalars only: one UPDATE')
  const { result: bare } = await countQueries(() => articles.update({ where: { id: post.id }, data: { title: 's' }, select: ['id'] }))
  t.same(bare, { id: post.id, documentId: post.documentId }, 'what a read-back of select: [id] gives')
  t.equal(await statements(() => articles.create({ data: { title: 't', documentId: 'bare' }, select: ['id'] })), 1, 'a create too')
  t.equal(await statements(() => articles.update({ where: { id: 9999 }, data: { title: 'x' }, select: ['id'] })), 1, 'no row: one statement')
  const found: string[] = []
  engine.lifecycles.subscribe({ models: [ARTICLE], afterFindOne () { found.push('findOne') } })
  t.equal(await statements(() => articles.update({ where: { id: post.id }, data: { title: 'u' }, select: ['id'] })), 2, 'a FindOne hook: the row is read back')
  t.same(found, ['findOne'])
})

t.test('relation write errors', async (t) => {
  const post = await articles.create({ data: { title: 'p' } })
  const cases: Array<[unknown, RegExp | string]> = [
    [999, 'tags: no api::tag.tag with id 999'],
    ['x', 'Invalid value "x" for tags: expected an id'],
    [{ connect: [{ id: 'y' }] }, 'Invalid value "y" for tags.connect: expected an id'],
    [{ connect: [{ documentId: 'abc' }] }, '2 errors occurred'],
    [{ bogus: [], set: [] }, 'Invalid key bogus'],
    [{ connect: [{ id: 1, position: { sideways: 1 } }] }, /Invalid position for tags\.connect\.position/],
    // One reading of relation payloads with the Document Service: positions belong to set and connect items.
    [{ disconnect: [{ id: 1, position: { start: true } }] }, 'Invalid key position'],
    [{ connect: [{ id: 1, position: { before: 'z' } }] }, 'Invalid value "z" for tags.connect.position.before: expected an id'],
    [[0], 'Invalid value 0 for tags: expected an id']
  ]
  for (const [value, message] of cases) {
    const error = await articles.update({ where: { id: post.id }, data: { tags: value } }).catch((err: unknown) => err)
    t.ok(error instanceof ValidationError, `${JSON.stringify(value)}: ValidationError`)
    t.match((error as ValidationError).message, message)
  }
  t.match(await articles.update({ where: { id: post.id }, data: { tags: 999 } }).catch((err: ValidationError) => err.details), { errors: [{ path: ['tags'], value: [999] }] })
  t.match(await articles.update({ where: { id: post.id }, data: { tags: { connect: [{ documentId: 'abc' }] } } }).catch((err: ValidationError) => err.details), {
    errors: [{ path: ['tags', 'connect', 'documentId'], message: 'Invalid key documentId' }, { path: ['tags', 'connect'], message: 'Invalid value undefined for tags.connect: expected an id' }]
  }, 'ids only at this level: documentIds are the Document Service\'s')
})

t.test('a create with components of its own: one statement; nested ones follow', async (t) => {
  const statements = async (fn: () => Promise<unknown>): Promise<number> => (await countQueries(fn)).queries.filter(q => !isTransactionControl(q)).length
  let id = 0
  t.equal(await statements(async () => {
    id = (await articles.create({ data: { title: 'flat', seo: { metaTitle: 'm' }, links: [{ label: 'a' }, { label: 'b' }] }, select: ['id'] })).id
  }), 1, 'the row, its component rows and their join rows')
  const read = await articles.findOne({ where: { id }, populate: { seo: true, links: true } })
  t.match(read, { seo: { metaTitle: 'm' }, links: [{ label: 'a' }, { label: 'b' }] })
  t.equal(await statements(() => articles.create({ data: { title: 'nested', seo: { metaTitle: 'm', link: { label: 'n' } } }, select: ['id'] })), 3,
    'a component with a component: the row, then the component with its own, then its join row')
  t.equal(await statements(() => articles.update({ where: { id }, data: { title: 'flat 2', links: [{ label: 'c' }] }, select: ['id'] })), 2,
    'an update replacing components: one statement reads the row and its items, one writes everything')
  // shared.seo holds a component: removing one removes that too, step by step.
  await articles.update({ where: { id }, data: { seo: { metaTitle: 'n' } }, select: ['id'] })
  t.match(await articles.findOne({ where: { id }, populate: { seo: true, links: true } }), { seo: { metaTitle: 'n' }, links: [{ label: 'c' }] })
  t.equal(await count('components_shared_seos'), 2, 'the replaced component row is gone')
  t.equal(await count('components_shared_links'), 2, 'and so are the replaced items (c, and the nested one)')
  const nested = (await articles.findOne({ where: { title: 'nested' } }))!.id
  await articles.update({ where: { id: nested }, data: { seo: { metaTitle: 'plain' } }, select: ['id'] })
  t.equal(await count('components_shared_links'), 1, 'a replaced component takes its own components along')
})

t.test('component writes', async (t) => {
  const post = await articles.create({ data: { title: 'p', seo: { metaTitle: 'one', link: { label: 'n1' } }, links: [{ label: 'a' }, { label: 'b' }] } })
  const read = async (): Promise<Entry> => (await articles.findOne({ where: { id: post.id }, populate: { seo: { populate: ['link'] }, links: true, blocks: true } }))!
  const first = await read()
  const seoId = (first.seo as Entry).id
  await articles.update({ where: { id: post.id }, data: { seo: { id: seoId, metaTitle: 'edited' } } })
  let now = await read()
  t.match(now.seo, { id: seoId, metaTitle: 'edited', link: { label: 'n1' } }, 'with its id: updated in place, omitted keys kept')
  await articles.update({ where: { id: post.id }, data: { seo: { metaTitle: 'replaced' } } })
  now = await read()
  t.not((now.seo as Entry).id, seoId, 'without id: a new component')
  t.match(now.seo, { metaTitle: 'replaced', metaDescription: null, link: null }, 'omitted fields are empty')
  t.equal(await count('components_shared_seos'), 1, 'the old component row is deleted')
  t.equal(await count('components_shared_links'), 2, 'with its nested component')
  const [linkA, linkB] = now.links as Entry[]
  await articles.update({ where: { id: post.id }, data: { links: [{ label: 'c' }, { id: linkA!.id, label: 'A' }] } })
  now = await read()
  t.same(names(now.links, 'label'), ['c', 'A'], 'repeatable: new order, kept by id, others removed')
  t.equal((now.links as Entry[])[1]!.id, linkA!.id)
  t.notOk((await engine.query('shared.link').findMany()).some(l => l.id === linkB!.id), 'the dropped item is deleted')
  await articles.update({ where: { id: post.id }, data: { seo: null, links: [] } })
  now = await read()
  t.equal(now.seo, null, 'null removes a component')
  t.same(now.links, [])
  t.equal(await count('components_shared_seos'), 0)
  t.equal(await count('components_shared_links'), 0)

  await articles.update({ where: { id: post.id }, data: { blocks: [{ __component: 'shared.link', label: 'z' }, { __component: 'shared.quote', text: 'q' }] } })
  now = await read()
  t.same((now.blocks as Entry[]).map(b => [b.__component, b.label ?? b.text]), [['shared.link', 'z'], ['shared.quote', 'q']], 'dynamic zone written in order')
  const quoteId = (now.blocks as Entry[])[1]!.id
  await articles.update({ where: { id: post.id }, data: { blocks: [{ __component: 'shared.quote', id: quoteId, by: 'me' }] } })
  now = await read()
  t.same(now.blocks, [{ __component: 'shared.quote', id: quoteId, text: 'q', by: 'me' }], 'zone replaced as a whole; an item with its id updated in place')
  t.equal(await count('components_shared_links'), 0, 'removed zone items are deleted')

  const errors: Array<[Record<string, unknown>, string | RegExp]> = [
    [{ blocks: [{ text: 'no type' }] }, 'blocks.0.__component is required'],
    [{ blocks: [{ __component: 'shared.address', city: 'x' }] }, 'Invalid component "shared.address" for blocks: expected one of shared.quote, shared.link, shared.seo'],
    [{ blocks: { __component: 'shared.quote' } }, /for blocks: expected an array/],
    [{ links: { label: 'x' } }, /for links: expected an array/],
    [{ seo: 'x' }, /for seo: expected an object/],
    [{ seo: { bogus: 1 } }, 'Invalid key bogus at seo.bogus'],
    [{ seo: { __component: 'shared.seo' } }, 'Invalid key __component at seo.__component'],
    [{ links: [{ label: 'ok' }, { position: 'x' }] }, 'Invalid value "x" for links.1.position: expected an integer'],
    [{ seo: { id: 9999, metaTitle: 'x' } }, 'Component shared.seo with id 9999 is not part of seo'],
    [{ blocks: [{ __component: 'shared.link', id: quoteId }] }, /is not part of blocks\.0/]
  ]
  for (const [data, message] of errors) {
    await t.rejects(articles.update({ where: { id: post.id }, data }), { name: 'ValidationError', message }, String(message))
  }
  t.same((await read()).blocks, [{ __component: 'shared.quote', id: quoteId, text: 'q', by: 'me' }], 'failed writes changed nothing')
})

t.test('data errors', async (t) => {
  const long = 'x'.repeat(256)
  const cases: Array<[unknown, string | RegExp, Record<string, unknown>?]> = [
    [{ bogus: 1 }, 'Invalid key bogus', { errors: [{ path: ['bogus'], message: 'Invalid key bogus', name: 'ValidationError', value: 1 }] }],
    [{ views: 'abc' }, 'Invalid value "abc" for views: expected an integer', { errors: [{ path: ['views'], value: 'abc' }] }],
    [{ views: 'abc', day: 'never' }, '2 errors occurred', { errors: [{ path: ['views'] }, { path: ['day'] }] }],
    [{ featured: 'maybe' }, /for featured: expected a boolean/],
    [{ releasedAt: 'soon' }, /for releasedAt: expected a datetime/],
    [{ at: '24:00' }, /for at: expected a time/],
    [{ shares: '99999999999999999999' }, /for shares: expected an integer/],
    [{ title: long }, 'title must be at most 255 characters'],
    [{ title: { text: 'x' } }, /for title: expected a string/],
    [{ price: 123456789 }, 'price must be less than 100000000'],
    [{ meta: () => 1 }, /for meta: expected a JSON value/],
    [{ id: 3 }, 'Invalid key id'],
    ['text', 'create requires a data object'],
    [[], 'create requires a data object'],
    [undefined, 'create requires a data object']
  ]
  for (const [data, message, details] of cases) {
    const error = await articles.create({ data: data as never }).catch((err: unknown) => err)
    t.ok(error instanceof ValidationError, `${String(message)}: ValidationError`)
    t.match((error as ValidationError).message, message)
    if (details !== undefined) t.match((error as ValidationError).details, details)
  }
  t.ok((await articles.create({ data: { title: 'é'.repeat(255) } })).id, '255 characters fit (counted as characters)')
  t.equal(await articles.count(), 1, 'nothing else was written')
})

t.test('database constraints map to ValidationError without the database message', async (t) => {
  const log = recordingLogger()
  const mapped = await setup(t, { log })
  const repo = mapped.engine.query(ARTICLE)
  await repo.create({ data: { title: 'same', publishedAt: '2024-01-01T00:00:00Z' } })
  await repo.create({ data: { title: 'same' } })
  const error = await repo.create({ data: { title: 'same', publishedAt: '2024-01-02T00:00:00Z' } }).catch((err: unknown) => err)
  t.ok(error instanceof ValidationError)
  t.equal((error as ValidationError).message, 'This attribute must be unique')
  t.same((error as ValidationError).details, { errors: [{ path: ['title'], message: 'This attribute must be unique', name: 'ValidationError', value: 'same' }] })
  t.notMatch(JSON.stringify(error), /duplicate key|articles_title/, 'no database text')
  t.ok(log.entries.some(e => e.level === 'debug' && JSON.stringify(e).includes('database constraint')), 'the real error is logged')
  const updated = await repo.update({ where: { title: 'same', publishedAt: { $null: true } }, data: { publishedAt: '2024-01-03T00:00:00Z' } }).catch((err: unknown) => err)
  t.match(updated, { name: 'ValidationError', message: 'This attribute must be unique', details: { errors: [{ path: ['title'] }] } }, 'on update too')
  const inTransaction = await mapped.engine.transaction(async () => {
    const failed = await repo.create({ data: { title: 'same', publishedAt: '2024-01-04T00:00:00Z' } }).catch((err: unknown) => err)
    // The failed action rolled back to its savepoint: the transaction goes on.
    const ok = await repo.create({ data: { title: 'other', publishedAt: '2024-01-04T00:00:00Z' } })
    return { failed, ok }
  })
  t.type(inTransaction.failed, ValidationError)
  t.equal(inTransaction.ok.title, 'other', 'a transaction survives a failed write')
  t.equal(await repo.count({ where: { title: 'other' } }), 1)

  // Not-null and foreign-key violations, raised by the database itself.
  const mapper = createErrorMapper(mapped.engine.catalog, log)
  const notNull = await mapped.database.execute(sql`INSERT INTO "articles" ("id") VALUES (NULL)`).catch((err: unknown) => mapper(err, { uid: ARTICLE }))
  t.match(notNull, { name: 'ValidationError', message: 'id must be defined.', details: { errors: [{ path: ['id'] }] } })
  const foreign = await mapped.database.execute(sql`INSERT INTO "articles_tags_lnk" ("article_id", "tag_id") VALUES (999, 999)`).catch((err: unknown) => mapper(err, { uid: ARTICLE }))
  t.match(foreign, { name: 'ValidationError', message: 'A related entry does not exist' })
  const other = new Error('not from the database')
  t.equal(mapper(other, { uid: ARTICLE }), other, 'anything else is left alone')
})
