/**
 * The parsers without a database: the whitelist for untrusted callers (`allowPrivate: false`) and the
 * compiled SQL (identifiers quoted from the model, every value a parameter, LIKE values escaped).
 */
import { PgDialect } from 'drizzle-orm/pg-core'
import t from 'tap'
import { loadSchema } from '../../lib/project/index.js'
import { buildPhysicalModel } from '../../lib/db/physical.js'
import { ValidationError } from '../../lib/errors.js'
import {
  compileCount, compileFind, createCatalog, parseFind, parseOrderBy, parsePopulate, parseSelect, parseWhere, type ParseOptions
} from '../../lib/query/index.js'
import { ARTICLE, AUTHOR, components, contentTypes } from './fixtures.js'

const schema = await loadSchema({ contentTypes, components })
const catalog = createCatalog(schema, buildPhysicalModel(schema))
const dialect = new PgDialect()
const untrusted: ParseOptions = { allowPrivate: false }

t.test('allowPrivate: false hides private and password attributes at any depth', async (t) => {
  const rejected: Array<[string, () => unknown, string]> = [
    ['where', () => parseWhere(catalog, ARTICLE, { secret: 'x' }, untrusted), 'Invalid key secret'],
    ['password in where', () => parseWhere(catalog, ARTICLE, { pass: { $null: true } }, untrusted), 'Invalid key pass'],
    ['inside $or', () => parseWhere(catalog, ARTICLE, { $or: [{ title: 'a' }, { secret: 'x' }] }, untrusted), 'Invalid key secret'],
    ['through a relation', () => parseWhere(catalog, ARTICLE, { category: { note: 'x' } }, untrusted), 'Invalid key note at category.note'],
    ['a private relation', () => parseWhere(catalog, AUTHOR, { hidden: { name: 'x' } }, untrusted), 'Invalid key hidden'],
    ['two levels deep', () => parseWhere(catalog, ARTICLE, { author: { hidden: 1 } }, untrusted), 'Invalid key hidden at author.hidden'],
    ['orderBy', () => parseOrderBy(catalog, ARTICLE, 'secret', untrusted), 'Invalid key secret'],
    ['orderBy through a relation', () => parseOrderBy(catalog, ARTICLE, { category: { note: 'asc' } }, untrusted), 'Invalid key note at category.note'],
    ['select', () => parseSelect(catalog, ARTICLE, ['title', 'pass'], untrusted), 'Invalid key pass'],
    ['populate', () => parsePopulate(catalog, AUTHOR, ['hidden'], untrusted), 'Invalid key hidden'],
    ['populate select', () => parsePopulate(catalog, ARTICLE, { category: { select: ['note'] } }, untrusted), 'Invalid key note'],
    ['populate where', () => parsePopulate(catalog, ARTICLE, { category: { where: { note: 'x' } } }, untrusted), 'Invalid key note'],
    ['nested populate', () => parsePopulate(catalog, ARTICLE, { author: { populate: { hidden: true } } }, untrusted), 'Invalid key hidden at author.hidden']
  ]
  for (const [name, parse, message] of rejected) {
    t.throws(parse, { name: 'ValidationError', message }, name)
  }
  const error = (() => { try { parseWhere(catalog, ARTICLE, { secret: 'x' }, untrusted) } catch (err) { return err } })()
  t.match(error, { details: { key: 'secret', path: 'secret', param: 'where' } }, 'details name the key, path and parameter')
  t.throws(() => parseOrderBy(catalog, ARTICLE, 'secret', untrusted), ValidationError)
  const rest: ParseOptions = { ...untrusted, paramNames: { where: 'filters', orderBy: 'sort', select: 'fields' } }
  const named = (parse: () => unknown): unknown => { try { parse() } catch (err) { return err } }
  t.match(named(() => parseWhere(catalog, ARTICLE, 'x', rest)), { message: 'The filters parameter must be an object or an array', details: { param: 'filters' } }, 'paramNames: REST names in errors')
  t.match(named(() => parseOrderBy(catalog, ARTICLE, 'views:up', rest)), { details: { param: 'sort' } })
  t.match(named(() => parseSelect(catalog, ARTICLE, ['pass'], rest)), { details: { param: 'fields', key: 'pass' } })

  const fields = parseSelect(catalog, ARTICLE, '*', untrusted).map(f => f.name)
  t.notOk(fields.includes('secret') || fields.includes('pass'), "'*' leaves private fields out")
  t.notOk(parseSelect(catalog, ARTICLE, undefined, untrusted).some(f => f.private), 'so does the default selection')
  t.notOk(parsePopulate(catalog, AUTHOR, '*', untrusted).some(n => n.name === 'hidden'), "populate '*' skips private relations")
  const category = parsePopulate(catalog, ARTICLE, ['category'], untrusted)[0]
  t.notOk(category?.kind === 'relation' && category.plan.fields.some(f => f.name === 'note'), 'populated rows leave private fields out')
  t.ok(parseSelect(catalog, ARTICLE, '*').some(f => f.name === 'secret'), 'trusted callers (the default) see everything')
  t.ok(parseWhere(catalog, ARTICLE, { author: { hidden: 1 }, secret: 'x' }) !== undefined)
})

