/**
 * Filters on NULL, as Strapi's SQL answers them (contract §8.1; Strapi filters through LEFT JOINs and negates
 * with SQL's NOT): `$null` through a relation matches entries with nothing linked, at any depth and on to-one
 * and to-many relations alike; `$not` never turns an unknown comparison (a NULL value) into a match, also
 * around `$and`/`$or`. Statement counts: test/query/null-filters.test.ts.
 */
import t from 'tap'
import { blogApp, ids, sender } from './helpers.js'
import { seedBlog } from './seed.js'

const app = await blogApp(t)
const send = sender(app)
const { alpha, beta, gamma, life } = await seedBlog(app)
// No views, a category without a parent, no tags: the NULL cases next to the seeded ones.
const epsilon = (await app.vellum.documents('api::article.article').create({
  data: { title: 'Epsilon', kind: 'news', views: null, category: life.documentId },
  status: 'published'
})).documentId

/** Published articles matching `filters`, by title: alpha, beta, epsilon, gamma. */
async function found (filters: string): Promise<string[]> {
  const res = await send('GET', `/api/articles?${filters}&sort=title`)
  if (res.status !== 200) throw new Error(`${filters}: ${res.status} ${res.text}`)
  return ids(res)
}

t.test('$null and $notNull on a related id: nothing linked, to-one and to-many', async (t) => {
  t.same(await found('filters[category][id][$null]=true'), [gamma], 'to-one: no category')
  t.same(await found('filters[category][id][$notNull]=true'), [alpha, beta, epsilon])
  t.same(await found('filters[category][id][$null]=false'), [alpha, beta, epsilon], '$null=false is $notNull')
  t.same(await found('filters[tags][id][$null]=true'), [epsilon, gamma], 'to-many: no tag')
  t.same(await found('filters[tags][id][$notNull]=true'), [alpha, beta])
  t.same(await found('filters[category][name][$null]=true'), [gamma], 'any attribute of the missing row is NULL')
  t.same(await found('filters[category][$or][0][id][$null]=true&filters[category][$or][1][name]=Tech'), [beta, gamma], 'inside $or through the relation')
})

t.test('$null on deep paths', async (t) => {
  t.same(await found('filters[category][articles][id][$null]=true'), [gamma], 'a linked category always lists its articles')
  t.same(await found('filters[category][parent][id][$null]=true'), [alpha, epsilon, gamma], 'no category, or a category without a parent')
  t.same(await found('filters[category][parent][id][$notNull]=true'), [beta])
  t.same(await found('filters[$not][category][parent][id][$null]=true'), [beta])
})

t.test('$not leaves NULL values out, as SQL NOT does', async (t) => {
  t.same(await found('filters[views][$not][$gt]=15'), [alpha], 'not views > 15: a NULL views is unknown, not a match')
  t.same(await found('filters[views][$not]=10'), [beta, gamma])
  t.same(await found('filters[views][$not][$or][0][$lt]=15&filters[views][$not][$or][1][$gt]=25'), [beta], '$not over an attribute $or')
  t.same(await found('filters[$not][$and][0][views][$gt]=5&filters[$not][$and][1][views][$lt]=25'), [gamma], '$not over a root $and')
  t.same(await found('filters[$not][$or][0][views][$lt]=15&filters[$not][$or][1][title]=Epsilon'), [beta, gamma], '$not over $or: a true branch decides despite NULL')
  t.same(await found('filters[$not][$not][views][$gt]=15'), [beta, gamma], 'double negation')
  t.same(await found('filters[category][$not][name]=News'), [beta, epsilon], '$not inside a relation: an entry without one is not a match')
  t.same(await found('filters[$not][category][id][$null]=true'), [alpha, beta, epsilon], '$not around a relation $null')
  t.same(await found('filters[$not][tags][name]=red'), [alpha, beta], '$not around a to-many relation: some linked row is not red (Strapi negates each joined row)')
})
