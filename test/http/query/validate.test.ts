/** validateQuery: each parameter, each of its errors with the exact message and details, and each limit. */
import t from 'tap'
import { PaginationError, ValidationError } from '../../../lib/errors.js'
import { allowedParams, parseQueryString, validateQuery, type ValidateQueryContext } from '../../../lib/http/query/index.js'
import { ARTICLE, AUTHOR, CATEGORY, HOMEPAGE, TAG, VAULT, context, rest, thrown } from './catalog.js'

function check (uid: string, query: string, overrides: Partial<ValidateQueryContext> = {}): void {
  validateQuery(parseQueryString(query, rest), uid, context(overrides))
}

function fails (uid: string, query: string, overrides: Partial<ValidateQueryContext> = {}): ReturnType<typeof thrown> {
  return thrown(() => { check(uid, query, overrides) })
}

t.test('top-level parameters: per action; unknown keys ignored unless strictParams', async (t) => {
  const list = ['filters', 'sort', 'fields', 'populate', 'status', 'locale', 'pagination', '_q', 'publicationFilter', 'hasPublishedVersion']
  const readOne = ['fields', 'populate', 'status', 'locale', 'publicationFilter', 'hasPublishedVersion']
  t.same([...allowedParams('find', 'collectionType')], list)
  t.same([...allowedParams('findOne', 'collectionType')], readOne)
  t.same([...allowedParams('find', 'singleType')], readOne)
  t.same([...allowedParams('create', 'collectionType')], ['fields', 'populate', 'status', 'locale'])
  t.same([...allowedParams('update', 'singleType')], ['fields', 'populate', 'status', 'locale'])
  t.same([...allowedParams('delete', 'collectionType')], ['status', 'locale'])
  t.same([...allowedParams('myAction', 'singleType')], [...allowedParams('find', 'collectionType')], 'a custom action reads what a list reads')
  t.doesNotThrow(() => { check(ARTICLE, 'filters[title]=x&pagination[page]=2&populate=*', { action: 'myAction' }) })
  t.equal(fails(ARTICLE, 'filters[internalNotes]=x', { action: 'myAction' }).message, 'Invalid key internalNotes', 'and is just as strict about private attributes')

  // Keys no action reads are ignored (Strapi's default), on every action, whatever they hold.
  for (const action of ['find', 'findOne', 'create', 'update', 'delete', 'myAction']) {
    t.doesNotThrow(() => { check(ARTICLE, 'bogus=1&t[a][b]=2&count=true&ordering=x&strictParams=1', { action }) }, action)
  }
  t.doesNotThrow(() => { check(HOMEPAGE, 't=123', { kind: 'singleType' }) })
  t.doesNotThrow(() => { validateQuery({ t: { deep: [[[[[[[[[[[[[[1]]]]]]]]]]]]]] } }, ARTICLE, context()) }, 'an ignored key is not walked')

  // strictParams: the same keys are 400s with Strapi's details; the keys Strapi lists still pass.
  const strict = { rest: { ...rest, strictParams: true } }
  const err = fails(ARTICLE, 'bogus=1', strict)
  t.type(err, ValidationError)
  t.equal(err.message, 'Invalid key bogus')
  t.same(err.details, { key: 'bogus', path: null, source: 'query', param: 'bogus' })
  t.equal(fails(ARTICLE, 't=123', { ...strict, action: 'findOne' }).message, 'Invalid key t')
  t.equal(fails(HOMEPAGE, 't=123', { ...strict, kind: 'singleType' }).message, 'Invalid key t')
  t.doesNotThrow(() => {
    check(ARTICLE, 'filters[title]=x&sort=title&fields=title&populate=*&status=draft&locale=fr&pagination[page]=1&_q=a' +
      '&publicationFilter=modified&hasPublishedVersion=true&count=true&ordering=x', strict)
  })

  // A parameter the action would ignore is refused, in both modes.
  t.equal(fails(ARTICLE, 'filters[title]=x', { action: 'findOne' }).message, 'Invalid key filters')
  t.equal(fails(ARTICLE, 'pagination[page]=1', { action: 'update' }).message, 'Invalid key pagination')
  t.equal(fails(ARTICLE, 'publicationFilter=modified', { action: 'create' }).message, 'Invalid key publicationFilter')
  t.equal(fails(HOMEPAGE, 'sort=title', { kind: 'singleType' }).message, 'Invalid key sort')
  t.equal(fails(ARTICLE, 'populate=*', { action: 'delete' }).message, 'Invalid key populate')
  t.same(fails(ARTICLE, 'populate=*', { action: 'delete' }).details, { key: 'populate', path: 'populate', source: 'query' })
  t.equal(fails(ARTICLE, 'page=2', { action: 'findOne' }).message, 'Invalid key page', 'page is just unknown where there is no list')
  t.type(fails(ARTICLE, 'page=2'), PaginationError, 'on a list it is the PaginationError')
  t.type(fails(ARTICLE, 'pageSize=2', strict), PaginationError, 'with strictParams too')
  t.doesNotThrow(() => { check(ARTICLE, 'status=draft&locale=fr', { action: 'delete' }) })
  t.doesNotThrow(() => { check(HOMEPAGE, 'populate=*&fields=title&status=draft&locale=*', { kind: 'singleType' }) })
  t.doesNotThrow(() => { check(ARTICLE, '') }, 'an empty query')
})

