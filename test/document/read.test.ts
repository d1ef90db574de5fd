/**
 * findOne, findFirst, findMany and count: draft/published × localized/not, REST-syntax fields, filters,
 * sort, populate (status and locale followed into relations, localizations) and pagination, and bad params
 * as ValidationErrors named after the REST parameter.
 */
import t from 'tap'
import { PaginationError, ValidationError } from '../../lib/errors.js'
import type { DocumentEntry } from '../../lib/document/index.js'
import { ARTICLE, AUTHOR, CATEGORY, rejection, setup, TAG } from './helpers.js'

const { documents, database, db } = await setup(t)
const articles = documents(ARTICLE)
const categories = documents(CATEGORY)

const titles = (list: unknown, key = 'title'): unknown[] => (list as DocumentEntry[]).map(e => e[key])

// Seeded once: reads do not change anything.
const news = await categories.create({ data: { name: 'News', description: 'Daily' } })
const tech = await categories.create({ data: { name: 'Tech' } })
const red = await documents(TAG).create({ data: { name: 'red' } })
const ann = await documents(AUTHOR).create({ data: { name: 'Ann', internalNote: 'secret', password: 'hunter22' } })
const alpha = await articles.create({ data: { title: 'Alpha', views: 5, category: news.documentId, tags: [red.documentId], author: ann.documentId, internalNotes: 'private', seo: { metaTitle: 'A' } }, status: 'published' })
const beta = await articles.create({ data: { title: 'Beta', views: 20, category: news.documentId, excerpt: 'second post' }, status: 'published' })
const gamma = await articles.create({ data: { title: 'Gamma', views: 1, category: tech.documentId } })
// Relations are per locale: the French row links the category itself.
await articles.update({ documentId: alpha.documentId, locale: 'fr', data: { title: 'Alpha FR', category: news.documentId }, status: 'published' })
const [alphaDraft, betaDraft] = await articles.findMany({ sort: 'title', fields: ['title'] })
await articles.update({ documentId: beta.documentId, data: { title: 'Beta (edited)' } })

t.test('findMany: drafts of the default locale by default, flattened', async (t) => {
  const list = await articles.findMany()
  t.same(titles(list), ['Alpha', 'Beta (edited)', 'Gamma'])
  const first = list[0]!
  t.match(first, { id: Number, documentId: alpha.documentId, title: 'Alpha', views: 5, publishedAt: null, locale: 'en', createdAt: String, updatedAt: String })
  t.equal(first.documentId.length, 24, 'documentId is a 24-character cuid2')
  t.match(first.documentId, /^[a-z][a-z0-9]{23}$/)
  t.notOk('category' in first, 'relations absent unless populated')
  t.notOk('seo' in first, 'components absent unless populated')
  t.equal(first.internalNotes, 'private', 'private attributes are returned by the Document Service (the REST layer sanitizes)')
  t.same(Object.keys(first).slice(0, 2), ['id', 'documentId'])
  t.same(Object.keys(first).slice(-4), ['createdAt', 'updatedAt', 'publishedAt', 'locale'])
})

t.test('findMany: published rows, other locales, all locales', async (t) => {
  t.same(titles(await articles.findMany({ status: 'published' })), ['Alpha', 'Beta'], 'the published versions, not the edited draft')
  t.same(titles(await articles.findMany({ locale: 'fr' })), ['Alpha FR'])
  t.same(titles(await articles.findMany({ locale: 'fr', status: 'published' })), ['Alpha FR'])
  t.same(titles(await articles.findMany({ locale: 'de' })), [])
  t.same(titles(await articles.findMany({ locale: '*', sort: 'title' })), ['Alpha', 'Alpha FR', 'Beta (edited)', 'Gamma'])
  t.same(titles(await articles.findMany({ locale: '*', status: 'published', sort: 'id' })), ['Alpha', 'Beta', 'Alpha FR'])
})

t.test('types without draft & publish: one row, status ignored, no locale key', async (t) => {
  const drafts = await categories.findMany({ sort: 'name' })
  const published = await categories.findMany({ sort: 'name', status: 'published' })
  t.same(titles(drafts, 'name'), ['News', 'Tech'])
  t.same(published, drafts, 'the same rows for both statuses')
  t.notOk('locale' in drafts[0]!, 'locale only on localized types')
  t.ok(typeof drafts[0]!.publishedAt === 'string', 'publishedAt is the creation time')
  t.same(await categories.findMany({ locale: 'fr', sort: 'name' }), drafts, 'locale selects no rows on non-localized types')
  const one = await categories.findOne({ documentId: news.documentId, status: 'published' })
  t.equal(one?.name, 'News')
})

