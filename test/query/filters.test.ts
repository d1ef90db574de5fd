/**
 * where: every operator on every attribute type it applies to, conditions through relations and
 * components at any depth, logical groups, _q, and every bad input answering a ValidationError.
 */
import t from 'tap'
import { ValidationError } from '../../lib/errors.js'
import type { WhereParam } from '../../lib/query/index.js'
import { ARTICLE, AUTHOR, CATEGORY, TAG } from './fixtures.js'
import { setup } from './helpers.js'

const { engine } = await setup(t)
const articles = engine.query(ARTICLE)

const ann = await engine.query(AUTHOR).create({ data: { name: 'Ann', email: 'ann@example.com' } })
const bob = await engine.query(AUTHOR).create({ data: { name: 'Bob', email: 'bob@example.com' } })
const red = await engine.query(TAG).create({ data: { name: 'red' } })
const blue = await engine.query(TAG).create({ data: { name: 'blue' } })
const c1 = await engine.query(CATEGORY).create({ data: { name: 'News' } })

await articles.create({
  data: {
    title: 'Alpha 100%',
    slug: 'alpha',
    summary: 'The first_one',
    body: 'Some **Markdown**',
    contact: 'Alpha@Example.com',
    views: 10,
    shares: '9007199254740993',
    rating: 1.5,
    price: '10.25',
    featured: true,
    day: '2024-01-15',
    at: '08:30:00',
    releasedAt: '2024-01-15T08:30:00.000Z',
    stamp: '2024-01-15T08:30:00.000Z',
    kind: 'news',
    meta: { a: 1 },
    secret: 's1',
    author: ann.id,
    tags: [red.id, blue.id],
    category: c1.id,
    seo: { metaTitle: 'SEO Alpha', link: { label: 'deep' } },
    links: [{ label: 'L1' }]
  }
})
await articles.create({
  data: {
    title: 'beta',
    slug: 'beta',
    summary: 'back\\slash',
    contact: 'beta@example.com',
    views: 20,
    shares: '5',
    rating: 2.5,
    price: '20.00',
    featured: false,
    day: '2024-02-20',
    at: '12:00',
    releasedAt: '2024-02-20T12:00:00Z',
    kind: 'review',
    meta: [1, 2],
    author: bob.id,
    tags: [blue.id],
    seo: { metaTitle: 'SEO Beta' }
  }
})
await articles.create({ data: { title: 'Gamma_x', kind: 'opinion', summary: '50% off' } })
await articles.create({
  data: { title: 'delta', views: 40, rating: 4, featured: true, day: '2024-04-01', at: '23:59:59.999', kind: 'news', author: ann.id, topics: [red.id] }
})

async function titles (where: WhereParam, uid = ARTICLE, key = 'title'): Promise<string[]> {
  const rows = await engine.query(uid).findMany({ where, orderBy: 'id' })
  return rows.map(r => String(r[key]))
}

const ALL = ['Alpha 100%', 'beta', 'Gamma_x', 'delta']

