/** parseQueryString: Strapi's qs options, and a 400 naming the limit wherever qs would silently degrade. */
import t from 'tap'
import { ValidationError } from '../../../lib/errors.js'
import { createQueryStringParser, parseQueryString } from '../../../lib/http/query/index.js'
import { rest, thrown } from './catalog.js'

const limits = { maxArrayLength: rest.maxArrayLength, maxFilterDepth: rest.maxFilterDepth, maxPopulateDepth: rest.maxPopulateDepth }

t.test("Strapi's syntax", async (t) => {
  t.same(parseQueryString('filters[title][$eq]=x&sort[0]=views:desc&populate=*', limits), {
    filters: { title: { $eq: 'x' } }, sort: ['views:desc'], populate: '*'
  })
  t.same(parseQueryString('?fields=title', limits), { fields: 'title' }, 'a leading ? is ignored')
  t.same(parseQueryString('', limits), {})
  t.same(parseQueryString('?', limits), {})
  t.same(parseQueryString('filters[title][$null]&_q=', limits), { filters: { title: { $null: null } }, _q: '' }, 'strictNullHandling: a key without = is null')
  t.same(parseQueryString('sort=a&sort=b', limits), { sort: ['a', 'b'] }, 'repeated keys make an array')
  t.same(parseQueryString('filters[title][$eq]=a%20b%26c', limits), { filters: { title: { $eq: 'a b&c' } } })
  t.same(parseQueryString('filters.title=x', limits), { 'filters.title': 'x' }, 'no dot notation (as Strapi)')
  t.same(parseQueryString('fields=a,b', limits), { fields: 'a,b' }, 'commas stay in the value')
})

t.test('objects have no prototype: prototype keys reach validation instead of being dropped or inherited', async (t) => {
  const query = parseQueryString('filters[constructor]=x&filters[toString]=y&__proto__[polluted]=1', limits)
  t.equal(Object.getPrototypeOf(query), null)
  const filters = query.filters as Record<string, unknown>
  t.equal(Object.getPrototypeOf(filters), null)
  t.same(Object.keys(filters), ['constructor', 'toString'])
  t.notOk('polluted' in {}, 'no pollution')
  t.equal(Object.hasOwn(query, '__proto__'), false)
})

t.test('arrays: up to maxArrayLength items, then a 400 naming rest.maxArrayLength', async (t) => {
  const small = { ...limits, maxArrayLength: 3 }
  t.same(parseQueryString('filters[id][$in][0]=1&filters[id][$in][1]=2&filters[id][$in][2]=3', small), { filters: { id: { $in: ['1', '2', '3'] } } })
  const cases = [
    'filters[id][$in][0]=1&filters[id][$in][1]=2&filters[id][$in][2]=3&filters[id][$in][3]=4',
    // qs would turn an index past the limit into an object key, and the filter would change meaning.
    'filters[id][$in][3]=1',
    'sort=a&sort=b&sort=c&sort=d',
    'fields[]=a&fields[]=b&fields[]=c&fields[]=d'
  ]
  for (const query of cases) {
    const err = thrown(() => parseQueryString(query, small))
    t.type(err, ValidationError, query)
    t.equal(err.message, 'Too many items in a query parameter array: at most 3 allowed (rest.maxArrayLength)')
    t.same(err.details, { source: 'query', limit: 'rest.maxArrayLength', max: 3 })
  }
  const at100 = Array.from({ length: 100 }, (_, i) => `filters[id][$in][${i}]=${i}`).join('&')
  t.equal(((parseQueryString(at100, limits).filters as { id: { $in: string[] } }).id.$in).length, 100, "100 items with the default, Strapi's arrayLimit")
  t.throws(() => parseQueryString(`${at100}&filters[id][$in][100]=x`, limits), { name: 'ValidationError' })
})

t.test('depth: brackets beyond what the populate and filter limits can need are a 400', async (t) => {
  const small = { maxArrayLength: 10, maxFilterDepth: 1, maxPopulateDepth: 1 }
  // 2 * 1 + 2 * 1 + 4 = 8 levels of brackets.
  t.ok(parseQueryString('a[1][2][3][4][5][6][7][8]=x', small))
  const err = thrown(() => parseQueryString('a[1][2][3][4][5][6][7][8][9]=x', small))
  t.type(err, ValidationError)
  t.equal(err.message, 'The query string is nested too deeply: at most 8 levels of brackets allowed (from rest.maxPopulateDepth and rest.maxFilterDepth)')
  t.same(err.details, { source: 'query', limit: 'rest.maxPopulateDepth, rest.maxFilterDepth', max: 8 })
  // qs's default would keep "[9]" as one literal key: a silently different query.
  const deepFilters = 'filters' + '[$and][0]'.repeat(10) + '[title]=x'
  t.ok(parseQueryString(deepFilters, limits), 'the defaults leave room for 10 levels of logical filters')
})

t.test('parameters: more than maxParameters is a 400, not a truncation', async (t) => {
  const query = Array.from({ length: 5 }, (_, i) => `k${i}=${i}`).join('&')
  t.same(Object.keys(parseQueryString(query, { ...limits, maxParameters: 5 })).length, 5)
  const err = thrown(() => parseQueryString(query, { ...limits, maxParameters: 4 }))
  t.equal(err.message, 'Too many query parameters: at most 4 allowed')
  t.same(err.details, { source: 'query', limit: 'maxParameters', max: 4 })
  const many = Array.from({ length: 1001 }, (_, i) => `k${i}=1`).join('&')
  t.throws(() => parseQueryString(many, limits), { message: 'Too many query parameters: at most 1000 allowed' }, 'default 1000')
})

t.test('createQueryStringParser: a repeated query string is parsed once, and every call gets its own copy', async (t) => {
  const parse = createQueryStringParser(limits)
  const text = 'filters[title][$in][0]=a&filters[title][$in][1]=b&populate[category][fields][0]=name&sort=title'
  const first = parse(text)
  t.same(first, parseQueryString(text, limits), 'what parseQueryString gives')
  // A middleware changing ctx.query in place, at every depth.
  const filters = first.filters as { title: { $in: string[] } }
  filters.title.$in.push('c')
  ;(first.populate as Record<string, unknown>).category = 'changed'
  first.sort = 'views'
  const second = parse(text)
  t.same(second, parseQueryString(text, limits), 'the next request of that string is untouched')
  t.not(second, first)
  t.equal(Object.getPrototypeOf(second), null, 'copies keep the null prototype')
  t.equal(Object.getPrototypeOf(second.filters), null)
  const long = `filters[title][$eq]=${'x'.repeat(3000)}`
  t.same(parse(long), { filters: { title: { $eq: 'x'.repeat(3000) } } }, 'a long string is parsed (and not kept)')
  const tooDeep = `filters${'[a]'.repeat(60)}=1`
  for (const round of [1, 2]) t.ok(thrown(() => parse(tooDeep)) instanceof ValidationError, `round ${round}: a refused string is refused again`)
})
