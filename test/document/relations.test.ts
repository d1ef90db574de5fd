/**
 * Relation writes by documentId (contract §11): shorthand, set/connect/disconnect, positions, to-one rules,
 * both sides of bidirectional relations, the `{ documentId, locale, status }` and `{ id }` forms, which
 * rows of a draft & publish target are linked, and unknown documents as ValidationErrors.
 */
import t from 'tap'
import type { DocumentEntry } from '../../lib/document/index.js'
import { ValidationError } from '../../lib/errors.js'
import { isTransactionControl } from '../helpers/db.js'
import { ARTICLE, AUTHOR, CATEGORY, HOMEPAGE, rejection, setup, TAG } from './helpers.js'

const { documents, database, db, reset, rows } = await setup(t)
const articles = documents(ARTICLE)
const authors = documents(AUTHOR)
const categories = documents(CATEGORY)
const tags = documents(TAG)

const names = (list: unknown, key = 'name'): unknown[] => (list as DocumentEntry[] | null ?? []).map(e => e[key])

async function makeTags (...list: string[]): Promise<string[]> {
  const ids: string[] = []
  for (const name of list) ids.push((await tags.create({ data: { name } })).documentId)
  return ids
}

async function tagsOf (documentId: string, status: 'draft' | 'published' = 'draft'): Promise<unknown[]> {
  return names((await articles.findOne({ documentId, status, populate: ['tags'] }))?.tags)
}

t.beforeEach(async () => { await reset() })

t.test('shorthand: an id or a list sets exactly these, in order; null and [] clear; absent keeps', async (t) => {
  const [a, b, c] = await makeTags('a', 'b', 'c')
  const news = await categories.create({ data: { name: 'News' } })
  const doc = await articles.create({ data: { title: 'T', tags: [c!, a!, b!], category: news.documentId }, populate: ['tags', 'category'] })
  t.same(names(doc.tags), ['c', 'a', 'b'], 'order kept')
  t.equal((doc.category as DocumentEntry).name, 'News')
  await articles.update({ documentId: doc.documentId, data: { title: 'T2' } })
  t.same(await tagsOf(doc.documentId), ['c', 'a', 'b'], 'an absent attribute keeps its links')
  await articles.update({ documentId: doc.documentId, data: { tags: [b!, c!] } })
  t.same(await tagsOf(doc.documentId), ['b', 'c'])
  await articles.update({ documentId: doc.documentId, data: { tags: [], category: null } })
  const cleared = await articles.findOne({ documentId: doc.documentId, populate: ['tags', 'category'] })
  t.same(cleared?.tags, [])
  t.equal(cleared?.category, null)
  await articles.update({ documentId: doc.documentId, data: { tags: { documentId: a! } } })
  t.same(await tagsOf(doc.documentId), ['a'], 'a single { documentId } is a shorthand too')
})

t.test('connect appends (or moves), disconnect removes, set replaces', async (t) => {
  const [a, b, c, d] = await makeTags('a', 'b', 'c', 'd')
  const doc = await articles.create({ data: { title: 'T', tags: { connect: [a!, b!] } } })
  t.same(await tagsOf(doc.documentId), ['a', 'b'])
  await articles.update({ documentId: doc.documentId, data: { tags: { connect: [c!, a!] } } })
  t.same(await tagsOf(doc.documentId), ['b', 'c', 'a'], 'connecting a linked one moves it to the end')
  await articles.update({ documentId: doc.documentId, data: { tags: { disconnect: [b!, d!] } } })
  t.same(await tagsOf(doc.documentId), ['c', 'a'], 'ids not linked are ignored')
  await articles.update({ documentId: doc.documentId, data: { tags: { connect: [{ documentId: d! }], disconnect: [{ documentId: c! }] } } })
  t.same(await tagsOf(doc.documentId), ['a', 'd'])
  await articles.update({ documentId: doc.documentId, data: { tags: { set: [d!, b!, a!] } } })
  t.same(await tagsOf(doc.documentId), ['d', 'b', 'a'])
  await articles.update({ documentId: doc.documentId, data: { tags: { set: [] } } })
  t.same(await tagsOf(doc.documentId), [])
})