t.test('operators on every attribute type', async (t) => {
  const cases: Array<[string, WhereParam, string[]]> = [
    // string
    ['string $eq (implicit)', { title: 'beta' }, ['beta']],
    ['string $eq', { title: { $eq: 'beta' } }, ['beta']],
    ['string $eqi', { title: { $eqi: 'BETA' } }, ['beta']],
    ['string $ne', { title: { $ne: 'beta' } }, ['Alpha 100%', 'Gamma_x', 'delta']],
    ['string $nei', { title: { $nei: 'DELTA' } }, ['Alpha 100%', 'beta', 'Gamma_x']],
    ['string $lt', { title: { $lt: 'beta' } }, ['Alpha 100%', 'Gamma_x']],
    ['string $gte', { title: { $gte: 'beta' } }, ['beta', 'delta']],
    ['string $in (implicit)', { title: ['beta', 'delta', 'nope'] }, ['beta', 'delta']],
    ['string $in single value', { title: { $in: 'beta' } }, ['beta']],
    ['string $notIn', { title: { $notIn: ['beta', 'delta'] } }, ['Alpha 100%', 'Gamma_x']],
    ['string $contains is case-sensitive', { title: { $contains: 'a' } }, ['Alpha 100%', 'beta', 'Gamma_x', 'delta']],
    ['string $contains', { title: { $contains: 'lph' } }, ['Alpha 100%']],
    ['string $notContains', { title: { $notContains: 'e' } }, ['Alpha 100%', 'Gamma_x']],
    ['string $containsi', { title: { $containsi: 'ALPHA' } }, ['Alpha 100%']],
    ['string $notContainsi', { title: { $notContainsi: 'A' } }, []],
    ['string $startsWith', { title: { $startsWith: 'Al' } }, ['Alpha 100%']],
    ['string $startsWith is case-sensitive', { title: { $startsWith: 'al' } }, []],
    ['string $startsWithi', { title: { $startsWithi: 'GAM' } }, ['Gamma_x']],
    ['string $endsWith', { title: { $endsWith: 'ta' } }, ['beta', 'delta']],
    ['string $endsWithi', { title: { $endsWithi: '_X' } }, ['Gamma_x']],
    ['string $between', { title: { $between: ['a', 'c'] } }, ['beta']],
    ['string $null', { slug: { $null: true } }, ['Gamma_x', 'delta']],
    ['string $notNull', { slug: { $notNull: true } }, ['Alpha 100%', 'beta']],
    ['$null false means not null', { slug: { $null: 'false' } }, ['Alpha 100%', 'beta']],
    ['$null with an unparsable value counts as true', { slug: { $null: 'yes' } }, ['Gamma_x', 'delta']],
    ['string null value', { slug: null }, ['Gamma_x', 'delta']],
    // LIKE metacharacters match literally
    ['% is literal', { title: { $contains: '%' } }, ['Alpha 100%']],
    ['_ is literal', { title: { $contains: '_' } }, ['Gamma_x']],
    ['_ is literal (case-insensitive)', { summary: { $containsi: 'FIRST_ONE' } }, ['Alpha 100%']],
    ['\\ is literal', { summary: { $contains: '\\' } }, ['beta']],
    ['% is literal in $endsWith', { title: { $endsWith: '0%' } }, ['Alpha 100%']],
    ['% is literal in $startsWithi', { summary: { $startsWithi: '50%' } }, ['Gamma_x']],
    ['$eqi is exact, not a pattern', { title: { $eqi: 'gamma_X' } }, ['Gamma_x']],
    ['$eqi does not treat _ as a wildcard', { title: { $eqi: 'gammaax' } }, []],
    // text, richtext, email, uid, enumeration
    ['text $containsi', { summary: { $containsi: 'SLASH' } }, ['beta']],
    ['richtext $contains', { body: { $contains: '**Markdown**' } }, ['Alpha 100%']],
    ['email $eqi', { contact: { $eqi: 'alpha@example.COM' } }, ['Alpha 100%']],
    ['uid $eq', { slug: 'alpha' }, ['Alpha 100%']],
    ['enumeration $eq', { kind: 'news' }, ['Alpha 100%', 'delta']],
    ['enumeration $in', { kind: { $in: ['review', 'opinion'] } }, ['beta', 'Gamma_x']],
    ['enumeration $ne', { kind: { $ne: 'news' } }, ['beta', 'Gamma_x']],
    // integer
    ['integer $eq from a string', { views: '10' }, ['Alpha 100%']],
    ['integer $ne excludes NULL', { views: { $ne: 10 } }, ['beta', 'delta']],
    ['integer $lt', { views: { $lt: 20 } }, ['Alpha 100%']],
    ['integer $lte', { views: { $lte: '20' } }, ['Alpha 100%', 'beta']],
    ['integer $gt', { views: { $gt: 20 } }, ['delta']],
    ['integer $gte', { views: { $gte: 20 } }, ['beta', 'delta']],
    ['integer $in', { views: { $in: [10, '40'] } }, ['Alpha 100%', 'delta']],
    ['integer $notIn excludes NULL', { views: { $notIn: [10] } }, ['beta', 'delta']],
    ['integer $between is inclusive', { views: { $between: [10, 20] } }, ['Alpha 100%', 'beta']],
    ['integer $null', { views: { $null: true } }, ['Gamma_x']],
    ['integer $notNull', { views: { $notNull: 1 } }, ['Alpha 100%', 'beta', 'delta']],
    ['empty $in matches nothing', { views: { $in: [] } }, []],
    ['empty $notIn matches everything', { views: { $notIn: [] } }, ALL],
    // biginteger: compared exactly beyond 2^53
    ['biginteger $eq exact', { shares: '9007199254740993' }, ['Alpha 100%']],
    ['biginteger $eq does not round', { shares: '9007199254740992' }, []],
    ['biginteger $gt', { shares: { $gt: 5 } }, ['Alpha 100%']],
    // float, decimal
    ['float $gt', { rating: { $gt: 2 } }, ['beta', 'delta']],
    ['float $between', { rating: { $between: ['1.5', 2.5] } }, ['Alpha 100%', 'beta']],
    ['decimal $eq', { price: '20.00' }, ['beta']],
    ['decimal $eq as a number', { price: 10.25 }, ['Alpha 100%']],
    ['decimal $lt', { price: { $lt: 15 } }, ['Alpha 100%']],
    // boolean
    ['boolean true', { featured: true }, ['Alpha 100%', 'delta']],
    ['boolean "t"', { featured: 't' }, ['Alpha 100%', 'delta']],
    ['boolean "1"', { featured: '1' }, ['Alpha 100%', 'delta']],
    ['boolean "false"', { featured: 'false' }, ['beta']],
    ['boolean 0', { featured: { $eq: 0 } }, ['beta']],
    ['boolean "F"', { featured: 'F' }, ['beta']],
    ['boolean $ne excludes NULL', { featured: { $ne: true } }, ['beta']],
    ['boolean $in', { featured: { $in: [true, false] } }, ['Alpha 100%', 'beta', 'delta']],
    ['boolean $null', { featured: { $null: true } }, ['Gamma_x']],
    // date, time, datetime, timestamp
    ['date $eq', { day: '2024-02-20' }, ['beta']],
    ['date $gt', { day: { $gt: '2024-02-01' } }, ['beta', 'delta']],
    ['date $between', { day: { $between: ['2024-01-01', '2024-02-20'] } }, ['Alpha 100%', 'beta']],
    ['date from a Date', { day: { $lt: new Date('2024-02-01T00:00:00Z') } }, ['Alpha 100%']],
    // One casting rule with writes (lib/query/values.ts): a datetime names its day, as in the Document Service.
    ['date from a datetime', { day: '2024-02-20T10:00:00Z' }, ['beta']],
    ['time $lt', { at: { $lt: '10:00' } }, ['Alpha 100%']],
    ['time $eq with milliseconds', { at: '23:59:59.999' }, ['delta']],
    ['time $gte', { at: { $gte: '12:00:00.000' } }, ['beta', 'delta']],
    ['datetime $gte', { releasedAt: { $gte: '2024-02-01T00:00:00Z' } }, ['beta']],
    ['datetime $eq with an offset', { releasedAt: '2024-01-15T10:30:00+02:00' }, ['Alpha 100%']],
    ['datetime $lt from a Date', { releasedAt: { $lt: new Date('2024-02-01') } }, ['Alpha 100%']],
    ['datetime from a date only', { releasedAt: { $gt: '2024-01-16' } }, ['beta']],
    ['datetime $between', { releasedAt: { $between: ['2024-01-01', '2024-12-31'] } }, ['Alpha 100%', 'beta']],
    ['timestamp $notNull', { stamp: { $notNull: true } }, ['Alpha 100%']],
    ['timestamp $eq', { stamp: '2024-01-15T08:30:00Z' }, ['Alpha 100%']],
    // json
    ['json $null', { meta: { $null: true } }, ['Gamma_x', 'delta']],
    ['json $notNull', { meta: { $notNull: true } }, ['Alpha 100%', 'beta']],
    ['json $eq compares the JSON value', { meta: { $eq: { a: 1 } } }, ['Alpha 100%']],
    ['json $eq on an array', { meta: { $eq: [1, 2] } }, ['beta']],
    ['json $ne', { meta: { $ne: { a: 1 } } }, ['beta']],
    // system fields
    ['id $in', { id: { $in: [2, 3] } }, ['beta', 'Gamma_x']],
    ['id given directly', { id: '4' }, ['delta']],
    ['createdAt $notNull', { createdAt: { $notNull: true } }, ALL],
    ['createdAt $lt the future', { createdAt: { $lt: new Date(Date.now() + 60_000) } }, ALL],
    ['documentId $null', { documentId: { $null: true } }, ALL],
    ['locale $null', { locale: null }, ALL]
  ]
  for (const [name, where, expected] of cases) {
    t.same(await titles(where), expected, name)
  }
})