t.test('compiled SQL: identifiers from the model, values as parameters', async (t) => {
  const hostile = "x'; DROP TABLE articles; --"
  const plan = parseFind(catalog, ARTICLE, {
    where: { title: { $containsi: hostile }, summary: { $startsWith: '100%_\\' }, tags: { name: 'red' }, views: { $in: [1, '2'] } },
    orderBy: { author: { name: 'desc' } },
    limit: 10,
    offset: 20
  })
  const { sql: text, params } = dialect.sqlToQuery(compileFind(plan, { total: true }))
  t.notOk(text.includes('DROP TABLE'), 'client strings never reach the SQL text')
  t.ok(params.includes(`%${hostile}%`), 'they are parameters')
  t.ok(params.includes('100\\%\\_\\\\%'), 'LIKE metacharacters escaped in the parameter')
  t.match(text, /EXISTS \(SELECT 1 FROM "articles_tags_lnk" AS "t\d+" JOIN "tags" AS "t\d+"/, 'relation filters are EXISTS subqueries')
  t.match(text, /"t0"\."views" IN \(\$\d+::integer, \$\d+::integer\)/, 'values cast to the attribute type')
  t.match(text, /LIMIT 10 OFFSET \$\d+::bigint/, 'the validated limit is inlined, the offset a parameter')
  t.ok(params.includes(20), 'the offset value')
  t.match(text, /^SELECT "t\d+"\."total" AS "total", "t\d+"\."row" AS "row", "t\d+"\."n" AS "n" FROM \(SELECT count\(\*\) AS "total" FROM "articles"/, 'the total is a count in the same statement')
  t.same(params.filter(p => p === 1 || p === 2), [1, 2, 1, 2], 'integers cast before binding (the condition appears in the page and in the count)')
  const count = dialect.sqlToQuery(compileCount(catalog.get(ARTICLE), parseWhere(catalog, ARTICLE, { seo: { metaTitle: 'x' } })))
  t.match(count.sql, /^SELECT count\(\*\) AS "total" FROM "articles" AS "t0" WHERE EXISTS \(SELECT 1 FROM "articles_cmps"/)
  t.match(count.sql, /"field" = 'seo' AND "t\d+"\."component_type" = 'shared\.seo'/, 'model names are inlined (validated) constants')
  t.same(count.params, ['x'], 'client values stay parameters')
  const plain = dialect.sqlToQuery(compileFind(parseFind(catalog, ARTICLE, { populate: { seo: { populate: '*' } }, limit: 5 })))
  t.same(plain.params, [], 'a find without client values has no parameters: its prepared plan is reused')
})
