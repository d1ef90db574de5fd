/**
 * Draft & publish and i18n writes: create/update/delete per status and locale, publish in place (stable
 * ids, no relation lost), unpublish, discardDraft, attributes shared by all locales, and the lifecycle events
 * each action fires (the table in lib/document/README.md).
 */
import t from 'tap'
import type { DocumentEntry } from '../../lib/document/index.js'
import { ValidationError } from '../../lib/errors.js'
import { ARTICLE, CATEGORY, HOMEPAGE, recordEvents, rejection, setup, TAG } from './helpers.js'

const { documents, db, reset, rows } = await setup(t)
const articles = documents(ARTICLE)
const categories = documents(CATEGORY)

const titles = (list: unknown, key = 'title'): unknown[] => (list as DocumentEntry[] | null ?? []).map(e => e[key])

t.beforeEach(async () => { await reset() })

t.test('create: a draft by default; status published returns the published row', async (t) => {
  const draft = await articles.create({ data: { title: 'Draft', publishedAt: '2020-01-01T00:00:00Z' } })
  t.equal(draft.publishedAt, null, 'publishedAt in data is ignored')
  t.equal(await articles.findOne({ documentId: draft.documentId, status: 'published' }), null)
  const published = await articles.create({ data: { title: 'Live' }, status: 'published' })
  t.type(published.publishedAt, 'string')
  const stored = (await rows('articles')).filter(r => r.document_id === published.documentId)
  t.equal(stored.length, 2, 'a draft row and a published row')
  t.not(stored[0]!.id, stored[1]!.id)
  t.equal((await articles.findOne({ documentId: published.documentId }))?.title, 'Live', 'the draft exists too')
  const category = await categories.create({ data: { name: 'Plain' } })
  t.type(category.publishedAt, 'string', 'types without draft & publish are published at creation')
  t.equal((await rows('categories')).length, 1, 'one row')
})

t.test('update: the draft only, unless status published (then published in place)', async (t) => {
  const doc = await articles.create({ data: { title: 'One' }, status: 'published' })
  await articles.update({ documentId: doc.documentId, data: { title: 'Two' } })
  t.equal((await articles.findOne({ documentId: doc.documentId, status: 'published' }))?.title, 'One', 'published row untouched')
  const again = await articles.update({ documentId: doc.documentId, data: { title: 'Three' }, status: 'published' })
  t.equal(again?.title, 'Three')
  t.equal(again?.id, doc.id, 'the published row keeps its id')
  t.ok(Date.parse(String(again?.publishedAt)) >= Date.parse(String(doc.publishedAt)), 'publishedAt is the latest publication')
  t.equal(again?.createdAt, doc.createdAt)
  t.equal(await articles.update({ documentId: 'nosuchdocumentidatall000', data: { title: 'x' } }), null, 'null for an unknown document')
})

t.test('publish keeps ids, incoming links and relations to documents not yet published', async (t) => {
  const target = await articles.create({ data: { title: 'Target' } })
  const source = await articles.create({ data: { title: 'Source', relatedArticles: [target.documentId] } })
  const category = await categories.create({ data: { name: 'News', articles: [source.documentId] } })
  const related = async (): Promise<unknown[]> => titles((await articles.findOne({ documentId: source.documentId, status: 'published', populate: ['relatedArticles'] }))?.relatedArticles)

  const first = await articles.publish({ documentId: source.documentId })
  t.equal(first.entries.length, 1)
  const publishedId = first.entries[0]!.id
  t.same(await related(), [], 'a draft never shows in published reads')
  const seenBy = await categories.findOne({ documentId: category.documentId, status: 'published', populate: ['articles'] })
  t.same(titles(seenBy?.articles), ['Source'], 'a row without draft & publish now also links the new published row')

  await articles.publish({ documentId: target.documentId })
  t.same(await related(), ['Target'], 'publishing the target brings the link to it into the published version')

  await articles.update({ documentId: source.documentId, data: { title: 'Source 2' } })
  const again = await articles.publish({ documentId: source.documentId })
  t.equal(again.entries[0]?.id, publishedId, 'republishing updates the published row in place')
  t.same(await related(), ['Target'])
  t.same(titles((await categories.findOne({ documentId: category.documentId, status: 'published', populate: ['articles'] }))?.articles), ['Source 2'], 'incoming links survive a republish')

  await articles.unpublish({ documentId: target.documentId })
  t.same(await related(), [], 'unpublishing the target hides it')
  await articles.publish({ documentId: target.documentId })
  t.same(await related(), ['Target'], 'and publishing it again brings it back')
  t.same(titles((await articles.findOne({ documentId: source.documentId, populate: ['relatedArticles'] }))?.relatedArticles), ['Target'], 'the draft kept its link all along')
})