t.test('publicationFilter and hasPublishedVersion', async (t) => {
  const values = ['never-published', 'has-published-version', 'modified', 'unmodified', 'never-published-document',
    'has-published-version-document', 'published-without-draft', 'published-with-draft']
  for (const value of values) t.doesNotThrow(() => { check(ARTICLE, `publicationFilter=${value}`) }, value)
  t.doesNotThrow(() => { check(CATEGORY, 'publicationFilter=modified') }, 'also on types without draft & publish (where it changes nothing)')
  const message = `Invalid value for 'publicationFilter'. Expected one of: ${values.join(', ')}.`
  for (const query of ['publicationFilter=nope', 'publicationFilter[a]=x', 'publicationFilter=', 'publicationFilter', 'publicationFilter=modified&hasPublishedVersion=true&publicationFilter=x']) {
    const err = fails(ARTICLE, query, { action: query.length % 2 === 0 ? 'find' : 'findOne' })
    t.type(err, ValidationError, query)
    t.equal(err.message, message, query)
    t.same(err.details, { source: 'query', param: 'publicationFilter' }, query)
  }
  for (const query of ['hasPublishedVersion=true', 'hasPublishedVersion=false']) t.doesNotThrow(() => { check(ARTICLE, query) }, query)
  t.doesNotThrow(() => { validateQuery({ hasPublishedVersion: false }, ARTICLE, context()) }, 'a boolean (code)')
  for (const query of ['hasPublishedVersion=1', 'hasPublishedVersion=yes', 'hasPublishedVersion[0]=true']) {
    const err = fails(ARTICLE, query)
    t.equal(err.message, "Invalid value for 'hasPublishedVersion'. Expected boolean or 'true'/'false' string.", query)
    t.same(err.details, {}, query)
  }
  t.doesNotThrow(() => { check(ARTICLE, 'publicationFilter=modified&hasPublishedVersion=nope') }, 'publicationFilter wins: the alias is not read')
  t.equal(fails(ARTICLE, 'filters[$publication]=modified').message, 'Invalid key $publication', 'the cohort is no filter')
  t.equal(fails(ARTICLE, 'populate[relatedArticles][filters][$publication]=modified').message, 'Invalid key $publication', 'nor in a populated relation')
})

t.test('status: only draft or published', async (t) => {
  t.doesNotThrow(() => { check(ARTICLE, 'status=draft') })
  t.doesNotThrow(() => { check(ARTICLE, 'status=published') })
  t.doesNotThrow(() => { check(CATEGORY, 'status=draft') }, 'also on types without draft & publish (where it changes nothing)')
  for (const query of ['status=foo', 'status=Draft', 'status=', 'status', 'status=draft&status=published']) {
    const err = fails(ARTICLE, query)
    t.type(err, ValidationError, query)
    t.match(err.message, /^Invalid status .*: expected "draft" or "published"$/)
    t.match(err.details, { key: 'status', path: 'status', source: 'query', param: 'status' })
  }
  t.equal(fails(ARTICLE, 'status=foo').message, 'Invalid status "foo": expected "draft" or "published"')
})

