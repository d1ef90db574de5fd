/** sanitizeOutput: private and password attributes never leave, at any level; the input is never mutated. */
import t from 'tap'
import { sanitizeOutput } from '../../../lib/http/sanitize/index.js'
import { ARTICLE, AUTHOR, CATEGORY, HOMEPAGE, VAULT, schema } from '../query/catalog.js'

const author = (id: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id, documentId: `author${id}`, name: `Author ${id}`, email: `a${id}@x.io`, password: 'hash', bio: null, internalNote: 'secret', createdAt: 't', updatedAt: 't', publishedAt: 't', ...extra
})
const clean = (id: number): Record<string, unknown> => ({
  id, documentId: `author${id}`, name: `Author ${id}`, email: `a${id}@x.io`, bio: null, createdAt: 't', updatedAt: 't', publishedAt: 't'
})
const article = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 1, documentId: 'article1', title: 'Hello', internalNotes: 'do not publish', views: 3, createdAt: 't', updatedAt: 't', publishedAt: 't', locale: 'en', ...extra
})
const options = { schema }

t.test('root attributes: private and password removed, order kept, input untouched', async (t) => {
  const input = author(1)
  const frozen = JSON.stringify(input)
  const out = sanitizeOutput(input, AUTHOR, options)
  t.same(out, clean(1))
  t.same(Object.keys(out), Object.keys(clean(1)), 'key order kept')
  t.equal(JSON.stringify(input), frozen, 'input not mutated')
  t.same(sanitizeOutput(article(), ARTICLE, options), { id: 1, documentId: 'article1', title: 'Hello', views: 3, createdAt: 't', updatedAt: 't', publishedAt: 't', locale: 'en' })
  t.same(sanitizeOutput({ ...clean(1), createdBy: { id: 1 }, updatedBy: 2 }, AUTHOR, options), clean(1), 'admin creator fields')
})

t.test('nothing to remove: the same objects come back (no copy)', async (t) => {
  const entry = clean(1)
  t.equal(sanitizeOutput(entry, AUTHOR, options), entry)
  const list = [clean(1), clean(2)]
  t.equal(sanitizeOutput(list, AUTHOR, options), list)
  const populated = { ...clean(1), articles: [{ id: 2, title: 'x' }], socialLinks: [{ id: 1, label: 'a', url: 'b' }] }
  t.equal(sanitizeOutput(populated, AUTHOR, options), populated)
  t.equal(sanitizeOutput(null, AUTHOR, options), null)
  t.equal(sanitizeOutput(undefined, AUTHOR, options), undefined)
  t.throws(() => sanitizeOutput({}, 'api::nope.nope', options), /unknown model/)
})

t.test('lists: only the entries that change are copied', async (t) => {
  const keep = clean(2)
  const list = [author(1), keep, author(3)]
  const out = sanitizeOutput(list, AUTHOR, options)
  t.not(out, list)
  t.same(out, [clean(1), clean(2), clean(3)])
  t.equal(out[1], keep, 'an unchanged entry is the same object')
  t.same(list[0], author(1), 'input not mutated')
})

t.test('populated relations at any depth', async (t) => {
  const input = article({
    author: author(1, { articles: [article({ id: 5 })], mentor: author(2), following: [author(3), clean(4)] }),
    reviewer: null,
    tags: [{ id: 1, name: 'red' }],
    relatedArticles: { count: 3 },
    category: { id: 1, name: 'News', articles: [article({ id: 7, author: author(9) })] }
  })
  const frozen = JSON.stringify(input)
  const out = sanitizeOutput(input, ARTICLE, options)
  const expected = JSON.parse(frozen) as Record<string, unknown>
  const strip = (value: unknown): void => {
    if (Array.isArray(value)) { value.forEach(strip); return }
    if (typeof value !== 'object' || value === null) return
    const object = value as Record<string, unknown>
    delete object.password
    delete object.internalNote
    delete object.internalNotes
    Object.values(object).forEach(strip)
  }
  strip(expected)
  t.same(out, expected)
  t.notMatch(JSON.stringify(out), /password|internalNote|hash|secret|do not publish/)
  t.equal(JSON.stringify(input), frozen, 'input not mutated')
  t.equal((out as { tags: unknown }).tags, input.tags, 'untouched branches are shared')
  t.same((out as { relatedArticles: unknown }).relatedArticles, { count: 3 }, 'a count is kept')
})

