/**
 * Statements cached per query shape (lib/query/statements.ts) and prepared by the driver (lib/db/transaction.ts):
 * a cached statement is exactly what compiling the plan afresh gives, whatever the values; shapes that render
 * differently never share an entry; and on PostgreSQL the texts are prepared, within the limit.
 */
import { sql } from 'drizzle-orm'
import { PgDialect } from 'drizzle-orm/pg-core'
import t from 'tap'
import { loadSchema } from '../../lib/project/index.js'
import { buildPhysicalModel, createDatabase, createTransactions, syncSchema } from '../../lib/db/index.js'
import { silentLogger } from '../../lib/logger.js'
import { createQueryEngine, compileCount, compileFind, createCatalog, parseFind, parseWhere, type FindParams } from '../../lib/query/index.js'
import { createStatementCache } from '../../lib/query/statements.js'
import { createPostgresDatabase } from '../helpers/db.js'
import { ARTICLE, components, contentTypes } from './fixtures.js'
import { setup } from './helpers.js'

const schema = await loadSchema({ contentTypes, components })
const physical = buildPhysicalModel(schema)
const catalog = createCatalog(schema, physical)
const dialect = new PgDialect()

/** Pairs of params with one shape and different values. */
const SAME_SHAPE: Array<[string, FindParams, FindParams]> = [
  ['by id', { where: { id: 1 }, limit: 1 }, { where: { id: 7 }, limit: 1 }],
  ['a page further', { where: { views: { $gt: 10 } }, orderBy: { views: 'desc' }, limit: 10, offset: 10 }, { where: { views: { $gt: 99 } }, orderBy: { views: 'desc' }, limit: 10, offset: 990 }],
  ['LIKE patterns', { where: { title: { $containsi: '50%' }, summary: { $endsWith: 'a_b' } } }, { where: { title: { $containsi: 'x' }, summary: { $endsWith: 'y' } } }],
  ['lists of one length', { where: { views: { $in: [1, 2] }, $or: [{ title: 'a' }, { slug: { $between: ['a', 'b'] } }] } }, { where: { views: { $in: [3, 4] }, $or: [{ title: 'b' }, { slug: { $between: ['c', 'd'] } }] } }],
  ['through relations, populated with conditions', {
    where: { tags: { name: 'red' }, author: { name: { $ne: 'x' } } },
    populate: { tags: { where: { name: { $startsWith: 'r' } }, orderBy: { name: 'asc' }, limit: 2, offset: 1 }, seo: { populate: '*' }, blocks: true }
  }, {
    where: { tags: { name: 'blue' }, author: { name: { $ne: 'y' } } },
    populate: { tags: { where: { name: { $startsWith: 'b' } }, orderBy: { name: 'asc' }, limit: 2, offset: 5 }, seo: { populate: '*' }, blocks: true }
  }]
]

t.test('a cached statement is the plan compiled afresh, on a miss and on a hit', async (t) => {
  for (const total of [false, true]) {
    const cache = createStatementCache()
    for (const [name, first, second] of SAME_SHAPE) {
      for (const params of [first, second]) {
        const plan = parseFind(catalog, ARTICLE, params)
        const fresh = dialect.sqlToQuery(compileFind(plan, { total }))
        t.same(cache.find(plan, { total }), { sql: fresh.sql, params: fresh.params, prepare: true }, `${name}${total ? ', with total' : ''}`)
      }
      const [a, b] = [first, second].map(p => cache.find(parseFind(catalog, ARTICLE, p), { total }))
      t.equal(a?.sql, b?.sql, `${name}: one text for both`)
      t.not(JSON.stringify(a?.params), JSON.stringify(b?.params), `${name}: each with its own values`)
    }
  }
  const cache = createStatementCache()
  for (const where of [{ title: 'a', seo: { metaTitle: 'b' } }, { title: 'c', seo: { metaTitle: 'd' } }]) {
    const parsed = parseWhere(catalog, ARTICLE, where)
    const fresh = dialect.sqlToQuery(compileCount(catalog.get(ARTICLE), parsed))
    t.same(cache.count(catalog.get(ARTICLE), parsed), { sql: fresh.sql, params: fresh.params, prepare: true }, 'counts too')
  }
})