t.test('logical groups and combinations', async (t) => {
  t.same(await titles({ views: { $gt: 5 }, featured: true }), ['Alpha 100%', 'delta'], 'several attributes are ANDed')
  t.same(await titles({ views: { $gt: 5, $lt: 30 } }), ['Alpha 100%', 'beta'], 'several operators on one attribute are ANDed')
  t.same(await titles({ $and: [{ views: { $gt: 5 } }, { kind: 'news' }] }), ['Alpha 100%', 'delta'], '$and')
  t.same(await titles({ $or: [{ title: 'beta' }, { views: { $gt: 30 } }] }), ['beta', 'delta'], '$or')
  t.same(await titles({ $or: [{ $and: [{ kind: 'news' }, { views: { $lt: 20 } }] }, { kind: 'opinion' }] }), ['Alpha 100%', 'Gamma_x'], 'nested groups')
  t.same(await titles({ $not: { kind: 'news' } }), ['beta', 'Gamma_x'], 'root $not')
  t.same(await titles({ views: { $not: { $gt: 15 } } }), ['Alpha 100%'], 'attribute $not (SQL NOT, as Strapi: a NULL value matches neither)')
  t.same(await titles({ views: { $not: 10 } }), ['beta', 'delta'], 'attribute $not with a value')
  t.same(await titles({ views: { $or: [{ $lt: 15 }, { $gt: 30 }] } }), ['Alpha 100%', 'delta'], 'attribute-level $or')
  t.same(await titles({ title: { $containsi: ['alp', 'DEL'] } }), ['Alpha 100%', 'delta'], 'an array given to a single-value operator is an OR')
  t.same(await titles([{ views: { $gt: 5 } }, { featured: true }]), ['Alpha 100%', 'delta'], 'a root array is ANDed')
  t.same(await titles({ $or: [] }), ALL, 'an empty group is dropped')
  t.same(await titles({ title: {} }), ALL, 'an empty operator object is dropped')
  t.same(await titles({ title: undefined }), ALL, 'an undefined value is ignored')
})

