/** Pagination (contract §8.3): Strapi's modes, defaults and clamping; 400s where Strapi clamps nonsense. */
import t from 'tap'
import { PaginationError, ValidationError } from '../../../lib/errors.js'
import { paginationMeta, parsePagination, parseQueryString } from '../../../lib/http/query/index.js'
import { rest, thrown } from './catalog.js'

const parse = (query: string): ReturnType<typeof parsePagination> => parsePagination(parseQueryString(query, rest), rest)

t.test('page mode (the default)', async (t) => {
  t.same(parse(''), { mode: 'page', page: 1, pageSize: 25, withCount: true, start: 0, limit: 25 }, 'defaultLimit, page 1')
  t.same(parse('pagination[page]=3'), { mode: 'page', page: 3, pageSize: 25, withCount: true, start: 50, limit: 25 }, 'page alone keeps the default pageSize')
  t.same(parse('pagination[pageSize]=10'), { mode: 'page', page: 1, pageSize: 10, withCount: true, start: 0, limit: 10 })
  t.same(parse('pagination[page]=2&pagination[pageSize]=10'), { mode: 'page', page: 2, pageSize: 10, withCount: true, start: 10, limit: 10 })
  t.same(parse('pagination[pageSize]=1000'), { mode: 'page', page: 1, pageSize: 100, withCount: true, start: 0, limit: 100 }, 'clamped to maxLimit')
  t.same(parse('pagination[page]=+2&pagination[pageSize]= 5 '), { mode: 'page', page: 2, pageSize: 5, withCount: true, start: 5, limit: 5 }, 'integer strings')
  t.same(parsePagination({ pagination: { page: 2, pageSize: 5 } }, rest), { mode: 'page', page: 2, pageSize: 5, withCount: true, start: 5, limit: 5 }, 'numbers (code)')
  t.same(parsePagination({}, { ...rest, defaultLimit: 500 }).limit, 100, 'a defaultLimit above maxLimit is clamped too')
})

t.test('offset mode', async (t) => {
  t.same(parse('pagination[start]=5'), { mode: 'offset', start: 5, limit: 25, withCount: true })
  t.same(parse('pagination[limit]=10'), { mode: 'offset', start: 0, limit: 10, withCount: true })
  t.same(parse('pagination[start]=0&pagination[limit]=500'), { mode: 'offset', start: 0, limit: 100, withCount: true }, 'clamped to maxLimit')
  t.same(parse('pagination[limit]=-1'), { mode: 'offset', start: 0, limit: 100, withCount: true }, '-1 from a query string means maxLimit (Strapi makes it 1)')
  t.same(parsePagination({ pagination: { limit: -1 } }, { ...rest, maxLimit: 40 }).limit, 40)
})

t.test('withCount', async (t) => {
  for (const value of ['true', 't', '1']) t.equal(parse(`pagination[withCount]=${value}`).withCount, true, value)
  for (const value of ['false', 'f', '0']) t.equal(parse(`pagination[withCount]=${value}`).withCount, false, value)
  t.equal(parsePagination({ pagination: { withCount: false } }, rest).withCount, false, 'a boolean (code)')
  t.equal(parsePagination({}, { ...rest, withCount: false }).withCount, false, 'default from rest.withCount')
  t.equal(parse('pagination[withCount]=false&pagination[start]=3').withCount, false, 'in offset mode too')
  for (const query of ['pagination[withCount]=yes', 'pagination[withCount]', 'pagination[withCount]=']) {
    const err = thrown(() => parse(query))
    t.type(err, ValidationError, query)
    t.equal(err.message, 'Invalid withCount parameter. Expected "t","1","true","false","0","f"')
    t.match(err.details, { key: 'withCount', path: 'pagination.withCount', source: 'query', param: 'pagination' })
  }
})