t.test('findOne: by documentId, status and locale; null when absent', async (t) => {
  t.equal((await articles.findOne({ documentId: beta.documentId }))?.title, 'Beta (edited)', 'draft by default')
  t.equal((await articles.findOne({ documentId: beta.documentId, status: 'published' }))?.title, 'Beta')
  t.equal(await articles.findOne({ documentId: gamma.documentId, status: 'published' }), null, 'never published')
  t.equal((await articles.findOne({ documentId: alpha.documentId, locale: 'fr' }))?.title, 'Alpha FR')
  t.equal(await articles.findOne({ documentId: gamma.documentId, locale: 'fr' }), null, 'no such localization')
  t.equal(await articles.findOne({ documentId: 'nosuchdocumentidatall000' }), null)
  const error = await rejection(articles.findOne({} as never))
  t.type(error, ValidationError)
  t.equal(error.message, 'documentId is required')
})

t.test('findFirst and count follow filters, status and locale', async (t) => {
  t.equal((await articles.findFirst({ sort: 'views:desc' }))?.title, 'Beta (edited)')
  t.equal((await articles.findFirst({ filters: { views: { $lt: 5 } } }))?.title, 'Gamma')
  t.equal(await articles.findFirst({ filters: { title: 'nothing' } }), null)
  t.equal(await articles.count(), 3)
  t.equal(await articles.count({ status: 'published' }), 2)
  t.equal(await articles.count({ locale: '*' }), 4)
  t.equal(await articles.count({ filters: { category: { name: 'News' } } }), 2, 'filters through relations')
  t.equal(await articles.count({ _q: 'second' }), 1, '_q searches text attributes')
  t.equal(await categories.count(), 2)
})

t.test('fields, sort and pagination in REST syntax', async (t) => {
  const [first] = await articles.findMany({ fields: ['title'], sort: { views: 'desc' } })
  t.same(first, { id: first!.id, documentId: beta.documentId, title: 'Beta (edited)' }, 'id and documentId plus the fields asked; no locale nor timestamps')
  t.same(Object.keys((await articles.findMany({ fields: 'title,views' }))[0]!), ['id', 'documentId', 'title', 'views'])
  t.same(titles(await articles.findMany({ sort: ['views:desc'] })), ['Beta (edited)', 'Alpha', 'Gamma'])
  t.same(titles(await articles.findMany({ sort: 'category.name:desc,title' })), ['Gamma', 'Alpha', 'Beta (edited)'], 'sort through a relation')
  t.same(titles(await articles.findMany({ sort: 'title', pagination: { page: 2, pageSize: 2 } })), ['Gamma'])
  t.same(titles(await articles.findMany({ sort: 'title', pagination: { start: 1, limit: 1 } })), ['Beta (edited)'])
  t.same(titles(await articles.findMany({ sort: 'title', start: 2, limit: 5 })), ['Gamma'], 'root-level start/limit')
  t.same(titles(await articles.findMany({ sort: 'title', page: 1, pageSize: 1 })), ['Alpha'], 'root-level page/pageSize')
  t.same(titles(await articles.findMany({ sort: 'title', limit: -1 })), ['Alpha', 'Beta (edited)', 'Gamma'], 'limit -1: no limit')
  t.same(titles(await articles.findMany({ sort: 'title', pagination: { page: 1 } })), ['Alpha', 'Beta (edited)', 'Gamma'], 'page alone keeps the default page size')
  const mixed = await rejection(articles.findMany({ pagination: { page: 1, limit: 2 } }))
  t.type(mixed, PaginationError)
  t.type(await rejection(articles.findMany({ pagination: { page: 0 } })), ValidationError)
  t.type(await rejection(articles.findMany({ start: 'x' as never })), ValidationError)
})