t.test('components, repeatable components, dynamic zones, relations inside them', async (t) => {
  const box = (id: number): Record<string, unknown> => ({ id, label: 'l', code: '1234', pin: 'hash', owner: author(id) })
  const input = {
    id: 1,
    documentId: 'v',
    name: 'vault',
    secret: 's',
    box: box(1),
    boxes: [box(2), { id: 3, label: 'clean' }],
    zone: [
      { __component: 'secret.box', ...box(4) },
      { __component: 'content.quote', id: 5, text: 'q', author: 'x' },
      { __component: 'unknown.thing', id: 6, code: 'kept: not a known component' },
      'not an object'
    ],
    keeper: author(7),
    owner: author(8)
  }
  const out = sanitizeOutput(input, VAULT, options) as Record<string, unknown>
  t.same(out, {
    id: 1,
    documentId: 'v',
    name: 'vault',
    box: { id: 1, label: 'l', owner: clean(1) },
    boxes: [{ id: 2, label: 'l', owner: clean(2) }, { id: 3, label: 'clean' }],
    zone: [
      { __component: 'secret.box', id: 4, label: 'l', owner: clean(4) },
      { __component: 'content.quote', id: 5, text: 'q', author: 'x' },
      { __component: 'unknown.thing', id: 6, code: 'kept: not a known component' },
      'not an object'
    ],
    keeper: clean(7)
  }, 'a private relation goes whole')
  t.equal((out.boxes as unknown[])[1], input.boxes[1])
  t.equal((out.zone as unknown[])[1], input.zone[1])
  const hero = { id: 1, heading: 'h', cta: { id: 2, label: 'l', url: 'u' }, article: article() }
  const home = sanitizeOutput({ id: 1, title: 'home', hero }, HOMEPAGE, options) as { hero: { article: Record<string, unknown> } }
  t.notOk('internalNotes' in home.hero.article, 'a relation in a nested component')
})

t.test('localizations', async (t) => {
  const input = article({ localizations: [article({ id: 2, locale: 'fr' }), article({ id: 3, locale: 'de', author: author(1) })] })
  const out = sanitizeOutput(input, ARTICLE, options) as { localizations: Array<Record<string, unknown>> }
  t.notMatch(JSON.stringify(out), /internalNote|password/)
  t.equal(out.localizations.length, 2)
  const category = { id: 1, name: 'c', localizations: [{ internalNotes: 'x' }] }
  t.equal(sanitizeOutput(category, CATEGORY, options), category, 'not a localized type: no localizations walked')
})

t.test('canRead: relations to unreadable targets are removed, null ones too', async (t) => {
  const canRead = (uid: string): boolean => uid !== AUTHOR
  const input = article({ author: clean(1), reviewer: null, category: { id: 1, name: 'c', articles: [article({ id: 2, author: clean(2) })] } })
  const out = sanitizeOutput(input, ARTICLE, { schema, canRead }) as Record<string, unknown>
  t.notOk('author' in out)
  t.notOk('reviewer' in out, 'an empty relation would still tell something')
  t.notMatch(JSON.stringify(out), /author/)
  let calls = 0
  const counting = (uid: string): boolean => { calls++; return uid !== AUTHOR }
  sanitizeOutput(Array.from({ length: 50 }, () => input), ARTICLE, { schema, canRead: counting })
  t.ok(calls <= 3, `canRead answers are reused within a call (${calls} calls for 50 entries)`)
  const box = { id: 1, label: 'l', owner: clean(1) }
  t.same(sanitizeOutput({ id: 1, box }, VAULT, { schema, canRead }), { id: 1, box: { id: 1, label: 'l' } }, 'inside components too')
})
