/**
 * REST: `publicationFilter` and `hasPublishedVersion` on find and findOne (contract §27.2), and unknown
 * top-level keys ignored by default, 400s with `rest.strictParams` (§27.3).
 */
import t from 'tap'
import { COHORT_VALUES, seedCohorts } from '../../helpers/publication.js'
import { blogApp, isError, pluck, sender } from './helpers.js'

const app = await blogApp(t)
const send = sender(app)
const seeded = await seedCohorts(app.vellum.documents, app.vellum.db)

async function titles (query: string, path = '/api/articles'): Promise<unknown[]> {
  const res = await send('GET', `${path}?sort=title&${query}`)
  if (res.status !== 200) throw new Error(`GET ${path}?${query}: ${res.status} ${res.text}`)
  return pluck(res, 'title')
}

t.test('each cohort, among drafts and among published rows (the default)', async (t) => {
  const expected: Record<string, [string[], string[]]> = {
    'never-published': [['A', 'D'], []],
    'has-published-version': [['B2', 'C'], ['B', 'C']],
    modified: [['B2'], ['B']],
    unmodified: [['C'], ['C']],
    'never-published-document': [['D'], []],
    'has-published-version-document': [['A', 'B2', 'C'], ['B', 'C']],
    'published-without-draft': [[], ['E']],
    'published-with-draft': [[], ['B', 'C']]
  }
  t.same(Object.keys(expected), [...COHORT_VALUES])
  for (const [value, [drafts, published]] of Object.entries(expected)) {
    t.same(await titles(`status=draft&publicationFilter=${value}`), drafts, `draft ${value}`)
    t.same(await titles(`publicationFilter=${value}`), published, `published ${value}`)
  }
  t.same(await titles('status=published&publicationFilter=modified'), ['B'])
  t.same(await titles('status=draft&publicationFilter=has-published-version&filters[title][$ne]=C'), ['B2'], 'ANDed with filters')
})

t.test('pair scope vs document scope, with an en draft whose fr version is published', async (t) => {
  t.same(await titles('status=draft&locale=*&publicationFilter=never-published'), ['A', 'D'])
  t.same(await titles('status=draft&locale=*&publicationFilter=never-published-document'), ['D'])
  t.same(await titles('locale=fr&publicationFilter=published-with-draft'), ['A fr'])
  t.same(await titles('locale=fr&publicationFilter=has-published-version-document'), ['A fr'])
})

t.test('findOne outside the cohort is a 404; a single type too', async (t) => {
  const url = `/api/articles/${seeded.enDraftFrPublished}`
  const inside = await send('GET', `${url}?status=draft&publicationFilter=never-published`)
  t.equal(inside.status, 200)
  t.equal(inside.body.data.title, 'A')
  isError(t, await send('GET', `${url}?status=draft&publicationFilter=never-published-document`), 404, 'NotFoundError', 'Not Found')
  t.equal((await send('GET', `${url}?locale=fr&publicationFilter=published-with-draft`)).body.data.title, 'A fr')
  await app.vellum.documents('api::homepage.homepage').create({ data: { title: 'Home' } })
  t.equal((await send('GET', '/api/homepage?status=draft&publicationFilter=never-published')).body.data.title, 'Home')
  isError(t, await send('GET', '/api/homepage?status=draft&publicationFilter=has-published-version'), 404, 'NotFoundError', 'Not Found')
})

t.test('ignored on a type without draft & publish, obeyed by its populated relations', async (t) => {
  const categories = `/api/categories/${seeded.category}`
  t.equal((await send('GET', `${categories}?publicationFilter=never-published`)).status, 200)
  const populated = async (query: string): Promise<unknown[]> =>
    ((await send('GET', `${categories}?populate[articles][sort]=title&${query}`)).body.data.articles as Array<{ title: string }>).map(a => a.title)
  t.same(await populated('publicationFilter=modified'), ['B'])
  t.same(await populated('status=draft&publicationFilter=never-published'), ['A', 'D'])
  t.same(await populated('hasPublishedVersion=false&status=draft'), ['D'])
})

