/**
 * Validation on write (contract §3, §9, §12): every rule with its exact message and error shape, draft vs
 * publish rules, invalid keys, uid generation, and uniqueness enforced by the database (concurrent creates:
 * exactly one wins).
 */
import t from 'tap'
import { createDocumentService, type DocumentEntry } from '../../lib/document/index.js'
import { ValidationError } from '../../lib/errors.js'
import { silentLogger } from '../../lib/logger.js'
import { createQueryEngine } from '../../lib/query/index.js'
import { ARTICLE, AUTHOR, CATEGORY, PROFILE, recordEvents, rejection, setup, TAG } from './helpers.js'

const { documents, reset } = await setup(t)
const articles = documents(ARTICLE)
const authors = documents(AUTHOR)
const categories = documents(CATEGORY)

t.beforeEach(async () => { await reset() })

const item = (path: string[], message: string, value: unknown): Record<string, unknown> => ({ path, message, name: 'ValidationError', value })

async function errorsOf (promise: Promise<unknown>): Promise<unknown[]> {
  const error = await rejection(promise)
  if (!(error instanceof ValidationError)) throw error
  return error.details.errors as unknown[]
}

t.test('required, minLength, email and nested required on a type without draft & publish', async (t) => {
  const missing = await rejection(authors.create({ data: {} }))
  t.type(missing, ValidationError)
  t.equal(missing.message, 'name must be defined.')
  t.same(missing.details, { errors: [item(['name'], 'name must be defined.', null)] })
  const many = await rejection(authors.create({ data: { name: 'A', email: 'not-an-email', password: 'short', socialLinks: [{ label: 'x' }] } }))
  t.equal(many.message, '4 errors occurred', 'every error at once')
  t.same(many.details?.errors, [
    item(['name'], 'name must be at least 2 characters', 'A'),
    item(['email'], 'email must be a valid email', 'not-an-email'),
    item(['password'], 'password must be at least 8 characters', 'short'),
    item(['socialLinks', '0', 'url'], 'socialLinks[0].url must be defined.', null)
  ])
  t.same(await errorsOf(authors.create({ data: { name: null } })), [item(['name'], 'name must be a `string` type, but the final value was: `null`.', null)])
  t.same(await errorsOf(authors.create({ data: { name: 'x'.repeat(101) } })), [item(['name'], 'name must be at most 100 characters', 'x'.repeat(101))])
  const links = Array.from({ length: 6 }, (_, i) => ({ label: `l${i}`, url: `/u${i}` }))
  t.same(await errorsOf(authors.create({ data: { name: 'Ann', socialLinks: links } })), [item(['socialLinks'], 'socialLinks field must have less than or equal to 5 items', links)])
  const author = await authors.create({ data: { name: 'Ann', email: 'ann@example.com', password: 'long enough', socialLinks: links.slice(0, 2) }, populate: ['socialLinks'] })
  t.match(author, { name: 'Ann', email: 'ann@example.com', password: 'long enough', socialLinks: [{ label: 'l0', url: '/u0', openInNewTab: false }, { label: 'l1' }] })
  const updated = await authors.update({ documentId: author.documentId, data: { bio: 'only this' } })
  t.equal(updated?.name, 'Ann', 'an update checks only what it writes')
  t.same(await errorsOf(authors.update({ documentId: author.documentId, data: { name: null } })), [item(['name'], 'name must be a `string` type, but the final value was: `null`.', null)])
})