t.test('a kept plan keeps its statement, per option; a plan made per call is compiled as its shape says', async (t) => {
  const cache = createStatementCache()
  const [first, second] = SAME_SHAPE[1]!.slice(1) as FindParams[]
  const plan = parseFind(catalog, ARTICLE, first!)
  const kept = cache.find(plan, { total: true, kept: true })
  t.equal(cache.find(plan, { total: true, kept: true }), kept, 'the same statement again')
  t.not(cache.find(plan, { kept: true }), kept, 'without the total: its own')
  t.same(cache.find(plan, { kept: true }).sql, cache.find(plan).sql)
  const fresh = dialect.sqlToQuery(compileFind(plan, { total: true }))
  t.same(kept, { sql: fresh.sql, params: fresh.params, prepare: true }, 'the plan compiled afresh')
  const other = parseFind(catalog, ARTICLE, second!)
  t.not(cache.find(other, { total: true }), cache.find(other, { total: true }), 'not kept: a statement per call')
  t.same(cache.find(other, { total: true, kept: true }).params, dialect.sqlToQuery(compileFind(other, { total: true })).params, 'each plan its values')
})

t.test('params that render differently never share a statement', async (t) => {
  const cache = createStatementCache()
  const variants: FindParams[] = [
    { where: { views: { $in: [1, 2] } } },
    { where: { views: { $in: [1, 2, 3] } } },
    { where: { views: { $notIn: [1, 2] } } },
    { where: { views: { $null: true } } },
    { where: { views: { $notNull: true } } },
    { where: { views: 1 }, limit: 10 },
    { where: { views: 1 }, limit: 11 },
    { where: { views: 1 }, limit: 10, offset: 10 },
    { where: { title: 1 } },
    { where: { $not: { title: 1 } } },
    { where: { $or: [{ title: 1 }, { views: 1 }] } },
    { where: { $and: [{ title: 1 }, { views: 1 }] } },
    { where: { tags: { name: 'a' } } },
    { where: { topics: { name: 'a' } } },
    { orderBy: { views: 'asc' } },
    { orderBy: { views: 'desc' } },
    { orderBy: { author: { name: 'asc' } } },
    { select: ['title'] },
    { select: ['title', 'views'] },
    { populate: { tags: true } },
    { populate: { tags: { count: true } } },
    { populate: { tags: { limit: 1 } } },
    { populate: { blocks: { on: { 'shared.quote': true } } } },
    { populate: { blocks: { on: { 'shared.link': true } } } }
  ]
  const texts = variants.map(params => cache.find(parseFind(catalog, ARTICLE, params)).sql)
  t.equal(new Set(texts).size, variants.length, 'one text per variant')
  t.not(cache.find(parseFind(catalog, ARTICLE, {}), { total: true }).sql, cache.find(parseFind(catalog, ARTICLE, {})).sql, 'with and without total')
})

t.test('a select shape is parsed once per content, trust level and values; the shared plan is a fresh parse', async (t) => {
  const params: FindParams = { select: ['title'], populate: { tags: { where: { name: 'a' } }, seo: { populate: '*' } } }
  const plan = parseFind(catalog, ARTICLE, params)
  t.equal(parseFind(catalog, ARTICLE, structuredClone(params)).select, plan.select, 'equal content: one plan')
  // Custom parameter names are never cached (they only change messages): a fresh parse to compare with.
  const fresh = parseFind(catalog, ARTICLE, params, { paramNames: { where: 'filters' } })
  t.not(fresh.select, plan.select)
  t.same(dialect.sqlToQuery(compileFind(plan)), dialect.sqlToQuery(compileFind(fresh)), 'the shared plan compiles as a fresh parse does')
  const other = parseFind(catalog, ARTICLE, { ...params, populate: { tags: { where: { name: 'b' } }, seo: { populate: '*' } } })
  t.not(other.select, plan.select, 'other values: another plan')
  t.same(createStatementCache().find(other).params.slice(0, 1), ['b'], 'with its own values')

  t.ok(parseFind(catalog, ARTICLE, { select: ['secret'] }), 'trusted: private attributes are known')
  t.throws(() => parseFind(catalog, ARTICLE, { select: ['secret'] }, { allowPrivate: false }), { message: 'Invalid key secret' }, 'untrusted: unknown, after a trusted parse')
  t.throws(() => parseFind(catalog, ARTICLE, { select: ['secret'] }, { allowPrivate: false }), { message: 'Invalid key secret' }, 'and again')

  const byDate = (): FindParams => ({ populate: { tags: { where: { createdAt: { $lt: new Date(0) } } } } })
  t.not(parseFind(catalog, ARTICLE, byDate()).select, parseFind(catalog, ARTICLE, byDate()).select, 'values JSON would rewrite (a Date) are parsed every time')
})