t.test('populate: relations, components, zones, nested, count', async (t) => {
  const entry = await articles.findOne({ documentId: alpha.documentId, populate: ['category', 'tags', 'seo', 'blocks', 'author'] })
  t.match(entry, {
    title: 'Alpha',
    category: { documentId: news.documentId, name: 'News', description: 'Daily' },
    tags: [{ documentId: red.documentId, name: 'red' }],
    seo: { id: Number, metaTitle: 'A', noIndex: false },
    blocks: [],
    author: { name: 'Ann', internalNote: 'secret' }
  })
  t.notOk('locale' in (entry?.category as object), 'non-localized targets have no locale key')
  t.notOk('articles' in (entry?.category as object), 'one level only')
  const nested = await articles.findOne({ documentId: alpha.documentId, populate: 'category.articles' })
  t.same(titles((nested?.category as { articles: unknown }).articles), ['Alpha', 'Beta (edited)'], 'dotted paths populate deeper, drafts following the status')
  const object = await articles.findOne({
    documentId: alpha.documentId,
    populate: { category: { fields: ['name'], populate: { articles: { fields: ['title'], sort: 'title:desc', filters: { views: { $gt: 1 } } } } }, tags: { count: true } }
  })
  t.same(object?.category, { id: (entry?.category as DocumentEntry).id, documentId: news.documentId, name: 'News', articles: [{ id: betaDraft!.id, documentId: beta.documentId, title: 'Beta (edited)' }, { id: alphaDraft!.id, documentId: alpha.documentId, title: 'Alpha' }] })
  t.same(object?.tags, { count: 1 })
  const star = await articles.findOne({ documentId: alpha.documentId, populate: '*' })
  t.same(Object.keys(star ?? {}).filter(k => ['seo', 'blocks', 'category', 'author', 'reviewer', 'tags', 'relatedArticles', 'localizations'].includes(k)).sort(),
    ['author', 'blocks', 'category', 'localizations', 'relatedArticles', 'reviewer', 'seo', 'tags'], '* populates every relation, component, zone and localizations')
})

t.test('populated draft & publish targets follow the status; localized targets the locale', async (t) => {
  const drafts = await categories.findOne({ documentId: news.documentId, populate: { articles: { fields: ['title'], sort: 'title' } } })
  t.same(titles(drafts?.articles), ['Alpha', 'Beta (edited)'], 'default status draft: draft rows')
  const published = await categories.findOne({ documentId: news.documentId, status: 'published', populate: { articles: { fields: ['title', 'publishedAt'], sort: 'title' } } })
  t.same(titles(published?.articles), ['Alpha', 'Beta'], 'published rows, drafts never leak')
  t.ok((published?.articles as DocumentEntry[]).every(a => a.publishedAt !== null))
  const french = await categories.findOne({ documentId: news.documentId, locale: 'fr', populate: { articles: { fields: ['title'] } } })
  t.same(titles(french?.articles), ['Alpha FR'], 'the request locale applies to localized targets')
  const all = await categories.findOne({ documentId: news.documentId, locale: '*', populate: { articles: { fields: ['title'], sort: 'title' } } })
  t.same(titles(all?.articles), ['Alpha', 'Alpha FR', 'Beta (edited)'], "locale '*': every locale")
  const tech2 = await categories.findOne({ documentId: tech.documentId, status: 'published', populate: ['articles'] })
  t.same(tech2?.articles, [], 'a never-published target is not shown in published reads')
})

t.test('localizations: the other locales of the same document and status', async (t) => {
  const entry = await articles.findOne({ documentId: alpha.documentId, populate: ['localizations'] })
  t.same(titles(entry?.localizations), ['Alpha FR'])
  t.match(entry?.localizations, [{ documentId: alpha.documentId, locale: 'fr', publishedAt: null }])
  const published = await articles.findOne({ documentId: alpha.documentId, locale: 'fr', status: 'published', populate: { localizations: { fields: ['title', 'locale'] } } })
  t.same(published?.localizations, [{ id: alpha.id + 1, documentId: alpha.documentId, title: 'Alpha', locale: 'en' }].map(e => ({ ...e, id: (published?.localizations as DocumentEntry[])[0]!.id })))
  t.match((published?.localizations as DocumentEntry[])[0], { title: 'Alpha', locale: 'en' })
  const list = await articles.findMany({ populate: { localizations: { fields: ['locale'] } }, sort: 'title' })
  t.same(list.map(e => titles(e.localizations, 'locale')), [['fr'], [], []])
  const none = await articles.findOne({ documentId: gamma.documentId, populate: ['localizations'] })
  t.same(none?.localizations, [])
  const nested = await categories.findOne({ documentId: news.documentId, status: 'published', populate: { articles: { fields: ['title'], sort: 'title', populate: { localizations: { fields: ['title'] } } } } })
  t.same((nested?.articles as DocumentEntry[]).map(a => [a.title, titles(a.localizations)]), [['Alpha', ['Alpha FR']], ['Beta', []]], 'inside a populated relation too')
  const err = await rejection(categories.findMany({ populate: ['localizations'] }))
  t.match(err, { name: 'ValidationError', message: 'Invalid key localizations' }, 'only on localized types')
  const statements: string[] = []
  const off = database.onQuery(text => { statements.push(text) })
  const star = await articles.findOne({ documentId: alpha.documentId, populate: '*' })
  off()
  t.same(titles(star?.localizations), ['Alpha FR'], "populate '*' includes them")
  t.equal(statements.length, 1, 'in the same statement as the entry and its other populated attributes')
})