t.test('positions: start, end, before, after, applied in order', async (t) => {
  const [a, b, c, d, e] = await makeTags('a', 'b', 'c', 'd', 'e')
  const doc = await articles.create({ data: { title: 'T', tags: [a!, b!] } })
  await articles.update({
    documentId: doc.documentId,
    data: {
      tags: {
        connect: [
          { documentId: c!, position: { start: true } },
          { documentId: d!, position: { before: b! } },
          { documentId: e!, position: { after: c! } },
          { documentId: a!, position: { end: true } }
        ]
      }
    }
  })
  t.same(await tagsOf(doc.documentId), ['c', 'e', 'd', 'b', 'a'])
  await articles.update({ documentId: doc.documentId, data: { tags: { connect: [{ documentId: b!, position: { before: { documentId: c! } } }] } } })
  t.same(await tagsOf(doc.documentId), ['b', 'c', 'e', 'd', 'a'], 'a position may name { documentId }')
  await articles.update({ documentId: doc.documentId, data: { tags: { connect: [{ documentId: d!, position: { after: 'nosuchdocumentidatall000' } }] } } })
  t.same(await tagsOf(doc.documentId), ['b', 'c', 'e', 'a', 'd'], 'relative to an unknown document: appended')
  const error = await rejection(articles.update({ documentId: doc.documentId, data: { tags: { connect: [{ documentId: a!, position: { middle: true } }] } } }))
  t.match(error, { name: 'ValidationError', details: { errors: [{ path: ['tags', 'connect', '0', 'position'] }] } })
})

t.test('to-one: the last connected wins; disconnecting the current one clears it', async (t) => {
  const news = await categories.create({ data: { name: 'News' } })
  const tech = await categories.create({ data: { name: 'Tech' } })
  const doc = await articles.create({ data: { title: 'T', category: { connect: [news.documentId, tech.documentId] } }, populate: ['category'] })
  t.equal((doc.category as DocumentEntry).name, 'Tech')
  await articles.update({ documentId: doc.documentId, data: { category: { disconnect: [news.documentId] } } })
  t.equal(((await articles.findOne({ documentId: doc.documentId, populate: ['category'] }))?.category as DocumentEntry).name, 'Tech', 'disconnecting another one changes nothing')
  await articles.update({ documentId: doc.documentId, data: { category: { disconnect: [tech.documentId] } } })
  t.equal((await articles.findOne({ documentId: doc.documentId, populate: ['category'] }))?.category, null)
})

t.test('both sides stay consistent, and either side may write', async (t) => {
  const ann = await authors.create({ data: { name: 'Ann' } })
  const bob = await authors.create({ data: { name: 'Bob' } })
  const cy = await authors.create({ data: { name: 'Cy' } })
  await authors.update({ documentId: ann.documentId, data: { following: [bob.documentId, cy.documentId] } })
  const followers = async (documentId: string): Promise<unknown[]> => names((await authors.findOne({ documentId, populate: ['followers'] }))?.followers)
  t.same(await followers(bob.documentId), ['Ann'])
  // Written from the inverse (mappedBy) side.
  await authors.update({ documentId: cy.documentId, data: { followers: { connect: [bob.documentId] } } })
  t.same(await followers(cy.documentId), ['Ann', 'Bob'], 'order kept on the inverse side too')
  t.same(names((await authors.findOne({ documentId: bob.documentId, populate: ['following'] }))?.following), ['Cy'])
  // oneToOne both sides: linking takes the profile from its previous author.
  const profile = await documents('api::author-profile.author-profile').create({ data: { website: 'https://ann.example' } })
  await authors.update({ documentId: ann.documentId, data: { profile: profile.documentId } })
  await authors.update({ documentId: bob.documentId, data: { profile: profile.documentId } })
  const owner = await documents('api::author-profile.author-profile').findOne({ documentId: profile.documentId, populate: ['author'] })
  t.equal((owner?.author as DocumentEntry).name, 'Bob')
  t.equal((await authors.findOne({ documentId: ann.documentId, populate: ['profile'] }))?.profile, null)
  // manyToOne seen from the oneToMany side.
  const news = await categories.create({ data: { name: 'News' } })
  const one = await articles.create({ data: { title: 'One', category: news.documentId } })
  await categories.update({ documentId: news.documentId, data: { articles: { connect: [{ documentId: one.documentId }] } } })
  const seen = await categories.findOne({ documentId: news.documentId, populate: { articles: { fields: ['title'] } } })
  t.same(names(seen?.articles, 'title'), ['One'], 'connecting an already linked document does not duplicate it')
})