t.test('regex, numbers, enumerations', async (t) => {
  t.same(await errorsOf(documents(PROFILE).create({ data: { website: 'ftp://example.com' } })), [item(['website'], 'website must match the following: "/^https?:\\/\\//"', 'ftp://example.com')])
  t.equal((await documents(PROFILE).create({ data: { website: 'https://example.com' } })).website, 'https://example.com')
  t.same(await errorsOf(categories.create({ data: { name: 'A', position: 'abc' } })), [item(['position'], 'position must be a `number` type, but the final value was: `"abc"`.', 'abc')])
  t.same(await errorsOf(categories.create({ data: { name: 'A', position: 1.5 } })), [item(['position'], 'position must be an integer', 1.5)])
  t.same(await errorsOf(categories.create({ data: { name: 'A', position: 1001 } })), [item(['position'], 'position must be less than or equal to 1000', 1001)])
  t.same(await errorsOf(categories.create({ data: { name: 'A', position: -1 } })), [item(['position'], 'position must be greater than or equal to 0', -1)])
  t.same(await errorsOf(categories.create({ data: { name: 'A', position: 2 ** 31 } })), [item(['position'], 'position must be less than or equal to 2147483647', 2 ** 31)])
  t.equal((await categories.create({ data: { name: 'B', position: '7' } })).position, 7, 'numeric strings are cast')
  t.same(await errorsOf(articles.create({ data: { title: 'T', kind: 'bogus' } })), [item(['kind'], 'kind must be one of the following values: news, review, opinion', 'bogus')])
  t.same(await errorsOf(articles.create({ data: { title: 'T', rating: 'abc' } })), [item(['rating'], 'rating must be a `number` type, but the final value was: `"abc"`.', 'abc')])
  t.same(await errorsOf(articles.create({ data: { title: 'T', featured: 'yes' } })), [item(['featured'], 'featured must be a `boolean` type, but the final value was: `"yes"`.', 'yes')])
  t.same(await errorsOf(articles.create({ data: { title: 'T', shareCount: 'many' } })), [item(['shareCount'], 'shareCount must be a `string` type, but the final value was: `"many"`.', 'many')])
  t.same(await errorsOf(articles.create({ data: { title: 12 as unknown as string, excerpt: { no: 1 } } })), [item(['excerpt'], 'excerpt must be a `string` type, but the final value was: `{"no":1}`.', { no: 1 })], 'numbers are cast to strings, objects are not')
})

t.test('draft writes check types, maxLength and max; publishing adds the rest', async (t) => {
  const draft = await articles.create({ data: { title: 'T', views: -1, shareCount: '-5', slug: 'has space', readingTime: -2 } })
  t.equal(draft.views, -1, 'min is not checked on a draft')
  t.same(await errorsOf(articles.create({ data: { title: 'x'.repeat(201) } })), [item(['title'], 'title must be at most 200 characters', 'x'.repeat(201))])
  t.same(await errorsOf(articles.create({ data: { title: 'T', rating: 6 } })), [item(['rating'], 'rating must be less than or equal to 5', 6)])
  t.same(await errorsOf(articles.create({ data: { title: 'T', seo: { metaTitle: 'x'.repeat(61) } } })), [item(['seo', 'metaTitle'], 'seo.metaTitle must be at most 60 characters', 'x'.repeat(61))])
  t.same(await errorsOf(articles.publish({ documentId: draft.documentId })), [
    item(['slug'], 'slug must match the following: "/^[A-Za-z0-9-_.~]*$/"', 'has space'),
    item(['views'], 'views must be greater than or equal to 0', -1),
    item(['shareCount'], 'shareCount must be greater than or equal to 0', '-5'),
    item(['readingTime'], 'readingTime must be greater than or equal to 0', -2)
  ])
  t.same(await errorsOf(articles.create({ data: { title: 'T', views: -3 }, status: 'published' })), [item(['views'], 'views must be greater than or equal to 0', -3)])
})

t.test('dates, times, json and blocks: parsed, normalized, or rejected', async (t) => {
  const entry = await articles.create({
    data: {
      title: 'Types',
      publishedDate: '2024-02-29',
      publishTime: '07:05',
      lastReviewedAt: '2024-03-01T12:34:56.789+01:00',
      importedAt: 1704067200000,
      metadata: { nested: [1, 'two', null] },
      content: [{ type: 'paragraph', children: [{ type: 'text', text: 'hi' }] }],
      shareCount: '9223372036854775807',
      rating: '4.5',
      featured: 'true'
    }
  })
  t.match(entry, {
    publishedDate: '2024-02-29',
    publishTime: '07:05:00.000',
    lastReviewedAt: '2024-03-01T11:34:56.789Z',
    importedAt: '2024-01-01T00:00:00.000Z',
    metadata: { nested: [1, 'two', null] },
    content: [{ type: 'paragraph' }],
    shareCount: '9223372036854775807',
    rating: 4.5,
    featured: true
  })
  t.same(await errorsOf(articles.create({
    data: { title: 'T', publishedDate: '2024-02-30', publishTime: '25:00', lastReviewedAt: 'yesterday', content: 'text', shareCount: '9223372036854775808' }
  })), [
    item(['publishedDate'], 'publishedDate must be a valid date (yyyy-MM-dd)', '2024-02-30'),
    item(['publishTime'], 'publishTime must be a valid time (HH:mm:ss.SSS)', '25:00'),
    item(['lastReviewedAt'], 'lastReviewedAt must be a valid datetime (ISO 8601)', 'yesterday'),
    item(['content'], 'content must be an array of blocks', 'text'),
    item(['shareCount'], 'shareCount must be less than or equal to 9223372036854775807', '9223372036854775808')
  ], 'in the order given')
  const invalid = new Date('not a date')
  t.same(await errorsOf(articles.create({ data: { title: 'T', publishedDate: invalid } })), [
    item(['publishedDate'], 'publishedDate must be a valid date (yyyy-MM-dd)', invalid)
  ], 'an invalid Date is a validation error, not a RangeError')
})