t.test('conditions through relations', async (t) => {
  t.same(await titles({ author: { name: 'Ann' } }), ['Alpha 100%', 'delta'], 'manyToOne by a target attribute')
  t.same(await titles({ author: { name: { $startsWith: 'B' } } }), ['beta'], 'operator on a target attribute')
  t.same(await titles({ author: ann.id }), ['Alpha 100%', 'delta'], 'a scalar given to a relation compares the related id')
  t.same(await titles({ author: String(bob.id) }), ['beta'], 'an id as a string')
  t.same(await titles({ author: [bob.id] }), ['beta'], 'a list of ids')
  t.same(await titles({ author: { $in: [bob.id, 999] } }), ['beta'], 'operators on the related id')
  t.same(await titles({ author: { id: { $ne: ann.id } } }), ['beta'], 'the related id by name')
  t.same(await titles({ author: null }), ['Gamma_x'], 'null: no related row')
  t.same(await titles({ author: { $null: true } }), ['Gamma_x'], '$null on a to-one relation')
  t.same(await titles({ tags: { name: 'blue' } }), ['Alpha 100%', 'beta'], 'manyToMany: no duplicated rows')
  t.same(await titles({ tags: { name: 'red' } }), ['Alpha 100%'], 'manyToMany by a target attribute')
  t.same(await titles({ topics: { name: 'red' } }), ['delta'], 'one-way manyToMany')
  t.same(await titles({ tags: { $null: true } }), ['Gamma_x', 'delta'], '$null on a to-many relation: no linked rows')
  t.same(await titles({ tags: { $notNull: true } }), ['Alpha 100%', 'beta'], '$notNull on a to-many relation')
  t.same(await titles({ category: { name: 'News' } }), ['Alpha 100%'], 'one-way oneToOne')
  t.same(await titles({ tags: { name: 'blue', $not: { name: 'blue' } } }), [], 'conditions inside a relation apply to one related row')
  t.same(await titles({ tags: { name: 'blue', $not: { name: 'red' } } }), ['Alpha 100%', 'beta'], 'some linked row is blue and not red')
  t.same(await titles({ $not: { tags: { name: 'red' } } }), ['Alpha 100%', 'beta'], '$not around a relation: some related row is not red (Strapi negates each joined row)')
  t.same(await titles({ tags: { $or: [{ name: 'red' }, { name: 'nope' }] } }), ['Alpha 100%'], '$or inside a relation')
  t.same(await titles({ $or: [{ author: { name: 'Bob' } }, { views: { $gt: 30 } }] }), ['beta', 'delta'], 'relations inside $or')
  t.same(await titles({ author: { articles: { tags: { name: 'red' } } } }), ['Alpha 100%', 'delta'], 'three levels deep, through an inverse side')
  t.same(await titles({ articles: { title: 'beta' } }, AUTHOR, 'name'), ['Bob'], 'oneToMany inverse side')
  t.same(await titles({ articles: { $null: true } }, AUTHOR, 'name'), [], 'inverse to-many $null')
  t.same(await titles({ articles: { author: { name: 'Bob' } } }, TAG, 'name'), ['blue'], 'manyToMany inverse side, two levels')
})

