/**
 * Document Service middlewares (order, ctx, params changes, short-circuit, result replacement, errors,
 * removal) and transactions: each write action, middlewares included, commits or rolls back as one.
 */
import t from 'tap'
import type { DocumentContext } from '../../lib/document/index.js'
import { ValidationError } from '../../lib/errors.js'
import { ARTICLE, rejection, setup, TAG } from './helpers.js'

const { documents, reset, database, db } = await setup(t)
const articles = documents(ARTICLE)
const tags = documents(TAG)

t.beforeEach(async () => { await reset() })

/** Registers a middleware for the test only. */
function use (t: { teardown: (fn: () => unknown) => void }, middleware: Parameters<typeof documents.use>[0]): () => void {
  const remove = documents.use(middleware)
  t.teardown(remove)
  return remove
}

t.test('run in registration order, first registered outermost, around every action', async (t) => {
  const log: string[] = []
  use(t, async (ctx, next) => {
    log.push(`a>${ctx.action}`)
    const result = await next()
    log.push(`a<${ctx.action}`)
    return result
  })
  use(t, async (ctx, next) => {
    log.push(`b>${ctx.action}`)
    const result = await next()
    log.push(`b<${ctx.action}`)
    return result
  })
  await tags.findMany()
  t.same(log, ['a>findMany', 'b>findMany', 'b<findMany', 'a<findMany'])
  log.length = 0
  const doc = await articles.create({ data: { title: 'T' } })
  await articles.findOne({ documentId: doc.documentId })
  await articles.findFirst()
  await articles.count()
  await articles.update({ documentId: doc.documentId, data: { title: 'U' } })
  await articles.publish({ documentId: doc.documentId })
  await articles.discardDraft({ documentId: doc.documentId })
  await articles.unpublish({ documentId: doc.documentId })
  await articles.delete({ documentId: doc.documentId })
  t.same(log.filter(l => l.startsWith('a>')).map(l => l.slice(2)), ['create', 'findOne', 'findFirst', 'count', 'update', 'publish', 'discardDraft', 'unpublish', 'delete'])
})

t.test('ctx: uid, content type, action and a copy of the params', async (t) => {
  const seen: DocumentContext[] = []
  use(t, async (ctx, next) => {
    seen.push({ ...ctx, params: { ...ctx.params } })
    return await next()
  })
  const params = { filters: { name: 'x' } }
  await tags.findMany(params)
  t.match(seen[0], { uid: TAG, action: 'findMany', contentType: { uid: TAG, kind: 'collectionType' }, params: { filters: { name: 'x' } } })
  t.same(params, { filters: { name: 'x' } })
})

t.test('a middleware may change or replace params', async (t) => {
  use(t, async (ctx, next) => {
    if (ctx.action === 'create' && ctx.uid === ARTICLE) ctx.params.status = 'published'
    if (ctx.action === 'findMany' && ctx.uid === TAG) ctx.params = { ...ctx.params, filters: { name: 'kept' } }
    return await next()
  })
  const doc = await articles.create({ data: { title: 'Forced' } })
  t.type(doc.publishedAt, 'string', 'created published')
  await tags.create({ data: { name: 'kept' } })
  await tags.create({ data: { name: 'other' } })
  t.same((await tags.findMany()).map(e => e.name), ['kept'])
})

t.test('a middleware may short-circuit, read or replace the result', async (t) => {
  use(t, async (ctx, next) => {
    if (ctx.action === 'count') return 42
    const result = await next()
    if (ctx.action === 'findMany') return (result as unknown[]).length
    return result
  })
  t.equal(await tags.count(), 42, 'next() never called')
  await tags.create({ data: { name: 'a' } })
  t.equal(await tags.findMany() as unknown, 1, 'result replaced')
  const remove = use(t, async (ctx, next) => ctx.action === 'create' ? { fake: true } : await next())
  t.same(await tags.create({ data: { name: 'never' } }), { fake: true })
  remove()
  remove()
  t.equal(await tags.findFirst({ filters: { name: 'never' } }), null, 'a short-circuited create wrote nothing')
  t.equal((await tags.create({ data: { name: 'b' } })).name, 'b', 'removed: the action runs again')
})

t.test('a throwing middleware rejects the call; after next() it rolls the write back', async (t) => {
  const remove = use(t, async (ctx) => {
    if (ctx.action === 'create') throw new ValidationError('refused by policy')
  })
  t.match(await rejection(tags.create({ data: { name: 'a' } })), { name: 'ValidationError', message: 'refused by policy' })
  remove()
  use(t, async (ctx, next) => {
    const result = await next()
    // A nested call joins the action's transaction...
    if (ctx.action === 'create' && ctx.uid === ARTICLE) {
      await tags.create({ data: { name: 'audit' } })
      throw new Error('after the fact')
    }
    return result
  })
  t.match(await rejection(articles.create({ data: { title: 'T' }, status: 'published' })), { message: 'after the fact' })
  t.equal(await articles.count({ locale: '*' }), 0, '...and everything is rolled back')
  t.equal(await tags.count(), 0)
})

