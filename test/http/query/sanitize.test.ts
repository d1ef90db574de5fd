/** sanitizeQuery: relations the caller may not read leave `populate` silently, at any depth (contract §8.5). */
import t from 'tap'
import { parseQueryString, sanitizeQuery } from '../../../lib/http/query/index.js'
import { ARTICLE, AUTHOR, HOMEPAGE, VAULT, rest, schema } from './catalog.js'

const noAuthors = { schema, canRead: (uid: string) => uid !== AUTHOR }
const sanitize = (uid: string, query: string): Record<string, unknown> => sanitizeQuery(parseQueryString(query, rest), uid, noAuthors)

t.test('a copy, populate untouched when nothing has to go', async (t) => {
  const query = parseQueryString('filters[title]=x&populate[category][populate]=articles&sort=title', rest)
  const out = sanitizeQuery(query, ARTICLE, noAuthors)
  t.not(out, query, 'a new object')
  t.same(out, query)
  t.equal(out.populate, query.populate, 'the same populate value')
  const all = sanitizeQuery(query, ARTICLE, { schema })
  t.same(all, query, 'without canRead everything is readable')
  t.same(sanitizeQuery({}, ARTICLE, noAuthors), {})
  t.throws(() => sanitizeQuery({}, 'api::nope.nope', noAuthors), /unknown model/)
})

t.test('unreadable relations are removed, in every populate form', async (t) => {
  t.same(sanitize(ARTICLE, 'populate=author').populate, {})
  t.same(sanitize(ARTICLE, 'populate=category,author,tags').populate, { category: true, tags: true })
  t.same(sanitize(ARTICLE, 'populate[0]=reviewer&populate[1]=category').populate, { category: true })
  t.same(sanitize(ARTICLE, 'populate[author][fields][0]=name&populate[seo]=true').populate, { seo: 'true' }, 'the other values as given')
  t.same(sanitize(ARTICLE, 'populate=category.articles.author').populate, { category: { populate: { articles: { populate: {} } } } }, 'dotted')
  t.same(sanitize(ARTICLE, 'populate[category][fields]=name&populate[category][populate][articles][populate]=author,tags').populate,
    { category: { fields: 'name', populate: { articles: { populate: { tags: true } } } } }, 'options kept beside the nested populate')
})

t.test('* is spelled out without the unreadable relations (localizations included)', async (t) => {
  t.same(sanitize(ARTICLE, 'populate=*').populate, {
    seo: true, blocks: true, category: true, tags: true, relatedArticles: true, localizations: true
  })
  t.same(sanitize(ARTICLE, 'populate[category][populate]=*').populate, { category: { populate: '*' } }, 'kept when nothing is unreadable')
  const query = parseQueryString('populate=*', rest)
  t.equal(sanitizeQuery(query, ARTICLE, { schema, canRead: () => true }).populate, '*')
})

t.test('through components, dynamic zones and localizations', async (t) => {
  const noArticles = { schema, canRead: (uid: string) => uid !== ARTICLE }
  t.same(sanitizeQuery(parseQueryString('populate[hero][populate]=article,cta', rest), HOMEPAGE, noArticles).populate,
    { hero: { populate: { cta: true } } }, 'a relation in a component')
  t.same(sanitizeQuery(parseQueryString('populate=*', rest), HOMEPAGE, noArticles).populate,
    { hero: true, sections: true, localizations: true }, 'top-level * of a single type')
  t.same(sanitize(VAULT, 'populate[zone][on][secret.box][populate]=owner&populate[zone][on][content.quote]=true').populate,
    { zone: { on: { 'secret.box': { populate: {} }, 'content.quote': 'true' } } }, 'a relation in a dynamic-zone fragment')
  t.same(sanitize(VAULT, 'populate[zone][populate]=*').populate,
    { zone: { on: { 'secret.box': { populate: {} }, 'content.quote': { populate: '*' } } } }, "the zone's populate, spelled out per component")
  t.same(sanitize(VAULT, 'populate[zone][populate]=*&populate[box]=true').populate, { zone: { on: { 'secret.box': { populate: {} }, 'content.quote': { populate: '*' } } }, box: 'true' })
  t.same(sanitize(VAULT, 'populate[boxes][populate][owner]=true').populate, { boxes: { populate: {} } }, 'a relation in a repeatable component')
  t.same(sanitize(ARTICLE, 'populate[localizations][populate]=author,category').populate, { localizations: { populate: { category: true } } }, 'localizations')
})

t.test('the input is never mutated', async (t) => {
  const query = parseQueryString('populate[category][populate][articles][populate]=author&populate[author]=true', rest)
  const before = JSON.stringify(query)
  sanitizeQuery(query, ARTICLE, noAuthors)
  t.equal(JSON.stringify(query), before)
})