t.test('the published version changes only when published', async (t) => {
  const a = await articles.create({ data: { title: 'A' }, status: 'published' })
  const b = await articles.create({ data: { title: 'B' }, status: 'published' })
  const source = await articles.create({ data: { title: 'S', relatedArticles: [a.documentId] }, status: 'published' })
  await articles.update({ documentId: source.documentId, data: { relatedArticles: [b.documentId] } })
  const published = await articles.findOne({ documentId: source.documentId, status: 'published', populate: ['relatedArticles'] })
  t.same(titles(published?.relatedArticles), ['A'])
  await articles.publish({ documentId: source.documentId })
  t.same(titles((await articles.findOne({ documentId: source.documentId, status: 'published', populate: ['relatedArticles'] }))?.relatedArticles), ['B'])
})

t.test('publish validates with the publish rules, all errors at once', async (t) => {
  const doc = await articles.create({ data: { excerpt: 'no title yet', seo: { metaDescription: 'x' } } })
  const error = await rejection(articles.publish({ documentId: doc.documentId }))
  t.type(error, ValidationError)
  t.equal(error.message, '2 errors occurred')
  t.same(error.details, {
    errors: [
      { path: ['title'], message: 'title must be a `string` type, but the final value was: `null`.', name: 'ValidationError', value: null },
      { path: ['seo', 'metaTitle'], message: 'seo.metaTitle must be a `string` type, but the final value was: `null`.', name: 'ValidationError', value: null }
    ]
  })
  const viaCreate = await rejection(articles.create({ data: {}, status: 'published' }))
  t.equal(viaCreate.message, 'title must be a `string` type, but the final value was: `null`.')
  t.equal(await articles.count({ locale: '*' }), 1, 'the failed create left nothing behind')
  t.equal(await articles.count({ status: 'published', locale: '*' }), 0)
})

t.test('unpublish and discardDraft', async (t) => {
  const news = await categories.create({ data: { name: 'News' } })
  const tech = await categories.create({ data: { name: 'Tech' } })
  const doc = await articles.create({ data: { title: 'Live', category: news.documentId, seo: { metaTitle: 'SEO' }, blocks: [{ __component: 'content.quote', text: 'q' }] }, status: 'published' })
  await articles.update({ documentId: doc.documentId, data: { title: 'Edited', category: tech.documentId, seo: { metaTitle: 'New SEO' }, blocks: [] } })
  const draftBefore = await articles.findOne({ documentId: doc.documentId, populate: ['seo'] })
  const discarded = await articles.discardDraft({ documentId: doc.documentId })
  t.equal(discarded.entries.length, 1)
  t.equal(discarded.entries[0]?.id, draftBefore?.id, 'the draft is reset in place')
  const draft = await articles.findOne({ documentId: doc.documentId, populate: '*' })
  t.match(draft, { title: 'Live', publishedAt: null, category: { name: 'News' }, seo: { metaTitle: 'SEO' }, blocks: [{ __component: 'content.quote', text: 'q' }] })
  t.equal((draft?.seo as DocumentEntry).id, (draftBefore?.seo as DocumentEntry).id, 'component rows are updated in place')

  const unpublished = await articles.unpublish({ documentId: doc.documentId })
  t.match(unpublished, { documentId: doc.documentId, entries: [{ id: doc.id, title: 'Live' }] })
  t.equal(await articles.findOne({ documentId: doc.documentId, status: 'published' }), null)
  t.equal((await articles.findOne({ documentId: doc.documentId }))?.title, 'Live', 'the draft stays')
  t.same(await articles.discardDraft({ documentId: doc.documentId }), { documentId: doc.documentId, entries: [] }, 'nothing to discard without a published version')
  t.same(await articles.unpublish({ documentId: doc.documentId }), { documentId: doc.documentId, entries: [] })
  const notDp = await rejection(categories.publish({ documentId: news.documentId }))
  t.match(notDp, { name: 'ValidationError', message: 'publish requires draft & publish, which api::category.category does not have' })
})