t.test('hasPublishedVersion (deprecated) and precedence', async (t) => {
  t.same(await titles('status=draft&hasPublishedVersion=true'), ['A', 'B2', 'C'])
  t.same(await titles('status=draft&hasPublishedVersion=false'), ['D'])
  t.same(await titles('hasPublishedVersion=true'), ['B', 'C'])
  t.same(await titles('status=draft&hasPublishedVersion=false&publicationFilter=modified'), ['B2'], 'publicationFilter wins')
})

t.test('invalid values: 400 ValidationError with Strapi\'s message and details', async (t) => {
  const message = `Invalid value for 'publicationFilter'. Expected one of: ${COHORT_VALUES.join(', ')}.`
  for (const url of ['/api/articles?publicationFilter=nope', '/api/articles?publicationFilter[a]=x', `/api/articles/${seeded.modified}?publicationFilter=nope`]) {
    isError(t, await send('GET', url), 400, 'ValidationError', message, { source: 'query', param: 'publicationFilter' })
  }
  isError(t, await send('GET', '/api/articles?hasPublishedVersion=maybe'), 400, 'ValidationError',
    "Invalid value for 'hasPublishedVersion'. Expected boolean or 'true'/'false' string.", {})
  isError(t, await send('GET', '/api/articles?filters[$publication]=modified'), 400, 'ValidationError', 'Invalid key $publication')
})

t.test('strictParams off (the default): unknown top-level keys are ignored', async (t) => {
  t.equal(app.vellum.config.rest.strictParams, false)
  const tags = await send('GET', '/api/tags?t=123')
  t.same([tags.status, tags.body], [200, (await send('GET', '/api/tags')).body])
  // Ignored keys are still parsed within the query string's limits: nothing unbounded is built for them.
  const deep = await send('GET', `/api/tags?t${'[a]'.repeat(40)}=1`)
  t.match([deep.status, deep.body.error.message], [400, /^The query string is nested too deeply/])
  const wide = await send('GET', `/api/tags?${Array.from({ length: 101 }, (_, i) => `t[${i}]=1`).join('&')}`)
  t.match([wide.status, wide.body.error.message], [400, /^Too many items in a query parameter array: at most 100/])
  const many = await send('GET', `/api/tags?${Array.from({ length: 1001 }, (_, i) => `t${i}=1`).join('&')}`)
  t.match([many.status, many.body.error.message], [400, 'Too many query parameters: at most 1000 allowed'])
})

t.test('strictParams on: an unknown top-level key is a 400 with Strapi\'s details; the listed keys pass', async (t) => {
  const strict = await blogApp(t, { rest: { strictParams: true } })
  const sendStrict = sender(strict)
  const documentId = (await strict.vellum.documents('api::article.article').create({ data: { title: 'S' }, status: 'published' })).documentId
  await strict.vellum.documents('api::homepage.homepage').create({ data: { title: 'Home' }, status: 'published' })
  for (const url of ['/api/tags?t=123', `/api/articles/${documentId}?t=123`, '/api/homepage?t=123']) {
    isError(t, await sendStrict('GET', url), 400, 'ValidationError', 'Invalid key t', { key: 't', path: null, source: 'query', param: 't' })
  }
  const listed = await sendStrict('GET', '/api/articles?filters[title]=S&sort=title&fields=title&populate=*&status=published&locale=en' +
    '&pagination[page]=1&_q=S&publicationFilter=has-published-version&hasPublishedVersion=true&count=true&ordering=title')
  t.equal(listed.status, 200, listed.text)
  t.same(pluck(listed, 'title'), ['S'])
  isError(t, await sendStrict('GET', '/api/articles?page=1'), 400, 'PaginationError',
    'Invalid pagination attributes. The page parameters are incorrect and must be in the pagination object')
})