t.test('conditions through components', async (t) => {
  t.same(await titles({ seo: { metaTitle: { $containsi: 'beta' } } }), ['beta'], 'single component')
  t.same(await titles({ seo: { link: { label: 'deep' } } }), ['Alpha 100%'], 'nested component')
  t.same(await titles({ links: { label: 'L1' } }), ['Alpha 100%'], 'repeatable component')
  t.same(await titles({ seo: null }), ['Gamma_x', 'delta'], 'null component')
  t.same(await titles({ seo: { $notNull: true } }), ['Alpha 100%', 'beta'], '$notNull component')
  t.same(await titles({ $or: [{ seo: { metaTitle: 'SEO Alpha' } }, { links: { label: 'nope' } }] }), ['Alpha 100%'], 'components in $or')
})

t.test('_q searches text attributes, and numbers when numeric', async (t) => {
  t.same((await articles.findMany({ _q: 'ALPHA', orderBy: 'id' })).map(r => r.title), ['Alpha 100%'])
  t.same((await articles.findMany({ _q: '100%', orderBy: 'id' })).map(r => r.title), ['Alpha 100%'], 'LIKE characters literal')
  t.same((await articles.findMany({ _q: '20', orderBy: 'id' })).map(r => r.title), ['beta'], 'numeric: equality on numbers')
  t.same((await articles.findMany({ _q: 's1' })).map(r => r.title), [], 'private attributes are not searched')
  t.same((await articles.findMany({ _q: '' })).length, 4, 'empty _q is ignored')
  t.equal(await articles.count({ _q: 'a', where: { kind: 'news' } }), 2, 'with where')
})

t.test('count', async (t) => {
  t.equal(await articles.count(), 4)
  t.equal(await articles.count({ where: { tags: { name: 'blue' } } }), 2)
})