t.test('publish, unpublish and discard per locale, all locales, or a list', async (t) => {
  const doc = await articles.create({ data: { title: 'EN' } })
  await articles.update({ documentId: doc.documentId, locale: 'fr', data: { title: 'FR' } })
  await articles.update({ documentId: doc.documentId, locale: 'de', data: { title: 'DE' } })
  t.same(titles((await articles.publish({ documentId: doc.documentId })).entries), ['EN'], 'default locale')
  t.same(titles((await articles.publish({ documentId: doc.documentId, locale: ['fr', 'de'] })).entries).sort(), ['DE', 'FR'])
  t.same(titles((await articles.unpublish({ documentId: doc.documentId, locale: 'fr' })).entries), ['FR'])
  t.same(titles(await articles.findMany({ locale: '*', status: 'published', sort: 'title' })), ['DE', 'EN'])
  t.same(titles((await articles.unpublish({ documentId: doc.documentId, locale: '*' })).entries).sort(), ['DE', 'EN'])
  t.same(titles((await articles.publish({ documentId: doc.documentId, locale: '*' })).entries).sort(), ['DE', 'EN', 'FR'])
  t.match(await rejection(articles.publish({ documentId: doc.documentId, locale: 'zz' })), { name: 'ValidationError', message: 'Invalid locale "zz": expected one of en, fr, de, *' })
})

t.test('delete: every row of a locale (default), all locales, links removed', async (t) => {
  const doc = await articles.create({ data: { title: 'EN' }, status: 'published' })
  await articles.update({ documentId: doc.documentId, locale: 'fr', data: { title: 'FR' }, status: 'published' })
  const category = await categories.create({ data: { name: 'News', articles: [doc.documentId] } })
  const deleted = await articles.delete({ documentId: doc.documentId })
  t.same(titles(deleted.entries), ['EN', 'EN'], 'the draft and the published row')
  t.same(deleted.entries.map(e => e.publishedAt === null), [true, false])
  t.same(titles(await articles.findMany({ locale: '*' })), ['FR'])
  t.same((await categories.findOne({ documentId: category.documentId, populate: ['articles'] }))?.articles, [], 'links to deleted rows are gone')
  t.same(titles((await articles.delete({ documentId: doc.documentId, locale: '*' })).entries), ['FR', 'FR'])
  t.same(await articles.delete({ documentId: doc.documentId }), { documentId: doc.documentId, entries: [] }, 'an unknown document deletes nothing')
  t.match(await rejection(articles.delete({ documentId: doc.documentId, status: 'draft' })), { name: 'ValidationError', message: /^Cannot delete a draft document/ })
  const plain = await categories.delete({ documentId: category.documentId })
  t.equal(plain.entries.length, 1)
  t.notOk('locale' in plain.entries[0]!)
})

t.test('i18n: new locales inherit shared attributes, which stay in sync per status', async (t) => {
  const doc = await articles.create({ data: { title: 'EN', views: 5, kind: 'review', excerpt: 'shared too', blocks: [{ __component: 'content.quote', text: 'shared' }], seo: { metaTitle: 'en seo' } }, status: 'published' })
  const fr = await articles.update({ documentId: doc.documentId, locale: 'fr', data: { title: 'FR' }, populate: ['blocks', 'seo'] })
  // Strapi 5: in a localized type, attributes are shared unless they say pluginOptions.i18n.localized (uid always is).
  t.match(fr, { title: 'FR', slug: 'fr', locale: 'fr', views: 5, kind: 'review', excerpt: 'shared too', seo: null, blocks: [{ __component: 'content.quote', text: 'shared' }] }, 'shared attributes copied, localized ones not')
  t.equal(fr?.documentId, doc.documentId)
  await articles.update({ documentId: doc.documentId, data: { views: 9, blocks: [{ __component: 'content.rich-text', body: 'new' }] } })
  const frAfter = await articles.findOne({ documentId: doc.documentId, locale: 'fr', populate: ['blocks'] })
  t.match(frAfter, { views: 9, blocks: [{ __component: 'content.rich-text', body: 'new' }] }, 'shared attributes written in one locale reach the others')
  t.equal((await articles.findOne({ documentId: doc.documentId, status: 'published' }))?.views, 5, 'published rows keep theirs until published')
  await articles.publish({ documentId: doc.documentId, locale: 'fr' })
  t.equal((await articles.findOne({ documentId: doc.documentId, status: 'published' }))?.views, 9, "publishing a locale carries the shared attributes into the other locales' published rows")
  const error = await rejection(articles.create({ locale: 'zz', data: { title: 'x' } }))
  t.match(error, { name: 'ValidationError', message: 'Invalid locale "zz": expected one of en, fr, de' })
  t.match(await rejection(articles.create({ locale: '*', data: { title: 'x' } })), { name: 'ValidationError' })
  t.match(await rejection(articles.create({ data: { title: 'x', locale: 'fr' } })), { name: 'ValidationError', message: 'Invalid key locale' })
  const german = await articles.create({ locale: 'de', data: { title: 'DE' } })
  t.equal(german.locale, 'de')
})