t.test('locale: a configured code or *', async (t) => {
  for (const query of ['locale=fr', 'locale=*']) t.doesNotThrow(() => { check(ARTICLE, query) }, query)
  for (const query of ['locale=', 'locale', 'locale[0]=fr&locale[1]=en', 'locale[x]=1', 'locale=en-US']) {
    const err = fails(ARTICLE, query)
    t.match(err.message, /^Invalid locale .*: expected one of en, fr, \*$/, query)
    t.match(err.details, { key: 'locale', path: 'locale', source: 'query', param: 'locale' })
  }
  const unknown = fails(ARTICLE, 'locale=de')
  t.equal(unknown.message, 'Invalid locale "de": expected one of en, fr, *', 'an unknown code is a 400')
  t.same(unknown.details, { key: 'locale', path: 'locale', source: 'query', param: 'locale', value: 'de' })
})

t.test('_q: a string', async (t) => {
  for (const query of ['_q=hello', '_q=', '_q', '_q=42']) t.doesNotThrow(() => { check(ARTICLE, query) }, query)
  t.doesNotThrow(() => { validateQuery({ _q: 42 }, ARTICLE, context()) }, 'a number (code)')
  const err = fails(ARTICLE, '_q[0]=a')
  t.equal(err.message, 'Invalid _q parameter: expected a string')
  t.match(err.details, { key: '_q', path: '_q', source: 'query', param: '_q' })
})

t.test('filters', async (t) => {
  const valid = [
    'filters[title][$eq]=x', 'filters[title]=x', 'filters[views][$gt]=10', 'filters[views][$between][0]=1&filters[views][$between][1]=5',
    'filters[id][$in][0]=1&filters[id][$in][1]=2', 'filters[documentId]=abc', 'filters[createdAt][$lt]=2024-01-01', 'filters[locale]=fr',
    'filters[category][name][$eq]=news', 'filters[category][$eq]=3', 'filters[category][$null]=true', 'filters[tags][name]=red',
    'filters[seo][metaTitle][$containsi]=x', 'filters[$or][0][title]=a&filters[$or][1][views]=2', 'filters[$not][kind]=news',
    'filters[views][$not][$gt]=10', 'filters[title][$containsi][0]=alpha&filters[title][$containsi][1]=beta', 'filters[featured]=t',
    'filters[publishedDate][$eq]=2024-01-02', 'filters[metadata][$eq]=x', 'filters[title]', 'filters=', 'filters', 'filters[title]='
  ]
  for (const query of valid) t.doesNotThrow(() => { check(ARTICLE, query) }, query)
  t.doesNotThrow(() => { validateQuery({ filters: [{ title: 'a' }, { views: 3 }] }, ARTICLE, context()) }, 'an array of conditions (code)')
  t.doesNotThrow(() => { validateQuery({ filters: { title: {} } }, ARTICLE, context()) }, 'empty objects are dropped')

  // An unknown key at the root has a null path, as Strapi reports it.
  const keyErrors: Array<[string, string, string | null, string?]> = [
    ['filters[bogus]=x', 'bogus', null],
    ['filters[Title]=x', 'Title', null],
    ['filters[title][$STARTSWITH]=x', '$STARTSWITH', 'title'],
    ['filters[title][$like]=x', '$like', 'title'],
    ['filters[$nor][0][title]=x', '$nor', null],
    ['filters[blocks][$null]=true', 'blocks', 'blocks', 'dynamic zones are not filterable'],
    ['filters[category][bogus]=x', 'bogus', 'category'],
    ['filters[seo][bogus]=x', 'bogus', 'seo'],
    ['filters[$or][0][category][tags]=x', 'tags', 'category']
  ]
  for (const [query, key, path, name] of keyErrors) {
    const err = fails(ARTICLE, query)
    t.type(err, ValidationError, query)
    t.equal(err.message, key === path || path === null ? `Invalid key ${key}` : `Invalid key ${key} at ${path}`, name ?? query)
    t.same(err.details, { key, path, source: 'query', param: 'filters' }, query)
  }

  const notObject = fails(ARTICLE, 'filters=x')
  t.equal(notObject.message, 'The filters parameter must be an object or an array')
  t.same(notObject.details, { key: 'filters', path: 'filters', source: 'query', param: 'filters', value: 'x' })

  // Where Strapi answers 500, vellum answers 400 (contract §24.1).
  const values: Array<[string, string]> = [
    ['filters[views][$eq]=abc', 'Invalid value "abc" for views: expected an integer'],
    ['filters[tags]=x', 'Invalid value "x" for tags: expected an integer'],
    ['filters[$and][title]=y', 'Invalid value {"title":"y"} for $and: expected an array'],
    ['filters[publishedDate][$eq]=2024-13-45', 'Invalid value "2024-13-45" for publishedDate: expected a date (YYYY-MM-DD)'],
    ['filters[views][$between]=1', 'Invalid value "1" for views: expected an array of two values'],
    ['filters[views][$containsi]=1', 'Operator $containsi is not applicable to views (integer)']
  ]
  for (const [query, message] of values) {
    const err = fails(ARTICLE, query)
    t.type(err, ValidationError, query)
    t.equal(err.message, message, query)
    t.match(err.details, { source: 'query', param: 'filters' }, query)
  }
  t.same(fails(ARTICLE, 'filters[views][$eq]=abc').details, { key: 'views', path: 'views', source: 'query', param: 'filters', value: 'abc' })
})