t.test('bad params are ValidationErrors named after the REST parameter', async (t) => {
  const cases: Array<[string, Promise<unknown>, Record<string, unknown>]> = [
    ['unknown filter', articles.findMany({ filters: { nope: 1 } }), { message: 'Invalid key nope', details: { param: 'filters', key: 'nope' } }],
    ['unknown operator', articles.findMany({ filters: { title: { $nope: 1 } } }), { message: 'Invalid key $nope at title', details: { param: 'filters' } }],
    ['filters not an object', articles.findMany({ filters: 'x' }), { message: 'The filters parameter must be an object or an array', details: { param: 'filters' } }],
    ['bad value', articles.findMany({ filters: { views: 'abc' } }), { details: { param: 'filters', path: 'views' } }],
    ['unknown sort', articles.findMany({ sort: 'nope:asc' }), { message: 'Invalid key nope', details: { param: 'sort' } }],
    ['bad direction', articles.findMany({ sort: 'title:up' }), { message: 'Invalid order. order can only be one of asc|desc|ASC|DESC' }],
    ['relation in fields', articles.findMany({ fields: ['category'] }), { message: 'Invalid key category', details: { param: 'fields' } }],
    ['scalar in populate', articles.findMany({ populate: ['title'] }), { message: 'Invalid key title', details: { param: 'populate' } }],
    ['unknown populate', articles.findMany({ populate: { nope: true } }), { message: 'Invalid key nope', details: { param: 'populate' } }],
    ['unknown populate option', articles.findMany({ populate: { category: { bogus: 1 } } }), { message: 'Invalid key bogus at category', details: { param: 'populate' } }],
    ['fragments on a relation', articles.findMany({ populate: { category: { on: {} } } }), { message: 'Using fragments is not permitted to populate "category" in "api::article.article"' }],
    ['unknown zone component', articles.findMany({ populate: { blocks: { on: { 'shared.seo': true } } } }), { message: 'Invalid key shared.seo at blocks.on' }],
    ['unknown locale', articles.findMany({ locale: 'zz' }), { message: 'Invalid locale "zz": expected one of en, fr, de, *', details: { param: 'locale' } }],
    ['invalid status', articles.findMany({ status: 'live' as never }), { message: 'Invalid status "live": expected "draft" or "published"', details: { param: 'status' } }],
    // The filters of delete and the publication actions were checked only by the Query Engine, as `where`.
    ['unknown filter on delete', articles.delete({ documentId: 'x', filters: { nope: 1 } }), { message: 'Invalid key nope', details: { param: 'filters', key: 'nope' } }],
    ['unknown filter on unpublish', articles.unpublish({ documentId: 'x', filters: { nope: 1 } }), { message: 'Invalid key nope', details: { param: 'filters', key: 'nope' } }]
  ]
  for (const [name, promise, expected] of cases) {
    const error = await rejection(promise)
    t.type(error, ValidationError, name)
    t.match(error, expected, name)
  }
})