t.test('single types work like collections', async (t) => {
  const home = await documents(HOMEPAGE).create({ data: { title: 'Home', sections: [{ __component: 'content.quote', text: 'hi' }] }, status: 'published' })
  const found = await documents(HOMEPAGE).findFirst({ status: 'published', populate: ['sections'] })
  t.match(found, { documentId: home.documentId, title: 'Home', sections: [{ text: 'hi' }] })
})

t.test('lifecycle events of each action', async (t) => {
  const tag = await documents(TAG).create({ data: { name: 't' } })
  const writes = recordEvents(db, e => /^after(Create|Update|Delete)$/.test(e.action))
  const all = recordEvents(db)
  t.teardown(() => { writes.stop(); all.stop() })
  const step = async (fn: () => Promise<unknown>): Promise<{ writes: string[], all: string[] }> => {
    writes.events.length = 0
    all.events.length = 0
    await fn()
    return { writes: [...writes.events], all: [...all.events] }
  }
  let doc: DocumentEntry | undefined
  const create = await step(async () => { doc = await articles.create({ data: { title: 'A', tags: [tag.documentId] } }) })
  t.same(create.writes, ['Create:article'], 'create: Create (draft)')
  t.same(create.all, ['FindMany:tag', 'FindOne:article', 'Create:article', 'FindOne:article'], 'create: relation lookup, the engine re-read, the response (uid generation is raw SQL)')
  const id = doc!.documentId
  t.same((await step(() => articles.update({ documentId: id, data: { title: 'B' } }))).writes, ['Update:article'], 'update: Update (draft)')
  const firstPublish = await step(() => articles.publish({ documentId: id }))
  t.same(firstPublish.writes, ['Create:article'], 'first publish: Create (published)')
  t.same((await step(() => articles.publish({ documentId: id }))).writes, ['Update:article'], 'publish again: Update (published), never Delete + Create')
  t.same((await step(() => articles.update({ documentId: id, data: { title: 'C' }, status: 'published' }))).writes, ['Update:article', 'Update:article'], 'update published: Update (draft) + Update (published)')
  t.same((await step(() => articles.create({ data: { title: 'P' }, status: 'published' }))).writes, ['Create:article', 'Create:article'], 'create published: Create (draft) + Create (published)')
  t.same((await step(() => articles.update({ documentId: id, locale: 'fr', data: { title: 'F' } }))).writes, ['Create:article'], 'update of a new locale: Create (draft)')
  t.same((await step(() => articles.update({ documentId: id, data: { views: 3 } }))).writes, ['Update:article', 'Update:article'], 'a shared attribute: Update ×(1 + other locales)')
  t.same((await step(() => articles.discardDraft({ documentId: id }))).writes, ['Update:article', 'Update:article'], 'discardDraft: Update (draft), + the other locales when shared attributes change')
  t.same((await step(() => articles.unpublish({ documentId: id }))).writes, ['Delete:article'], 'unpublish: Delete (published)')
  t.same((await step(() => articles.delete({ documentId: id, locale: '*' }))).writes, ['Delete:article', 'Delete:article'], 'delete: Delete per row')
  const reads = await step(async () => {
    await articles.findOne({ documentId: id })
    await articles.findFirst()
    await articles.findMany()
    await articles.count()
  })
  t.same(reads.all, ['FindOne:article', 'FindOne:article', 'FindMany:article', 'Count:article'])
  // A pending link moved by publication: an Update of the row holding it.
  const target = await articles.create({ data: { title: 'T' } })
  await articles.create({ data: { title: 'S', relatedArticles: [target.documentId] }, status: 'published' })
  t.same((await step(() => articles.publish({ documentId: target.documentId }))).writes, ['Create:article', 'Update:article'], 'first publish with a pending link: Create + Update of the linking row')
  t.same((await step(() => articles.unpublish({ documentId: target.documentId }))).writes, ['Update:article', 'Delete:article'], 'unpublish with a link from a published row: Update of that row + Delete')
  t.same((await step(() => categories.create({ data: { name: 'C' } }))).writes, ['Create:category'])
  t.same((await step(() => documents(TAG).update({ documentId: tag.documentId, data: { name: 'u' } }))).writes, ['Update:tag'])
  t.notOk(all.events.some(e => /^(CreateMany|UpdateMany|DeleteMany):/.test(e)), 'never a *Many write hook')
})