t.test('sort', async (t) => {
  const valid = [
    'sort=views', 'sort=views:desc', 'sort=views:DESC', 'sort=kind:asc,views:desc', 'sort[0]=kind:asc&sort[1]=views',
    'sort[views]=desc', 'sort[0][kind]=desc&sort[1][views]=asc', 'sort=category.name:asc', 'sort[category][name]=asc',
    'sort=seo.metaTitle', 'sort=', 'sort', 'sort=id:desc,documentId', 'sort=createdAt:desc'
  ]
  for (const query of valid) t.doesNotThrow(() => { check(ARTICLE, query) }, query)
  const keyErrors: Array<[string, string, string | null]> = [
    ['sort=bogus', 'bogus', null],
    ['sort=blocks', 'blocks', 'blocks'],
    ['sort=category', 'category', 'category'],
    ['sort[category]=asc', 'category', 'category'],
    ['sort=category.bogus:asc', 'bogus', 'category'],
    ['sort=title.x', 'x', 'title']
  ]
  for (const [query, key, path] of keyErrors) {
    const err = fails(ARTICLE, query)
    t.equal(err.message, key === path || path === null ? `Invalid key ${key}` : `Invalid key ${key} at ${path}`, query)
    t.same(err.details, { key, path, source: 'query', param: 'sort' }, query)
  }
  for (const query of ['sort=views:up', 'sort[views]=descending', 'sort=views:asc:desc']) {
    const err = fails(ARTICLE, query)
    t.equal(err.message, 'Invalid order. order can only be one of asc|desc|ASC|DESC', query)
    t.match(err.details, { source: 'query', param: 'sort' })
  }
})

t.test('fields', async (t) => {
  for (const query of ['fields=title,views', 'fields[0]=title', 'fields=*', 'fields=createdAt,locale', 'fields=', 'fields=documentId']) {
    t.doesNotThrow(() => { check(ARTICLE, query) }, query)
  }
  t.doesNotThrow(() => { check(ARTICLE, 'fields=title', { action: 'findOne' }) })
  for (const name of ['category', 'seo', 'blocks', 'bogus', 'localizations']) {
    const err = fails(ARTICLE, `fields[0]=title&fields[1]=${name}`)
    t.equal(err.message, `Invalid key ${name}`, name)
    t.same(err.details, { key: name, path: name === 'bogus' ? null : name, source: 'query', param: 'fields' })
  }
  const shape = fails(ARTICLE, 'fields[title]=1')
  t.equal(shape.message, 'Invalid value {"title":"1"} for fields: expected a list of attribute names')
  t.match(shape.details, { key: 'fields', path: 'fields', source: 'query', param: 'fields' })
})

t.test('populate: forms', async (t) => {
  const valid = [
    'populate=*', 'populate=category', 'populate=category,tags', 'populate[0]=category&populate[1]=tags', 'populate[category]=true',
    'populate=author.profile', 'populate[tags][fields][0]=name', 'populate[tags][filters][name][$eq]=red', 'populate[tags][sort]=name:desc',
    'populate[author][populate][articles][populate]=*', 'populate[author][populate]=*', 'populate[tags][count]=true',
    'populate[tags][count]=false', 'populate[seo]=true', 'populate[seo][fields]=metaTitle', 'populate[blocks]=true',
    'populate[blocks][populate]=*', 'populate[blocks][on][content.quote][fields][0]=text',
    'populate[blocks][on][shared.hero][populate][cta]=true', 'populate=localizations', 'populate[localizations][fields]=title',
    'populate[localizations][populate]=category', 'populate=', 'populate', 'populate[category]=false'
  ]
  for (const query of valid) t.doesNotThrow(() => { check(ARTICLE, query) }, query)
  t.doesNotThrow(() => { check(HOMEPAGE, 'populate[hero][populate][cta]=true&populate[sections]=true', { kind: 'singleType' }) })
  t.doesNotThrow(() => { validateQuery({ populate: { category: { fields: ['name'] } } }, ARTICLE, context()) }, 'objects built in code')
})

