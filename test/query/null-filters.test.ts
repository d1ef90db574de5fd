/**
 * The Query Engine's NULL semantics, as Strapi's LEFT JOINs and SQL's NOT give them: `$null` through a
 * relation or a component matches rows with nothing linked; `$not` over a comparison on NULL is no match.
 * Each read is still one statement.
 */
import t from 'tap'
import type { WhereParam } from '../../lib/query/index.js'
import { ARTICLE, AUTHOR, CATEGORY, TAG } from './fixtures.js'
import { setup } from './helpers.js'

const { engine, countQueries } = await setup(t)
const articles = engine.query(ARTICLE)

const ann = await engine.query(AUTHOR).create({ data: { name: 'Ann' } })
const red = await engine.query(TAG).create({ data: { name: 'red' } })
const news = await engine.query(CATEGORY).create({ data: { name: 'News' } })
await articles.create({ data: { title: 'a', views: 10, author: ann.id, tags: [red.id], category: news.id, seo: { metaTitle: 'A' } } })
await articles.create({ data: { title: 'b', views: 20, author: ann.id } })
await articles.create({ data: { title: 'c' } })

async function titles (where: WhereParam): Promise<string[]> {
  const rows = await articles.findMany({ where, orderBy: 'id' })
  return rows.map(r => String(r.title))
}

t.test('$null through a relation or a component: nothing linked', async (t) => {
  t.same(await titles({ category: { id: { $null: true } } }), ['b', 'c'], 'to-one')
  t.same(await titles({ tags: { id: { $null: true } } }), ['b', 'c'], 'to-many')
  t.same(await titles({ tags: { id: { $notNull: true } } }), ['a'])
  t.same(await titles({ author: { articles: { id: { $null: true } } } }), ['c'], 'two levels: no author')
  t.same(await titles({ seo: { metaTitle: { $null: true } } }), ['b', 'c'], 'a component not set')
  t.same(await titles({ author: { name: { $notNull: true } } }), ['a', 'b'])
})

t.test('$not over NULL values', async (t) => {
  t.same(await titles({ views: { $not: { $gt: 15 } } }), ['a'])
  t.same(await titles({ $not: { $or: [{ views: { $gt: 15 } }, { title: 'a' }] } }), [])
  t.same(await titles({ $not: { $and: [{ views: { $gt: 15 } }, { title: 'a' }] } }), ['a', 'b', 'c'], 'unknown AND false is false, so its negation matches')
  t.same(await titles({ $not: { author: { id: { $null: true } } } }), ['a', 'b'])
})

t.test('a read through null-accepting relation conditions is one statement', async (t) => {
  const { result, queries } = await countQueries(async () => await titles({ author: { articles: { id: { $null: true } } }, views: { $not: { $gt: 15 } } }))
  t.same(result, [])
  t.equal(queries.length, 1)
})
