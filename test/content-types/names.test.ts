import t from 'tap'
import { enumKey, kebabCase, pluralize, snakeCase } from '../../lib/content-types/names.js'
import { closest, didYouMean, formatProblem } from '../../lib/content-types/problems.js'
import { columnName } from '../../lib/db/naming.js'

t.test('snakeCase gives Strapi v5\'s column names, the ones lib/db uses', async (t) => {
  const expected: Record<string, string> = {
    title: 'title',
    fooBar: 'foo_bar',
    foo_bar: 'foo_bar',
    FooBar: 'foo_bar',
    publishedDate: 'published_date',
    HTMLTitle: 'html_title',
    shareCount: 'share_count',
    v2Name: 'v_2_name',
    // lodash's word rules, as Strapi 5 names columns (contract §28.5)
    address2: 'address_2',
    h1Title: 'h_1_title',
    areaM2: 'area_m_2',
    pricePerM2EUR: 'price_per_m_2_eur',
    floor3DPlanURL: 'floor_3_d_plan_url',
    URL: 'url',
    CTAs: 'ct_as',
    'a-b': 'a_b',
    'rich-text': 'rich_text',
    documentID: 'document_id',
    createdById: 'created_by_id',
    ABC: 'abc'
  }
  for (const [name, snake] of Object.entries(expected)) {
    t.equal(snakeCase(name), snake, name)
    t.equal(columnName(name), snake, `the column of ${name}`)
  }
})

t.test('pluralize covers the regular English rules used for component tables', async (t) => {
  const cases: Record<string, string> = { seo: 'seos', quote: 'quotes', 'rich-text': 'rich-texts', box: 'boxes', address: 'addresses', match: 'matches', category: 'categories', key: 'keys', hero: 'heroes', 'page-hero': 'page-heroes', photo: 'photos' }
  for (const [singular, plural] of Object.entries(cases)) t.equal(pluralize(singular), plural, singular)
})

t.test('kebabCase offers a fix for a non-kebab API id', async (t) => {
  t.equal(kebabCase('blogPost'), 'blog-post')
  t.equal(kebabCase('Blog_Posts'), 'blog-posts')
  t.equal(kebabCase('my post'), 'my-post')
})

t.test('enumKey mirrors Strapi’s normalized enumeration value', async (t) => {
  t.equal(enumKey('foo bar'), 'foo_bar')
  t.equal(enumKey('  Crème brûlée! '), 'Creme_brulee')
  t.equal(enumKey('---'), '')
  t.equal(enumKey('1st'), '1st')
})

t.test('closest suggests likely typos only', async (t) => {
  t.equal(closest('strng', ['string', 'text']), 'string')
  t.equal(closest('String', ['string', 'strings']), 'string', 'a case-only difference wins')
  t.equal(closest('html', ['string', 'text', 'uid']), undefined)
  t.equal(closest('string', ['string']), undefined, 'an exact match is not a suggestion')
  t.equal(didYouMean('api::aticle.article', ['api::article.article', 'api::tag.tag']), ' (did you mean "api::article.article"?)')
  t.equal(didYouMean('zzz', ['abc']), '')
})

t.test('a problem line names the source, then the attribute', async (t) => {
  t.equal(formatProblem({ source: '/p/schema.json', attribute: 'title', message: 'bad' }), '/p/schema.json: attribute "title": bad')
  t.equal(formatProblem({ source: 'inline:api::a.a', message: 'bad' }), 'inline:api::a.a: bad')
})