t.test('components and dynamic zones', async (t) => {
  t.same(await errorsOf(articles.create({ data: { title: 'T', blocks: [{ text: 'no type' }, { __component: 'shared.seo', metaTitle: 'x' }, { __component: 'content.quote', text: 'ok' }] } })), [
    item(['blocks', '0', '__component'], 'blocks[0].__component is a required field', null),
    item(['blocks', '1', '__component'], 'blocks[1].__component must be one of the following values: content.rich-text, content.quote, shared.hero', 'shared.seo')
  ])
  const tooMany = Array.from({ length: 21 }, () => ({ __component: 'content.quote', text: 'q' }))
  t.same(await errorsOf(articles.create({ data: { title: 'T', blocks: tooMany } })), [item(['blocks'], 'blocks field must have less than or equal to 20 items', tooMany)])
  t.same(await errorsOf(articles.create({ data: { title: 'T', seo: 'text' } })), [item(['seo'], 'seo must be a `object` type, but the final value was: `"text"`.', 'text')])
  t.same(await errorsOf(articles.create({ data: { title: 'T', blocks: {} } })), [item(['blocks'], 'blocks must be a `array` type, but the final value was: `{}`.', {})])
  t.match(await rejection(articles.create({ data: { title: 'T', seo: { metaTitle: 'x', __component: 'shared.seo' } } })), { message: 'Invalid key __component at seo' })
  t.same(await errorsOf(authors.create({ data: { name: 'Ann', socialLinks: { label: 'x' } } })), [item(['socialLinks'], 'socialLinks must be a `array` type, but the final value was: `{"label":"x"}`.', { label: 'x' })])

  const doc = await articles.create({ data: { title: 'T', seo: { metaTitle: 'one' }, blocks: [{ __component: 'content.quote', text: 'a' }, { __component: 'shared.hero', heading: 'h', cta: { label: 'go', url: '/' } }] }, populate: { seo: true, blocks: { populate: '*' } } })
  const seoId = (doc.seo as DocumentEntry).id
  const kept = await articles.update({ documentId: doc.documentId, data: { seo: { id: seoId, metaDescription: 'more' } }, populate: ['seo'] })
  t.same(kept?.seo, { id: seoId, metaTitle: 'one', metaDescription: 'more', noIndex: false }, 'with its id: updated in place')
  const replaced = await articles.update({ documentId: doc.documentId, data: { seo: { metaTitle: 'two' } }, populate: ['seo'] })
  t.not((replaced?.seo as DocumentEntry).id, seoId, 'without an id: replaced')
  t.equal((replaced?.seo as DocumentEntry).metaDescription, null, 'omitted fields are null')
  const zone = await articles.update({ documentId: doc.documentId, data: { blocks: [{ __component: 'content.rich-text', body: 'only' }] }, populate: ['blocks'] })
  t.match(zone?.blocks, [{ __component: 'content.rich-text', body: 'only' }], 'zones are replaced as a whole')
  t.equal((zone?.blocks as unknown[]).length, 1)
  const cleared = await articles.update({ documentId: doc.documentId, data: { seo: null, blocks: [] }, populate: ['seo', 'blocks'] })
  t.equal(cleared?.seo, null)
  t.same(cleared?.blocks, [])
  const foreign = await rejection(articles.update({ documentId: doc.documentId, data: { seo: { id: 9999, metaTitle: 'x' } } }))
  t.type(foreign, ValidationError, 'a component id of another entry is refused')
})

t.test('invalid keys', async (t) => {
  for (const key of ['id', 'documentId', 'createdAt', 'updatedAt', 'locale', 'nope', 'createdBy']) {
    const error = await rejection(articles.create({ data: { title: 'T', [key]: 'x' } }))
    t.type(error, ValidationError, key)
    t.same({ message: error.message, details: error.details }, { message: `Invalid key ${key}`, details: { key, path: key, source: 'body', value: 'x' } }, key)
  }
  t.match(await rejection(articles.create({ data: { title: 'T', seo: { metaTitle: 'x', bogus: 1 } } })), { message: 'Invalid key bogus at seo', details: { key: 'bogus', path: 'seo.bogus' } })
  t.match(await rejection(articles.create({ data: { title: 'T', blocks: [{ __component: 'content.quote', text: 'q', bogus: 1 }] } })), { message: 'Invalid key bogus at blocks.0' })
  t.match(await rejection(articles.create({ data: 'nope' as never })), { name: 'ValidationError', message: 'data must be an object' })
  const ok = await articles.create({ data: { title: 'T', publishedAt: 'whenever', internalNotes: 'private but writable' } })
  t.equal(ok.publishedAt, null)
  t.equal(ok.internalNotes, 'private but writable')
})