t.test('a write failing inside an action fails it even when a middleware catches the error: nothing is written', async (t) => {
  await tags.create({ data: { name: 'taken' } })
  use(t, async (ctx, next) => {
    const result = await next()
    if (ctx.action === 'create' && ctx.uid === ARTICLE) {
      // Query Engine writes join the action's transaction without a savepoint: a caught failure still rolls it back.
      await db.query(TAG).create({ data: { name: 'taken', documentId: 'tagtakentwice00000000000', publishedAt: new Date() } }).catch(() => {})
    }
    return result
  })
  t.match(await rejection(articles.create({ data: { title: 'T' }, status: 'published' })), { name: 'ValidationError', message: 'This attribute must be unique' })
  t.equal(await articles.count({ locale: '*' }), 0, 'the article was rolled back')
  t.equal(await tags.count(), 1)
})

t.test('next() twice is an error; use() needs a function', async (t) => {
  use(t, async (_ctx, next) => {
    await next()
    return await next()
  })
  t.match(await rejection(tags.findMany()), { message: 'next() called multiple times' })
  t.throws(() => documents.use('nope' as never), TypeError)
})

t.test('each action is one transaction: a late failure leaves nothing half-written', async (t) => {
  const doc = await articles.create({ data: { title: 'Before', views: 1 } })
  await articles.update({ documentId: doc.documentId, locale: 'fr', data: { title: 'Avant' } })
  const error = await rejection(articles.update({ documentId: doc.documentId, data: { title: 'After', views: 2, relatedArticles: ['missingarticle0000000000'] } }))
  t.type(error, ValidationError)
  t.match(await articles.findOne({ documentId: doc.documentId }), { title: 'Before', views: 1 })
  t.equal((await articles.findOne({ documentId: doc.documentId, locale: 'fr' }))?.views, 1, 'the other locale was not synced either')
  // The failure happens while publishing, after the draft was written.
  const late = await rejection(articles.update({ documentId: doc.documentId, data: { title: null }, status: 'published' }))
  t.type(late, ValidationError)
  t.equal((await articles.findOne({ documentId: doc.documentId }))?.title, 'Before', 'the draft write was rolled back with the failed publish')
})

t.test('findWithCount: the findMany and count middlewares both run; one statement when they agree', async (t) => {
  for (const title of ['a', 'b', 'c']) await articles.create({ data: { title }, status: 'published' })
  const seen: string[] = []
  use(t, async (ctx, next) => {
    seen.push(`>${ctx.action} ${JSON.stringify(ctx.params)}`)
    const result = await next()
    seen.push(`<${ctx.action}`)
    return result
  })
  const statements: string[] = []
  const off = database.onQuery(text => { statements.push(text) })
  const [entries, total] = await articles.findWithCount({ status: 'published', sort: 'title', limit: 2, fields: ['title'] })
  off()
  t.same({ titles: entries.map(e => e.title), total }, { titles: ['a', 'b'], total: 3 }, 'the page and the total of every match')
  t.same(seen, [
    '>findMany {"status":"published","sort":"title","limit":2,"fields":["title"]}',
    '>count {"status":"published","sort":"title","fields":["title"]}',
    '<count',
    '<findMany'
  ], 'the count gets the same params without pagination, inside the findMany')
  t.equal(statements.length, 1, 'one statement')
})

t.test('findWithCount: a middleware changing one of them gets what a separate call would give', async (t) => {
  for (const title of ['a', 'b', 'c']) await articles.create({ data: { title }, status: 'published' })
  use(t, async (ctx, next) => {
    if (ctx.action === 'count') ctx.params.filters = { title: { $ne: 'c' } }
    return await next()
  })
  const statements: string[] = []
  const off = database.onQuery(text => { statements.push(text) })
  const [entries, total] = await articles.findWithCount({ status: 'published', sort: 'title' })
  off()
  t.same({ titles: entries.map(e => e.title), total }, { titles: ['a', 'b', 'c'], total: 2 }, 'the count with its own filters')
  t.equal(statements.length, 2, 'two statements')

  const remove = use(t, async (ctx, next) => ctx.action === 'count' ? 42 : await next())
  const [, shortCircuited] = await articles.findWithCount({ status: 'published' })
  t.equal(shortCircuited, 42, 'a count middleware may answer without the database')
  remove()
  use(t, async (ctx, next) => ctx.action === 'findMany' ? [] : await next())
  t.same(await articles.findWithCount({ status: 'published' }), [[], 2], 'so may a findMany middleware')
})
