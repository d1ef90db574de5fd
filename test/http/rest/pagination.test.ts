/**
 * Pagination end to end (contract §8.3): page and offset modes with their meta, defaults, clamping to
 * rest.maxLimit, `limit=-1`, withCount, and the 400s where Strapi clamps nonsense silently.
 */
import t from 'tap'
import { isError, pluck, sender } from './helpers.js'
import { buildApp } from '../../helpers/app.js'

// defaultLimit 2 and maxLimit 3, over 7 published articles ranked by views 1..7.
const app = await buildApp(t, { rest: { defaultLimit: 2, maxLimit: 3 }, permissions: { public: '*' } })
const send = sender(app)
for (let views = 1; views <= 7; views++) {
  await app.vellum.documents('api::article.article').create({ data: { title: `Article ${views}`, views }, status: 'published' })
}

async function page (query: string): Promise<{ views: unknown[], pagination: unknown }> {
  const res = await send('GET', `/api/articles?sort=views&${query}`)
  if (res.status !== 200) throw new Error(`${query}: ${res.status} ${res.text}`)
  t.same(Object.keys(res.body.meta), ['pagination'])
  return { views: pluck(res, 'views'), pagination: res.body.meta.pagination }
}

t.test('default: page 1 of rest.defaultLimit entries, with the total', async (t) => {
  t.same(await page(''), { views: [1, 2], pagination: { page: 1, pageSize: 2, pageCount: 4, total: 7 } })
})

t.test('page mode: page and pageSize, page alone keeps the default pageSize, a page past the end is empty', async (t) => {
  t.same(await page('pagination[page]=2&pagination[pageSize]=3'), { views: [4, 5, 6], pagination: { page: 2, pageSize: 3, pageCount: 3, total: 7 } })
  t.same(await page('pagination[page]=3&pagination[pageSize]=3'), { views: [7], pagination: { page: 3, pageSize: 3, pageCount: 3, total: 7 } })
  t.same(await page('pagination[page]=2'), { views: [3, 4], pagination: { page: 2, pageSize: 2, pageCount: 4, total: 7 } })
  t.same(await page('pagination[pageSize]=1'), { views: [1], pagination: { page: 1, pageSize: 1, pageCount: 7, total: 7 } })
  t.same(await page('pagination[page]=9'), { views: [], pagination: { page: 9, pageSize: 2, pageCount: 4, total: 7 } })
  t.same(await page('pagination[page]=1&pagination[pageSize]=2&filters[views][$gt]=100'), { views: [], pagination: { page: 1, pageSize: 2, pageCount: 0, total: 0 } })
})

t.test('page mode: a pageSize above rest.maxLimit is clamped to it', async (t) => {
  t.same(await page('pagination[pageSize]=50'), { views: [1, 2, 3], pagination: { page: 1, pageSize: 3, pageCount: 3, total: 7 } })
  t.same(await page('pagination[page]=3&pagination[pageSize]=1000'), { views: [7], pagination: { page: 3, pageSize: 3, pageCount: 3, total: 7 } })
})

t.test('offset mode: start and limit, with { start, limit, total }', async (t) => {
  t.same(await page('pagination[start]=2&pagination[limit]=2'), { views: [3, 4], pagination: { start: 2, limit: 2, total: 7 } })
  t.same(await page('pagination[start]=5'), { views: [6, 7], pagination: { start: 5, limit: 2, total: 7 } }, 'start alone: limit = defaultLimit')
  t.same(await page('pagination[limit]=1'), { views: [1], pagination: { start: 0, limit: 1, total: 7 } }, 'limit alone: start 0')
  t.same(await page('pagination[start]=0&pagination[limit]=3'), { views: [1, 2, 3], pagination: { start: 0, limit: 3, total: 7 } })
  t.same(await page('pagination[start]=10&pagination[limit]=3'), { views: [], pagination: { start: 10, limit: 3, total: 7 } })
})

t.test('offset mode: a limit above rest.maxLimit is clamped; limit=-1 means "up to maxLimit" (Strapi: 1)', async (t) => {
  t.same(await page('pagination[limit]=50'), { views: [1, 2, 3], pagination: { start: 0, limit: 3, total: 7 } })
  t.same(await page('pagination[limit]=-1'), { views: [1, 2, 3], pagination: { start: 0, limit: 3, total: 7 } })
  t.same(await page('pagination[start]=6&pagination[limit]=-1'), { views: [7], pagination: { start: 6, limit: 3, total: 7 } })
})