t.test('populate: errors', async (t) => {
  const keyErrors: Array<[string, string, string | null, string?]> = [
    ['populate=title', 'title', 'title', 'a scalar'],
    ['populate=bogus', 'bogus', 'bogus'],
    ['populate=author.bogus', 'bogus', 'author'],
    ['populate[author][populate][bogus]=true', 'bogus', 'author'],
    ['populate[tags][offset]=2', 'offset', 'tags', 'only REST option names (start, not offset)'],
    ['populate[tags][where][name]=x', 'where', 'tags'],
    ['populate[tags][count]=maybe', 'count', 'tags', 'count must be boolean-like'],
    ['populate[seo][count]=true', 'count', 'seo', 'count only on relations'],
    ['populate[blocks][fields][0]=x', 'fields', 'blocks', 'dynamic zones take on and populate'],
    ['populate[blocks][filters][x]=1', 'filters', 'blocks'],
    ['populate[blocks][on][shared.seo]=true', 'shared.seo', 'blocks.on', 'a component the zone does not allow'],
    ['populate[blocks][on][content.quote][sort]=text', 'sort', 'blocks.on.content.quote', 'fragments take fields, filters and populate'],
    ['populate[blocks][on][content.quote][fields][0]=bogus', 'bogus', null],
    ['populate[tags][fields][0]=articles', 'articles', 'articles'],
    ['populate[localizations][count]=true', 'count', 'localizations'],
    ['populate[localizations][filters][bogus]=x', 'bogus', null]
  ]
  for (const [query, key, path, name] of keyErrors) {
    const err = fails(ARTICLE, query)
    t.type(err, ValidationError, query)
    t.equal(err.message, key === path || path === null ? `Invalid key ${key}` : `Invalid key ${key} at ${path}`, name ?? query)
    t.same(err.details, { key, path, source: 'query', param: 'populate' }, query)
  }
  // localizations is checked as any populated relation: its errors are worded as theirs.
  for (const [localizations, relation] of [
    ['populate[localizations][filters]=x', 'populate[category][filters]=x'],
    ['populate[localizations][filters][views]=abc', 'populate[relatedArticles][filters][views]=abc'],
    ['populate[localizations][sort]=title:up', 'populate[relatedArticles][sort]=title:up'],
    ['populate[localizations][filters][$and]=x', 'populate[relatedArticles][filters][$and]=x']
  ] as const) {
    const err = fails(ARTICLE, localizations)
    const expected = fails(ARTICLE, relation)
    const rename = (text: unknown): unknown => typeof text === 'string' ? text.replace(/^(category|relatedArticles)/, 'localizations').replace(' for relatedArticles.', ' for localizations.') : text
    t.equal(err.message, rename(expected.message), localizations)
    const details = expected.details ?? {}
    t.same(err.details, { ...details, ...('path' in details && { path: rename(details.path) }) }, localizations)
  }
  t.equal(fails(CATEGORY, 'populate=localizations').message, 'Invalid key localizations', 'localizations only on localized types')

  const fragment = fails(ARTICLE, 'populate[category][on][api::category.category]=true')
  t.equal(fragment.message, 'Using fragments is not permitted to populate "category" in "api::article.article"')
  t.same(fragment.details, { key: 'on', path: 'category.on', source: 'query', param: 'populate' })
  t.equal(fails(ARTICLE, 'populate[seo][on][shared.seo]=true').message, 'Using fragments is not permitted to populate "seo" in "api::article.article"')
  t.equal(fails(AUTHOR, 'populate[articles][populate][tags][on][x]=true').message, 'Using fragments is not permitted to populate "tags" in "api::article.article"')

  const shape = fails(ARTICLE, 'populate[category]=5')
  t.equal(shape.message, 'Invalid value for populate at category: expected true or an object of options')
  t.same(shape.details, { key: 'category', path: 'category', source: 'query', param: 'populate', value: '5' })
  t.equal(fails(ARTICLE, 'populate=*&populate[tags][fields]=name').message, 'Invalid value for populate: expected true, "*", a list of names or an object', 'a list mixing names and objects')
  t.equal(fails(ARTICLE, 'populate[blocks][on]=x').message, 'Invalid value for populate at blocks.on: expected an object of component uids')
  t.match(fails(ARTICLE, 'populate[tags][filters]=x'), { message: 'The filters parameter must be an object or an array', details: { param: 'populate' } })
  t.match(fails(ARTICLE, 'populate[tags][filters][name][$in]=a&populate[tags][sort]=color:up'), { message: 'Invalid order. order can only be one of asc|desc|ASC|DESC' })
})