t.test('400 ValidationError naming the parameter where Strapi clamps or leaks internals', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['pagination[page]=0', 'page', 'pagination[page] must be an integer greater than or equal to 1'],
    ['pagination[page]=-1', 'page', 'pagination[page] must be an integer greater than or equal to 1'],
    ['pagination[page]=abc', 'page', 'pagination[page] must be an integer greater than or equal to 1'],
    ['pagination[page]=1.5', 'page', 'pagination[page] must be an integer greater than or equal to 1'],
    ['pagination[page]', 'page', 'pagination[page] must be an integer greater than or equal to 1'],
    ['pagination[page]=', 'page', 'pagination[page] must be an integer greater than or equal to 1'],
    ['pagination[page][0]=1', 'page', 'pagination[page] must be an integer greater than or equal to 1'],
    ['pagination[pageSize]=0', 'pageSize', 'pagination[pageSize] must be an integer greater than or equal to 1'],
    ['pagination[pageSize]=-5', 'pageSize', 'pagination[pageSize] must be an integer greater than or equal to 1'],
    ['pagination[pageSize]=ten', 'pageSize', 'pagination[pageSize] must be an integer greater than or equal to 1'],
    ['pagination[start]=-1', 'start', 'pagination[start] must be an integer greater than or equal to 0'],
    ['pagination[start]=x', 'start', 'pagination[start] must be an integer greater than or equal to 0'],
    ['pagination[limit]=0', 'limit', 'pagination[limit] must be an integer greater than or equal to 1, or -1'],
    ['pagination[limit]=-2', 'limit', 'pagination[limit] must be an integer greater than or equal to 1, or -1'],
    ['pagination[limit]=1e3', 'limit', 'pagination[limit] must be an integer greater than or equal to 1, or -1'],
    ['pagination[start]=99999999999999999999', 'start', 'pagination[start] must be an integer greater than or equal to 0']
  ]
  for (const [query, key, message] of cases) {
    const err = thrown(() => parse(query))
    t.type(err, ValidationError, query)
    t.equal(err.name, 'ValidationError')
    t.equal(err.message, message, query)
    t.match(err.details, { key, path: `pagination.${key}`, source: 'query', param: 'pagination' })
  }
  const huge = thrown(() => parse('pagination[page]=9007199254740991&pagination[pageSize]=100'))
  t.equal(huge.message, 'pagination[page] is too large', 'the row offset must stay a safe integer')
})

t.test('PaginationError: mixed modes and page parameters outside `pagination`', async (t) => {
  for (const query of ['pagination[page]=1&pagination[limit]=10', 'pagination[pageSize]=5&pagination[start]=0']) {
    const err = thrown(() => parse(query))
    t.type(err, PaginationError, query)
    t.equal(err.name, 'PaginationError')
    t.equal(err.message, 'Cannot use both page & offset pagination in the same query')
  }
  for (const key of ['page', 'pageSize']) {
    const err = thrown(() => parse(`${key}=1`))
    t.type(err, PaginationError)
    t.equal(err.message, 'Invalid pagination attributes. The page parameters are incorrect and must be in the pagination object')
    t.same(err.details, { key, source: 'query' })
  }
  for (const key of ['start', 'limit']) {
    const err = thrown(() => parse(`${key}=1`))
    t.type(err, PaginationError)
    t.equal(err.message, 'Invalid pagination attributes. The offset parameters are incorrect and must be in the pagination object')
  }
})

t.test('the pagination object itself', async (t) => {
  const notObject = thrown(() => parse('pagination=5'))
  t.equal(notObject.message, 'The pagination parameter must be an object')
  t.match(notObject.details, { key: 'pagination', source: 'query', param: 'pagination', value: '5' })
  const unknown = thrown(() => parse('pagination[offset]=5'))
  t.equal(unknown.message, 'Invalid key offset at pagination.offset')
  t.same(unknown.details, { key: 'offset', path: 'pagination.offset', source: 'query', param: 'pagination' })
  t.same(parse('pagination'), parse(''), 'null (no value) is no pagination')
  t.same(parse('pagination='), parse(''), 'so is an empty value')
})

t.test('paginationMeta', async (t) => {
  const page = parse('pagination[page]=2&pagination[pageSize]=10')
  t.same(paginationMeta(page, 35), { page: 2, pageSize: 10, pageCount: 4, total: 35 }, 'pageCount = ceil(total / pageSize)')
  t.same(paginationMeta(page, 40), { page: 2, pageSize: 10, pageCount: 4, total: 40 })
  t.same(paginationMeta(page, 0), { page: 2, pageSize: 10, pageCount: 0, total: 0 })
  t.same(paginationMeta(parse('pagination[page]=9'), 3), { page: 9, pageSize: 25, pageCount: 1, total: 3 }, 'a page beyond the end keeps its numbers')
  t.same(paginationMeta(page), { page: 2, pageSize: 10 }, 'withCount false: no pageCount, no total')
  t.same(Object.keys(paginationMeta(page, 1)), ['page', 'pageSize', 'pageCount', 'total'], "Strapi's key order")
  const offset = parse('pagination[start]=20&pagination[limit]=10')
  t.same(paginationMeta(offset, 35), { start: 20, limit: 10, total: 35 })
  t.same(paginationMeta(offset), { start: 20, limit: 10 })
})