t.test('withCount=false drops total (and pageCount) in both modes; true/false/t/f/1/0 accepted', async (t) => {
  t.same(await page('pagination[withCount]=false'), { views: [1, 2], pagination: { page: 1, pageSize: 2 } })
  t.same(await page('pagination[withCount]=0&pagination[start]=1&pagination[limit]=1'), { views: [2], pagination: { start: 1, limit: 1 } })
  t.same(await page('pagination[withCount]=f&pagination[page]=2'), { views: [3, 4], pagination: { page: 2, pageSize: 2 } })
  for (const value of ['true', 't', '1']) {
    t.same((await page(`pagination[withCount]=${value}`)).pagination, { page: 1, pageSize: 2, pageCount: 4, total: 7 }, value)
  }
  const bad = await send('GET', '/api/articles?pagination[withCount]=yes')
  isError(t, bad, 400, 'ValidationError', 'Invalid withCount parameter. Expected "t","1","true","false","0","f"',
    { key: 'withCount', path: 'pagination.withCount', source: 'query', param: 'pagination', value: 'yes' })
})

t.test('nonsense values are 400s naming the parameter (Strapi clamps them silently)', async (t) => {
  const cases: Array<[string, string, string, string]> = [
    ['page', '0', 'page', 'an integer greater than or equal to 1'],
    ['page', '-1', 'page', 'an integer greater than or equal to 1'],
    ['page', 'abc', 'page', 'an integer greater than or equal to 1'],
    ['page', '1.5', 'page', 'an integer greater than or equal to 1'],
    ['pageSize', '0', 'pageSize', 'an integer greater than or equal to 1'],
    ['pageSize', '-5', 'pageSize', 'an integer greater than or equal to 1'],
    ['pageSize', 'ten', 'pageSize', 'an integer greater than or equal to 1'],
    ['start', '-1', 'start', 'an integer greater than or equal to 0'],
    ['start', 'x', 'start', 'an integer greater than or equal to 0'],
    ['limit', '0', 'limit', 'an integer greater than or equal to 1, or -1'],
    ['limit', '-2', 'limit', 'an integer greater than or equal to 1, or -1'],
    ['limit', '', 'limit', 'an integer greater than or equal to 1, or -1']
  ]
  for (const [key, value, name, expected] of cases) {
    const res = await send('GET', `/api/articles?pagination[${key}]=${value}`)
    isError(t, res, 400, 'ValidationError', `pagination[${name}] must be ${expected}`,
      { key, path: `pagination.${key}`, source: 'query', param: 'pagination', value })
  }
})

t.test('mixing modes → 400 PaginationError; page parameters outside pagination → 400 PaginationError', async (t) => {
  isError(t, await send('GET', '/api/articles?pagination[page]=1&pagination[limit]=2'), 400, 'PaginationError',
    'Cannot use both page & offset pagination in the same query', { source: 'query', param: 'pagination' })
  for (const key of ['page', 'pageSize']) {
    isError(t, await send('GET', `/api/articles?${key}=2`), 400, 'PaginationError',
      'Invalid pagination attributes. The page parameters are incorrect and must be in the pagination object', { key, source: 'query' })
  }
  // Strapi silently ignores top-level start/limit; vellum refuses them rather than answering something else.
  for (const key of ['start', 'limit']) {
    isError(t, await send('GET', `/api/articles?${key}=2`), 400, 'PaginationError',
      'Invalid pagination attributes. The offset parameters are incorrect and must be in the pagination object', { key, source: 'query' })
  }
})

t.test('pagination errors: not an object, unknown key', async (t) => {
  isError(t, await send('GET', '/api/articles?pagination=3'), 400, 'ValidationError', 'The pagination parameter must be an object',
    { key: 'pagination', path: 'pagination', source: 'query', param: 'pagination', value: '3' })
  isError(t, await send('GET', '/api/articles?pagination[size]=3'), 400, 'ValidationError', 'Invalid key size at pagination.size',
    { key: 'size', path: 'pagination.size', source: 'query', param: 'pagination' })
})

t.test('rest.withCount=false changes the default', async (t) => {
  const quiet = sender(await buildApp(t, { rest: { withCount: false }, permissions: { public: '*' } }))
  await quiet('POST', '/api/articles', { data: { title: 'Uncounted' } })
  const res = await quiet('GET', '/api/articles')
  t.same(res.body.meta, { pagination: { page: 1, pageSize: 25 } })
  const counted = await quiet('GET', '/api/articles?pagination[withCount]=true')
  t.same(counted.body.meta, { pagination: { page: 1, pageSize: 25, pageCount: 1, total: 1 } })
})