t.test('limits: populate depth (rest.maxPopulateDepth)', async (t) => {
  const chain = (n: number): string => Array.from({ length: n }, () => 'relatedArticles').join('.')
  t.doesNotThrow(() => { check(ARTICLE, `populate=${chain(5)}`) })
  const err = fails(ARTICLE, `populate=${chain(6)}`)
  t.type(err, ValidationError)
  t.equal(err.message, 'Populate is nested too deeply: at most 5 levels allowed (rest.maxPopulateDepth)')
  t.same(err.details, { key: 'relatedArticles', path: chain(6), source: 'query', param: 'populate', limit: 'rest.maxPopulateDepth', max: 5 })
  const objectForm = 'populate' + '[relatedArticles][populate]'.repeat(2) + '[relatedArticles]=true'
  t.doesNotThrow(() => { check(ARTICLE, objectForm, { rest: { ...rest, maxPopulateDepth: 3 } }) })
  t.throws(() => { check(ARTICLE, objectForm, { rest: { ...rest, maxPopulateDepth: 2 } }) }, { message: 'Populate is nested too deeply: at most 2 levels allowed (rest.maxPopulateDepth)' })
  // Components, zone fragments and localizations count as levels too.
  const small = { rest: { ...rest, maxPopulateDepth: 2 } }
  t.doesNotThrow(() => { check(HOMEPAGE, 'populate[hero][populate][cta]=true', { kind: 'singleType', ...small }) })
  t.match(fails(HOMEPAGE, 'populate[hero][populate][article][populate]=author', { kind: 'singleType', ...small }), { details: { limit: 'rest.maxPopulateDepth' } })
  t.match(fails(ARTICLE, 'populate[blocks][on][shared.hero][populate][article][populate]=tags', small), { details: { limit: 'rest.maxPopulateDepth' } })
  t.match(fails(ARTICLE, 'populate[localizations][populate][category][populate]=parent', small), { details: { limit: 'rest.maxPopulateDepth' } })
  t.doesNotThrow(() => { check(ARTICLE, 'populate=*', { rest: { ...rest, maxPopulateDepth: 1 } }) }, '* is one level')
})

t.test('limits: filter depth (rest.maxFilterDepth)', async (t) => {
  const small = { rest: { ...rest, maxFilterDepth: 3 } }
  t.doesNotThrow(() => { check(ARTICLE, 'filters[category][parent][name][$eq]=x', small) }, 'three attribute levels')
  const err = fails(ARTICLE, 'filters[category][parent][parent][name][$eq]=x', small)
  t.equal(err.message, 'Filters are nested too deeply: at most 3 levels allowed (rest.maxFilterDepth)')
  t.same(err.details, { key: 'name', path: 'category.parent.parent.name', source: 'query', param: 'filters', limit: 'rest.maxFilterDepth', max: 3 })
  t.doesNotThrow(() => { check(ARTICLE, 'filters[$or][0][$and][0][title]=x', small) }, '$or, $and and the field')
  t.match(fails(ARTICLE, 'filters[$or][0][$and][0][$not][title]=x', small), { details: { key: 'title', limit: 'rest.maxFilterDepth' } })
  t.doesNotThrow(() => { check(ARTICLE, 'filters[title][$not][$in][0]=a', small) }, 'comparison operators do not count')
  t.match(fails(ARTICLE, 'populate[category][filters][parent][parent][parent][name]=x', small), { details: { param: 'populate', limit: 'rest.maxFilterDepth' } }, 'populate filters too')
  t.match(fails(ARTICLE, 'populate[localizations][filters][category][parent][parent][name]=x', small), { details: { limit: 'rest.maxFilterDepth' } }, 'and localizations filters')
  const deep = 'filters' + '[$and][0]'.repeat(10) + '[title]=x'
  t.throws(() => { check(ARTICLE, deep) }, { message: 'Filters are nested too deeply: at most 10 levels allowed (rest.maxFilterDepth)' }, 'default 10')
})