t.test('a published create with relation connects costs 1 statement', async (t) => {
  const category = await categories.create({ data: { name: 'News' } })
  const tagIds = await makeTags('a', 'b', 'c')
  const seen: string[] = []
  const off = database.onQuery((text) => { if (!isTransactionControl(text)) seen.push(text) })
  const entry = await articles.create({ data: { title: 'Counted', category: { connect: [category.documentId] }, tags: { connect: tagIds } }, status: 'published' })
    .finally(off)
  // One statement writes both rows with their links and the generated slug (no hook listens) and answers the
  // published row: the response populates nothing, so nothing is read back.
  t.equal(seen.length, 1, 'statements')
  t.equal(entry.slug, 'counted')
  t.same(await tagsOf(entry.documentId, 'published'), ['a', 'b', 'c'])
  t.same(await tagsOf(entry.documentId), ['a', 'b', 'c'])
  for (const status of ['draft', 'published'] as const) {
    const linked = await categories.findOne({ documentId: category.documentId, status, populate: ['articles'] })
    t.same(names(linked?.articles, 'title'), ['Counted'], `the category lists the ${status} row`)
  }
})

t.test('a one-statement create answers its row as a read of it does, every scalar type and `fields` included', async (t) => {
  const news = await categories.create({ data: { name: 'Typed' } })
  const data = {
    title: 'Typed',
    excerpt: 'e',
    body: '# b',
    content: [{ type: 'paragraph', children: [{ type: 'text', text: 'p' }] }],
    views: 7,
    shareCount: '9007199254740993',
    rating: 4.25,
    readingTime: 1.5,
    publishedDate: '2026-01-02',
    publishTime: '10:11:12.345',
    lastReviewedAt: '2026-01-02T03:04:05.678Z',
    importedAt: '2026-01-02T03:04:05.000Z',
    featured: true,
    kind: 'news',
    metadata: { a: [1, 'x', null] },
    internalNotes: 'private',
    category: { connect: [news.documentId] }
  }
  for (const status of ['draft', 'published'] as const) {
    for (const fields of [undefined, ['title', 'rating', 'publishedDate']]) {
      const seen: string[] = []
      const off = database.onQuery((text) => { if (!isTransactionControl(text)) seen.push(text) })
      const created = await articles.create({ data, status, ...(fields !== undefined && { fields }) }).finally(off)
      // A draft's slug lock aside (see below), the one statement writing it.
      t.equal(seen.filter(text => !text.startsWith('SELECT pg_advisory_xact_lock')).length, 1, `${status}, fields ${String(fields)}: nothing read back`)
      const read = await articles.findOne({ documentId: created.documentId, status, ...(fields !== undefined && { fields }) })
      t.same(created, read, `${status}, fields ${String(fields)}: the answer is the row as read`)
    }
  }
})

t.test('positions and types without draft & publish: the one-statement create links as the step-by-step one', async (t) => {
  const [a, b, c] = await makeTags('a', 'b', 'c')
  const data = {
    title: 'Placed',
    tags: { connect: [a!, { documentId: b!, position: { start: true } }, { documentId: c!, position: { after: { documentId: a! } } }, { documentId: a!, position: { end: true } }] }
  }
  const seen: string[] = []
  const off = database.onQuery((text) => { if (!isTransactionControl(text)) seen.push(text) })
  const fast = await articles.create({ data }).finally(off)
  // A draft's generated slug is outside the unique index: its base's lock is taken before the statement picks it.
  t.equal(seen.length, 2, 'the slug\'s lock, then the document with its links, answering the row')
  // A hook on the targets' reads: the step-by-step create.
  const stop = db.lifecycles.subscribe({ models: [TAG], afterFindMany () {} })
  const slow = await articles.create({ data }).finally(stop)
  t.same(await tagsOf(fast.documentId), ['b', 'c', 'a'])
  t.same(await tagsOf(slow.documentId), ['b', 'c', 'a'])
  seen.length = 0
  const quiet = database.onQuery((text) => { if (!isTransactionControl(text)) seen.push(text) })
  const plain = await categories.create({ data: { name: 'Plainer' } }).finally(quiet)
  t.equal(seen.length, 1, 'a type without draft & publish: one statement, answering the row')
  t.match(plain, { name: 'Plainer', slug: 'plainer', publishedAt: String })
  t.equal(plain.publishedAt, plain.createdAt, 'published when created')
})