t.test('the cache keeps the most recently used shapes', async (t) => {
  const cache = createStatementCache(2)
  const shapes: FindParams[] = [{ where: { id: 1 } }, { where: { title: 'a' } }, { where: { views: 1 } }]
  for (const round of [1, 2]) {
    for (const params of shapes) {
      const plan = parseFind(catalog, ARTICLE, params)
      const fresh = dialect.sqlToQuery(compileFind(plan))
      t.same(cache.find(plan), { sql: fresh.sql, params: fresh.params, prepare: true }, `round ${round}: right after an eviction`)
    }
  }
})

t.test('the Query Engine answers each call of a shape with its own values', async (t) => {
  const { engine } = await setup(t)
  const articles = engine.query(ARTICLE)
  for (const [title, views] of [['a', 1], ['b', 2], ['c', 3]] as const) await articles.create({ data: { title, views } })
  for (const views of [1, 2, 3]) {
    t.same((await articles.findMany({ where: { views }, select: ['title'] })).map(e => e.title), [['a', 'b', 'c'][views - 1]], `views = ${views}`)
  }
  await engine.transaction(async () => {
    await articles.create({ data: { title: 'd', views: 4 } })
    const [row] = await engine.execute(sql`SELECT count(*)::int AS "n" FROM "articles"`)
    t.same(row, { n: 4 }, 'execute runs raw SQL inside the open transaction')
    throw new Error('roll back')
  }).catch(() => {})
  t.same(await engine.execute(sql`SELECT count(*)::int AS "n" FROM "articles"`), [{ n: 3 }], 'and outside one')
  for (const page of [1, 2, 3, 4]) {
    const { results, pagination } = await articles.findPage({ orderBy: { views: 'asc' }, select: ['views'], page, pageSize: 1 })
    t.same({ views: results.map(e => e.views), total: pagination.total }, { views: page <= 3 ? [page] : [], total: 3 }, `page ${page}: its row, and the total even past the end`)
  }
})

t.test('on PostgreSQL, cached texts are prepared, at most the limit', async (t) => {
  const { url } = await createPostgresDatabase(t)
  // One connection, so the prepared statements it holds can be listed.
  const database = await createDatabase({ url, max: 1 }, silentLogger)
  t.teardown(() => database.close())
  await syncSchema(database, physical, { log: silentLogger })
  const engine = createQueryEngine({ database, schema, physical, log: silentLogger })
  const prepared = async (): Promise<string[]> => (await database.execute<{ statement: string }>(sql`SELECT statement FROM pg_prepared_statements`)).map(r => r.statement)

  for (const id of [1, 2, 3]) await engine.query(ARTICLE).findMany({ where: { id } })
  const texts = await prepared()
  t.equal(texts.filter(s => s.includes('"articles"')).length, 1, 'three calls of one shape: one prepared statement')

  const limited = createTransactions(database.drizzle, silentLogger, { preparedLimit: 1 })
  await limited.execute({ sql: 'SELECT $1::int AS "a"', params: [1], prepare: true })
  await limited.execute({ sql: 'SELECT $1::int AS "b"', params: [2], prepare: true })
  const after = await prepared()
  t.ok(after.some(s => s.includes('AS "a"')), 'the first text is prepared')
  t.notOk(after.some(s => s.includes('AS "b"')), 'the one beyond the limit is not')
  t.same(await limited.execute({ sql: 'SELECT $1::int AS "b"', params: [3], prepare: true }), [{ b: 3 }], 'and still runs')
})

t.test('database.prepare: false turns prepared statements off (poolers in transaction mode)', async (t) => {
  const { url } = await createPostgresDatabase(t)
  const database = await createDatabase({ url, max: 1, prepare: false }, silentLogger)
  t.teardown(() => database.close())
  await syncSchema(database, physical, { log: silentLogger })
  const engine = createQueryEngine({ database, schema, physical, log: silentLogger })
  for (const id of [1, 2]) t.same(await engine.query(ARTICLE).findMany({ where: { id } }), [], `call ${id} runs`)
  const prepared = await database.execute(sql`SELECT statement FROM pg_prepared_statements`)
  t.same(prepared, [], 'nothing prepared on the connection')
})