t.test('zones on populate, and fragments', async (t) => {
  const doc = await articles.create({
    data: {
      title: 'Zones',
      blocks: [
        { __component: 'content.quote', text: 'To be', author: 'W' },
        { __component: 'content.rich-text', body: '# Hi' },
        { __component: 'shared.hero', heading: 'Hero', cta: { label: 'Go', url: '/go' } }
      ]
    }
  })
  t.teardown(() => articles.delete({ documentId: doc.documentId, locale: '*' }))
  const all = await articles.findOne({ documentId: doc.documentId, populate: { blocks: true } })
  t.match(all?.blocks, [
    { __component: 'content.quote', id: Number, text: 'To be', author: 'W' },
    { __component: 'content.rich-text', body: '# Hi' },
    { __component: 'shared.hero', heading: 'Hero' }
  ])
  t.notOk('cta' in (all?.blocks as DocumentEntry[])[2]!, 'nested components need their own populate')
  const deep = await articles.findOne({ documentId: doc.documentId, populate: { blocks: { populate: '*' } } })
  t.match((deep?.blocks as DocumentEntry[])[2], { cta: { label: 'Go', url: '/go' }, article: null })
  const only = await articles.findOne({ documentId: doc.documentId, populate: { blocks: { on: { 'content.quote': { fields: ['text'] } } } } })
  t.same((only?.blocks as DocumentEntry[]).map(b => Object.keys(b)), [['__component', 'id', 'text']], 'fragments select components and fields')
})

t.test('reads of one shape share a parse, yet a caller or a hook changing its params changes that read only', async (t) => {
  const read = async (title: string): Promise<unknown[]> => titles((await categories.findOne({
    documentId: news.documentId, populate: { articles: { fields: ['title'], filters: { title } } }
  }))?.articles)
  const params = { documentId: news.documentId, populate: { articles: { fields: ['title'], filters: { title: 'Alpha' } } } }
  t.same(titles((await categories.findOne(params))?.articles), ['Alpha'])
  params.populate.articles.filters.title = 'Beta (edited)'
  t.same(titles((await categories.findOne(params))?.articles), ['Beta (edited)'], 'the changed params are read')
  t.same(await read('Alpha'), ['Alpha'], 'and the first params still read what they read')

  let once = true
  const stop = db.lifecycles.subscribe({
    models: [CATEGORY],
    beforeFindOne (event) { limitOnce(event.params) },
    beforeFindMany (event) { limitOnce(event.params) }
  })
  function limitOnce (params: Record<string, unknown>): void {
    if (!once) return
    once = false
    const populate = params.populate as { articles: Record<string, unknown> }
    populate.articles.limit = 0
  }
  t.same(await read('Alpha'), [], 'a hook changed the populate of this read')
  t.same(await read('Alpha'), ['Alpha'], 'and of this read only')
  stop()

  // A populate only the Query Engine's parser refuses (a nested field) is refused every time, before any hook.
  const reached: string[] = []
  const stopRecording = db.lifecycles.subscribe((event) => { reached.push(event.action) })
  for (const round of [1, 2]) {
    const error = await rejection(categories.findOne({ documentId: news.documentId, populate: { articles: { fields: ['nope'] } } }))
    t.match(error, { message: 'Invalid key nope', details: { param: 'fields', path: null } }, `round ${round}`)
  }
  t.same(reached, [], 'no lifecycle hook saw the bad read')

  // The caller's filters, fields and sort are checked with the service's own conditions left out; bad ones
  // are refused the same way, by their REST names, before any hook.
  const bad: Array<[Record<string, unknown>, RegExp, string]> = [
    [{ filters: { nope: 'x' } }, /Invalid key nope/, 'filters'],
    [{ filters: { name: { $gt: {} } } }, /Invalid value/, 'filters'],
    [{ fields: ['nope'] }, /Invalid key nope/, 'fields'],
    [{ sort: 'nope:asc' }, /Invalid key nope/, 'sort']
  ]
  for (const [params, message, param] of bad) {
    const error = await rejection(categories.findMany({ ...params, status: 'published', locale: 'en' }))
    t.match(error, { name: 'ValidationError', message, details: { param } }, JSON.stringify(params))
  }
  t.same(reached, [], 'no lifecycle hook saw a bad read')
  t.same(titles(await categories.findMany({ filters: { name: news.name }, fields: ['name'], sort: 'name:asc' }), 'name'), [news.name], 'good ones still read')
  stopRecording()
})

t.test('an unknown content type is an error', async (t) => {
  t.throws(() => documents('api::nope.nope'), { name: 'ValidationError', message: 'Unknown content type "api::nope.nope"' })
  t.throws(() => documents('shared.seo'), { name: 'ValidationError' }, 'components have no documents')
})