t.test('a draft created with components in one statement: its items, or nothing when a target is missing', async (t) => {
  const [a] = await makeTags('a')
  const seen: string[] = []
  const off = database.onQuery((text) => { if (!isTransactionControl(text)) seen.push(text) })
  const entry = await articles.create({
    data: { title: 'Composed', tags: [a!], seo: { metaTitle: 'm' }, blocks: [{ __component: 'content.quote', text: 'q' }, { __component: 'content.rich-text', body: 'b' }] },
    populate: '*'
  }).finally(off)
  t.equal(seen.length, 3, 'the slug\'s lock, the document with its links and components, then the response (it populates)')
  t.match(entry, { slug: 'composed', seo: { metaTitle: 'm', noIndex: false }, blocks: [{ __component: 'content.quote', text: 'q' }, { __component: 'content.rich-text', body: 'b' }] })
  t.same(names(entry.tags, 'name'), ['a'])
  const before = (await rows('components_shared_seos')).length
  const error = await rejection(articles.create({ data: { title: 'Missing', tags: ['missingtag00000000000000'], seo: { metaTitle: 'n' } } }))
  t.type(error, ValidationError)
  t.equal((await rows('components_shared_seos')).length, before, 'no component row left behind')
  t.equal(await articles.count({ filters: { title: 'Missing' } }), 0)
})

t.test('targets are read in one statement, except those a FindMany hook watches', async (t) => {
  const [a] = await makeTags('a')
  const news = await categories.create({ data: { name: 'News' } })
  const doc = await articles.create({ data: { title: 'Watched' } })
  const reads: string[] = []
  const stop = db.lifecycles.subscribe({ models: [TAG], afterFindMany () { reads.push('tags') } })
  await articles.update({ documentId: doc.documentId, data: { category: news.documentId, tags: [a!] } }).finally(stop)
  t.same(reads, ['tags'], 'the watched model: its FindMany, with its event')
  const linked = await articles.findOne({ documentId: doc.documentId, populate: ['category', 'tags'] })
  t.equal((linked?.category as DocumentEntry).name, 'News', 'the unwatched one: read with the others')
  t.same(names(linked?.tags), ['a'])
  const missing = await rejection(articles.update({ documentId: doc.documentId, data: { category: 'nope', tags: ['nope'] } }))
  t.match(missing, { details: { errors: [{ path: ['category'], message: 'Document with id "nope", locale "null" not found' }, { path: ['tags', '0'] }] } }, 'unknown documents reported from both')
})

t.test('a draft links draft rows; a type without draft & publish links both rows of a target', async (t) => {
  const [a] = await makeTags('a')
  const target = await articles.create({ data: { title: 'Target' }, status: 'published' })
  const source = await articles.create({ data: { title: 'Source', relatedArticles: [target.documentId], tags: [a!] } })
  const draft = await articles.findOne({ documentId: source.documentId, populate: { relatedArticles: { fields: ['title', 'publishedAt'] } } })
  t.match(draft?.relatedArticles, [{ title: 'Target', publishedAt: null }], "the draft links the target's draft")
  const news = await categories.create({ data: { name: 'News', articles: [target.documentId] } })
  const asDraft = await categories.findOne({ documentId: news.documentId, populate: { articles: { fields: ['title', 'publishedAt'] } } })
  const asPublished = await categories.findOne({ documentId: news.documentId, status: 'published', populate: { articles: { fields: ['title', 'publishedAt'] } } })
  t.match(asDraft?.articles, [{ title: 'Target', publishedAt: null }])
  t.match(asPublished?.articles, [{ title: 'Target', publishedAt: String }])
  t.match(await articles.findOne({ documentId: target.documentId, status: 'published', populate: ['category'] }), { category: { name: 'News' } }, 'the published row sees the category')
  t.match(await articles.findOne({ documentId: target.documentId, populate: ['category'] }), { category: { name: 'News' } }, 'and so does the draft')
})