t.test('limits: array length (rest.maxArrayLength), also for lists built in code and comma lists', async (t) => {
  const small = { rest: { ...rest, maxArrayLength: 3 } }
  const err = thrown(() => { validateQuery({ filters: { id: { $in: [1, 2, 3, 4] } } }, ARTICLE, context(small)) })
  t.equal(err.message, 'Too many items in filters.id.$in: at most 3 allowed (rest.maxArrayLength)')
  t.same(err.details, { key: '$in', path: 'filters.id.$in', source: 'query', param: 'filters', limit: 'rest.maxArrayLength', max: 3 })
  const lists: Array<[string, string]> = [
    ['sort=title,views,kind,slug', 'sort'],
    ['fields=title,views,kind,slug', 'fields'],
    ['populate=category,tags,author,reviewer', 'populate'],
    ['populate[tags][fields]=name,color,createdAt,updatedAt', 'populate'],
    ['populate[tags][sort]=name,color,createdAt,updatedAt', 'populate']
  ]
  for (const [query, param] of lists) {
    const listErr = fails(ARTICLE, query, small)
    t.match(listErr, { name: 'ValidationError', message: /^Too many items in .*: at most 3 allowed \(rest\.maxArrayLength\)$/, details: { param, limit: 'rest.maxArrayLength', max: 3 } }, query)
  }
  t.doesNotThrow(() => { check(ARTICLE, 'sort=title,views,kind', small) })
  let deep: Record<string, unknown> = { leaf: true }
  for (let i = 0; i < 20; i++) deep = { [`n${i}`]: { populate: deep } }
  const nested = thrown(() => { validateQuery({ populate: deep }, ARTICLE, context()) })
  t.match(nested, { message: /^The query is nested too deeply: at most 35 levels allowed/, details: { param: 'populate' } }, 'any value nested deeper than the query string could be')
})

t.test('canRead: filtering or sorting through a relation the caller may not read is a 400', async (t) => {
  const canRead = (uid: string): boolean => uid !== AUTHOR
  const cases: Array<[string, string, string, string]> = [
    ['filters[author][name]=x', 'author', 'author', 'filters'],
    ['filters[author]=3', 'author', 'author', 'filters'],
    ['filters[$or][0][reviewer][$null]=true', 'reviewer', 'reviewer', 'filters'],
    ['filters[category][articles][author][name]=x', 'author', 'category.articles.author', 'filters'],
    ['sort=author.name', 'author', 'author', 'sort'],
    ['sort[reviewer][name]=desc', 'reviewer', 'reviewer', 'sort'],
    ['populate[category][filters][articles][author][name]=x', 'author', 'category.articles.author', 'populate'],
    ['populate[tags][sort]=articles.author.name', 'author', 'tags.articles.author', 'populate'],
    ['populate[localizations][filters][author][name]=x', 'author', 'localizations.author', 'populate']
  ]
  for (const [query, key, path, param] of cases) {
    const err = fails(ARTICLE, query, { canRead })
    t.equal(err.message, key === path ? `Invalid key ${key}` : `Invalid key ${key} at ${path}`, query)
    t.same(err.details, { key, path, source: 'query', param }, query)
    t.doesNotThrow(() => { check(ARTICLE, query) }, 'allowed when every target is readable')
  }
  t.throws(() => { check(VAULT, 'filters[box][owner][name]=x', { canRead }) }, { message: 'Invalid key owner at box.owner' }, 'through a component')
  // Populating it is not an error: sanitizeQuery drops it.
  for (const query of ['populate=author', 'populate=*', 'populate[author][filters][name]=x', 'populate[author][populate][profile]=true']) {
    t.doesNotThrow(() => { check(ARTICLE, query, { canRead }) }, query)
  }
  t.doesNotThrow(() => { check(TAG, 'filters[articles][title]=x', { canRead }) }, 'readable targets are fine')
})