// An unknown key is located at its parent (null at the root), as Strapi locates it.
t.test('bad input answers a ValidationError naming the key or path', async (t) => {
  const cases: Array<[string, WhereParam | unknown, string | RegExp, Record<string, unknown>?]> = [
    ['unknown attribute', { bogus: 1 }, 'Invalid key bogus', { key: 'bogus', path: null, param: 'where' }],
    ['wrong case', { Title: 'x' }, 'Invalid key Title'],
    ['unknown operator', { title: { $foo: 1 } }, 'Invalid key $foo at title', { key: '$foo', path: 'title' }],
    ['operator in the wrong case', { title: { $STARTSWITH: 'a' } }, 'Invalid key $STARTSWITH at title'],
    ['unknown key inside a relation', { author: { bogus: 1 } }, 'Invalid key bogus at author', { path: 'author' }],
    ['unknown key in $or', { $or: [{ bogus: 1 }] }, 'Invalid key bogus'],
    ['dynamic zones cannot be filtered', { blocks: { id: 1 } }, 'Invalid key blocks'],
    ['not an integer', { views: 'abc' }, 'Invalid value "abc" for views: expected an integer', { path: 'views', value: 'abc' }],
    ['not an integer in a list', { views: { $in: [1, 'x'] } }, 'Invalid value "x" for views: expected an integer'],
    ['integer out of range', { views: 2 ** 31 }, /for views: expected an integer/],
    ['fractional integer', { views: 1.5 }, /for views: expected an integer/],
    ['not a biginteger', { shares: '1e3' }, /for shares: expected an integer/],
    ['not a number', { rating: 'high' }, 'Invalid value "high" for rating: expected a number'],
    ['not a boolean', { featured: 'yes' }, 'Invalid value "yes" for featured: expected a boolean'],
    ['bad date', { day: '2024-13-01' }, /for day: expected a date/],
    ['impossible date', { day: '2024-02-30' }, /for day: expected a date/],
    ['bad time', { at: '25:00' }, /for at: expected a time/],
    ['bad datetime', { releasedAt: 'yesterday' }, /for releasedAt: expected a datetime/],
    ['an object where a value is needed', { views: { $eq: { a: 1 } } }, /for views: expected an integer/],
    ['an object as a direct value', { title: { nested: 'x' } }, 'Invalid key nested at title'],
    ['a related id that is not an integer', { tags: 'x' }, 'Invalid value "x" for tags: expected an integer'],
    ['a related id in a nested where', { author: { articles: { views: 'many' } } }, /for author\.articles\.views: expected an integer/],
    ['$and needs a list', { $and: { title: 'x' } }, 'Invalid value {"title":"x"} for $and: expected an array'],
    ['$or needs a list', { $or: 'x' }, /for \$or: expected an array/],
    ['$between needs two values', { views: { $between: [1] } }, /for views: expected an array of two values/],
    ['$between with null', { views: { $between: [1, null] } }, /expected an array of two values/],
    ['$lt with null', { views: { $lt: null } }, /for views: expected an integer/],
    ['text operator on a number', { views: { $contains: '1' } }, 'Operator $contains is not applicable to views (integer)'],
    ['order operator on a boolean', { featured: { $gt: true } }, 'Operator $gt is not applicable to featured (boolean)'],
    ['order operator on json', { meta: { $lt: 1 } }, 'Operator $lt is not applicable to meta (json)'],
    ['where must be an object', 'title', 'The where parameter must be an object or an array'],
    ['in a component', { seo: { metaTitle: { $bogus: 1 } } }, 'Invalid key $bogus at seo.metaTitle']
  ]
  for (const [name, where, message, details] of cases) {
    const error = await articles.findMany({ where: where as WhereParam }).then(() => undefined, (err: unknown) => err)
    t.ok(error instanceof ValidationError, `${name}: ValidationError`)
    if (!(error instanceof ValidationError)) continue
    if (typeof message === 'string') t.equal(error.message, message, `${name}: message`)
    else t.match(error.message, message, `${name}: message`)
    if (details !== undefined) t.match(error.details, details, `${name}: details`)
  }
  await t.rejects(articles.count({ where: { views: 'abc' } }), ValidationError, 'count too')
  await t.rejects(articles.deleteMany({ where: { views: 'abc' } }), ValidationError, 'deleteMany too')
  t.equal(await articles.count(), 4, 'nothing was deleted')
})