t.test('uid: generated from targetField, unique per locale; given values kept', async (t) => {
  t.equal((await categories.create({ data: { name: 'Hello World!' } })).slug, 'hello-world')
  t.equal((await categories.create({ data: { name: 'Hello world' } })).slug, 'hello-world-1')
  t.equal((await categories.create({ data: { name: 'HELLO WORLD' } })).slug, 'hello-world-2')
  t.equal((await categories.create({ data: { name: 'Mine', slug: 'custom' } })).slug, 'custom')
  const en = await articles.create({ data: { title: 'Same Title' } })
  t.equal(en.slug, 'same-title')
  t.equal((await articles.create({ data: { title: 'Same title' } })).slug, 'same-title-1')
  const fr = await articles.update({ documentId: en.documentId, locale: 'fr', data: { title: 'Same Title' } })
  t.equal(fr?.slug, 'same-title', 'per locale')
  const untitled = await articles.create({ data: {} })
  t.equal(untitled.slug, null, 'nothing to generate from')
  t.equal((await articles.update({ documentId: untitled.documentId, data: { title: 'Late title' } }))?.slug, 'late-title', 'generated once the target field is set')
  t.equal((await articles.update({ documentId: en.documentId, data: { title: 'Renamed' } }))?.slug, 'same-title', 'an existing uid is kept')
})

t.test('uid: the first free suffix, a freed one used again, per locale', async (t) => {
  const slugs: unknown[] = []
  for (const title of ['Gap', 'Gap', 'Gap', 'Gap-ish', 'Gap 10']) slugs.push((await articles.create({ data: { title } })).slug)
  t.same(slugs, ['gap', 'gap-1', 'gap-2', 'gap-ish', 'gap-10'])
  const second = await articles.findFirst({ filters: { slug: 'gap-1' } })
  await articles.delete({ documentId: String(second?.documentId) })
  t.equal((await articles.create({ data: { title: 'Gap' } })).slug, 'gap-1', 'a freed suffix is used again')
  t.equal((await articles.create({ data: { title: 'Gap' } })).slug, 'gap-3', 'then the next one')
  t.equal((await articles.create({ data: { title: 'Gap' }, locale: 'fr' })).slug, 'gap', 'another locale has its own')
})

t.test('concurrent creates of one title: every generated uid is distinct and every create succeeds', async (t) => {
  const results = await Promise.all(Array.from({ length: 6 }, () => articles.create({ data: { title: 'Racing Title' }, status: 'published' })))
  const slugs = results.map(entry => entry.slug).sort()
  t.same(slugs, ['racing-title', 'racing-title-1', 'racing-title-2', 'racing-title-3', 'racing-title-4', 'racing-title-5'])
  t.equal(await articles.count({ status: 'published', filters: { title: 'Racing Title' } }), 6)
  t.equal(await articles.count({ status: 'draft', filters: { title: 'Racing Title' } }), 6, 'a retried create left no extra draft')
})

t.test('concurrent updates generating one uid: every generated uid is distinct and every update succeeds', async (t) => {
  const untitled = await Promise.all(Array.from({ length: 6 }, () => articles.create({ data: {} })))
  const results = await Promise.all(untitled.map(entry => articles.update({ documentId: entry.documentId, data: { title: 'Racing Update' }, status: 'published' })))
  const slugs = results.map(entry => entry?.slug).sort()
  t.same(slugs, ['racing-update', 'racing-update-1', 'racing-update-2', 'racing-update-3', 'racing-update-4', 'racing-update-5'])
  const drafts = await articles.findMany({ status: 'draft', filters: { title: 'Racing Update' }, fields: ['slug'] })
  t.same(drafts.map(entry => entry.slug).sort(), slugs, 'each draft keeps the uid its published row got')
})