t.test('{ documentId, locale, status } and { id } items', async (t) => {
  const doc = await articles.create({ data: { title: 'EN' }, status: 'published' })
  await articles.update({ documentId: doc.documentId, locale: 'fr', data: { title: 'FR' } })
  const news = await categories.create({ data: { name: 'News', articles: [{ documentId: doc.documentId, locale: 'fr' }] } })
  const french = await categories.findOne({ documentId: news.documentId, locale: 'fr', populate: { articles: { fields: ['title'] } } })
  t.same(names(french?.articles, 'title'), ['FR'], 'a non-localized source picks the locale per item')
  t.same((await categories.findOne({ documentId: news.documentId, populate: ['articles'] }))?.articles, [], 'nothing in the default locale')
  const onlyPublished = await categories.create({ data: { name: 'Pub', articles: [{ documentId: doc.documentId, status: 'published' }] } })
  t.same(names((await categories.findOne({ documentId: onlyPublished.documentId, populate: ['articles'] }))?.articles, 'title'), [], 'status: published links the published row only')
  t.same(names((await categories.findOne({ documentId: onlyPublished.documentId, status: 'published', populate: ['articles'] }))?.articles, 'title'), ['EN'])
  const byId = await tags.create({ data: { name: 'z' } })
  const withIds = await articles.create({ data: { title: 'Ids', tags: [{ id: byId.id }] }, populate: ['tags'] })
  t.same(names(withIds.tags), ['z'], '{ id } links a row by its id')
})

t.test('unknown documents are a ValidationError naming each', async (t) => {
  const [a] = await makeTags('a')
  const error = await rejection(articles.create({ data: { title: 'T', tags: [a!, 'nosuchdocumentidatall000'], relatedArticles: { connect: ['missingarticle0000000000'] } } }))
  t.type(error, ValidationError)
  t.equal(error.message, '2 errors occurred')
  t.same(error.details?.errors, [
    { path: ['tags', '1'], message: 'Document with id "nosuchdocumentidatall000", locale "null" not found', name: 'ValidationError', value: 'nosuchdocumentidatall000' },
    { path: ['relatedArticles', 'connect', '0'], message: 'Document with id "missingarticle0000000000", locale "en" not found', name: 'ValidationError', value: 'missingarticle0000000000' }
  ])
  const one = await rejection(categories.create({ data: { name: 'N', articles: [{ documentId: 'missingarticle0000000000', locale: 'fr' }] } }))
  t.equal(one.message, 'Document with id "missingarticle0000000000", locale "fr" not found')
  const byId = await rejection(articles.create({ data: { title: 'T', tags: [{ id: 999 }] } }))
  t.equal(byId.message, 'Document with id "999", locale "null" not found')
  t.equal(await articles.count({ locale: '*' }), 0, 'nothing was written')
  const other = await articles.create({ data: { title: 'Only EN' } })
  const wrongLocale = await rejection(articles.create({ locale: 'fr', data: { title: 'FR', relatedArticles: [other.documentId] } }))
  t.equal(wrongLocale.message, `Document with id "${other.documentId}", locale "fr" not found`, 'a localized source links the same locale')
})

t.test('malformed relation input', async (t) => {
  const cases: Array<[unknown, Record<string, unknown>]> = [
    [{ connect: [{ documentId: 'x', bogus: 1 }] }, { message: 'Invalid key bogus at tags.connect.0', details: { key: 'bogus', path: 'tags.connect.0.bogus', source: 'body' } }],
    [{ connect: [], extra: [] }, { message: 'Invalid key extra at tags' }],
    [[{ documentId: 'x', position: { start: true } }], { message: 'Invalid key position at tags.0' }],
    [[true], { message: 'tags[0] must be a documentId, { documentId } or { id }' }],
    [[{ locale: 'en' }], { message: 'tags[0] must have a documentId or an id' }],
    [[{ documentId: 'x', locale: 'zz' }], { message: 'tags[0].locale must be one of the following values: en, fr, de' }],
    [[{ documentId: 'x', status: 'live' }], { message: 'tags[0].status must be one of the following values: draft, published' }]
  ]
  for (const [value, expected] of cases) {
    t.match(await rejection(articles.create({ data: { title: 'T', tags: value } })), { name: 'ValidationError', ...expected }, JSON.stringify(value))
  }
})

t.test('relations inside components follow the row: its status and locale', async (t) => {
  const article = await articles.create({ data: { title: 'Featured' } })
  await articles.update({ documentId: article.documentId, locale: 'fr', data: { title: 'En vedette' } })
  const home = await documents(HOMEPAGE).create({ data: { title: 'Home', hero: { heading: 'Hi', article: article.documentId } }, populate: { hero: { populate: ['article'] } } })
  t.match(home.hero, { heading: 'Hi', article: { title: 'Featured', publishedAt: null } })
  const french = await documents(HOMEPAGE).update({ documentId: home.documentId, locale: 'fr', data: { title: 'Accueil', hero: { heading: 'Salut', article: article.documentId } }, populate: { hero: { populate: ['article'] } } })
  t.match(french?.hero, { heading: 'Salut', article: { title: 'En vedette' } })
})