t.test('a generated uid is reserved until its write commits: a concurrent write of the process waits, then takes the next one, no retry', async (t) => {
  const pg = await setup(t, { postgres: true })
  const creates = recordEvents(pg.db, event => event.action === 'afterCreate')
  let reached = (): void => {}
  const atHook = new Promise<void>((resolve) => { reached = resolve })
  let open = (): void => {}
  const gate = new Promise<void>((resolve) => { open = resolve })
  let holding = true
  pg.db.lifecycles.subscribe({
    models: [ARTICLE],
    async beforeCreate () {
      if (!holding) return
      holding = false
      reached()
      await gate
    }
  })
  const first = pg.documents(ARTICLE).create({ data: { title: 'Held' }, status: 'published' })
  // The first create has generated its uid and waits inside its write, uncommitted.
  await atHook
  let done = false
  const second = pg.documents(ARTICLE).create({ data: { title: 'Held' }, status: 'published' }).finally(() => { done = true })
  await new Promise(resolve => setTimeout(resolve, 100))
  t.notOk(done, 'the second create waits for the base\'s lock')
  open()
  t.same([(await first).slug, (await second).slug], ['held', 'held-1'])
  t.equal(creates.events.length, 4, 'a draft and a published row each: no attempt was retried')
})

t.test('writes of two processes generating one uid line up after a lost race: every create succeeds', async (t) => {
  const pg = await setup(t, { postgres: true })
  // A second Query Engine and Document Service on the same database: another process, which cannot see this
  // one's held values, so the losers retry under the base's lock.
  const other = createDocumentService({
    db: createQueryEngine({ database: pg.database, schema: pg.schema, physical: pg.physical, log: silentLogger }),
    schema: pg.schema,
    i18n: { locales: ['en', 'fr', 'de'], defaultLocale: 'en' },
    log: silentLogger
  })
  const services = [pg.documents, other]
  const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => services[i % 2]!(ARTICLE).create({ data: { title: 'Two processes' }, status: 'published' })))
  t.same(results.map(r => r.status), Array(8).fill('fulfilled'), 'no create failed')
  const slugs = results.map(r => r.status === 'fulfilled' ? r.value.slug : null)
  t.same([...slugs].sort(), ['two-processes', ...Array.from({ length: 7 }, (_, i) => `two-processes-${i + 1}`)].sort(), 'distinct, the first free suffixes')
})

t.test('unique: enforced on published rows, excluding the row itself', async (t) => {
  const tags = documents(TAG)
  const first = await tags.create({ data: { name: 'dup' } })
  const error = await rejection(tags.create({ data: { name: 'dup' } }))
  t.type(error, ValidationError)
  t.same({ message: error.message, details: error.details }, { message: 'This attribute must be unique', details: { errors: [item(['name'], 'This attribute must be unique', 'dup')] } })
  t.equal((await tags.update({ documentId: first.documentId, data: { name: 'dup' } }))?.name, 'dup', 'writing its own value again')
  const a = await articles.create({ data: { title: 'A', slug: 'taken' } })
  const b = await articles.create({ data: { title: 'B', slug: 'taken' } })
  t.ok(b, 'drafts may share a value')
  await articles.publish({ documentId: a.documentId })
  t.same(await errorsOf(articles.publish({ documentId: b.documentId })), [item(['slug'], 'This attribute must be unique', 'taken')], 'publishing the second one fails')
  t.equal(await articles.count({ status: 'published' }), 1)
  await articles.update({ documentId: b.documentId, locale: 'fr', data: { title: 'B fr', slug: 'taken' } })
  t.ok((await articles.publish({ documentId: b.documentId, locale: 'fr' })).entries.length === 1, 'another locale may use it')
})

t.test('concurrent creates of one unique value: exactly one wins, the other a ValidationError', async (t) => {
  const tags = documents(TAG)
  for (let round = 0; round < 3; round++) {
    const results = await Promise.allSettled([
      tags.create({ data: { name: `race-${round}` } }),
      tags.create({ data: { name: `race-${round}` } }),
      tags.create({ data: { name: `race-${round}` } })
    ])
    t.equal(results.filter(r => r.status === 'fulfilled').length, 1, `round ${round}: one wins`)
    for (const r of results) {
      if (r.status === 'rejected') {
        t.type(r.reason, ValidationError)
        t.match(r.reason, { statusCode: 400, message: 'This attribute must be unique', details: { errors: [{ path: ['name'] }] } })
      }
    }
  }
  const published = await Promise.allSettled([
    articles.create({ data: { title: 'One', slug: 'same-slug' }, status: 'published' }),
    articles.create({ data: { title: 'Two', slug: 'same-slug' }, status: 'published' })
  ])
  t.equal(published.filter(r => r.status === 'fulfilled').length, 1, 'publishing races too')
  t.match(published.find(r => r.status === 'rejected'), { reason: { name: 'ValidationError', message: 'This attribute must be unique' } })
  t.equal(await articles.count({ locale: '*' }), 1, 'the loser left no draft behind')
  t.equal(await tags.count(), 3)
})
