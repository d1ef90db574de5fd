/**
 * Read plans (lib/query/plan.ts): a read checked once runs in the Query Engine without a second parse, and
 * is parsed anew only when a lifecycle hook may have edited its params.
 */
import t from 'tap'
import { ValidationError } from '../../lib/errors.js'
import { isReadPlan, planRead } from '../../lib/query/index.js'
import { ARTICLE, TAG } from './fixtures.js'
import { setup } from './helpers.js'

const { engine, reset } = await setup(t)
const articles = engine.query(ARTICLE)

t.beforeEach(async () => {
  await reset()
  await articles.createMany({ data: [{ title: 'a', secret: 's1' }, { title: 'b', secret: 's2' }, { title: 'c' }] })
})

t.test('a plan runs as its params would', async (t) => {
  const params = { where: { title: { $ne: 'c' } }, select: ['title', 'secret'], orderBy: { title: 'desc' as const } }
  const plan = planRead(engine.catalog, ARTICLE, params)
  t.ok(isReadPlan(plan))
  t.same(await articles.findMany(plan), await articles.findMany(params), 'findMany')
  t.same(await articles.findOne(plan), await articles.findOne(params), 'findOne')
  t.same(await articles.findWithCount(plan), await articles.findWithCount(params), 'findWithCount')
  t.equal(await articles.count(plan), 2, 'count')
})

t.test('an untrusted plan never reads private attributes, nor filters on them', async (t) => {
  const plan = planRead(engine.catalog, ARTICLE, { orderBy: 'title' }, { allowPrivate: false })
  const [first] = await articles.findMany(plan)
  t.equal(first?.title, 'a')
  t.notOk(first !== undefined && 'secret' in first, 'no private attribute selected')
  t.throws(() => planRead(engine.catalog, ARTICLE, { where: { secret: 's1' } }, { allowPrivate: false }), ValidationError)
})

t.test('a hook editing the params of a plan is obeyed: the params are parsed again', async (t) => {
  const plan = planRead(engine.catalog, ARTICLE, { where: { title: 'a' } }, { allowPrivate: false })
  engine.lifecycles.subscribe({
    models: [ARTICLE],
    beforeFindMany (event) { event.params.where = { title: 'b' } }
  })
  const found = await articles.findMany(plan)
  t.same(found.map(a => a.title), ['b'])
  t.notOk(found[0] !== undefined && 'secret' in found[0], 'parsed again with the plan\'s trust')
  t.same(plan.params, { where: { title: 'a' } }, "the plan's params are not edited")
})

t.test('only plans made by planRead are trusted as plans', async (t) => {
  const real = planRead(engine.catalog, ARTICLE, { where: { title: 'a' } })
  const lookalike = { ...real }
  t.notOk(isReadPlan(lookalike))
  t.equal((await articles.findMany(lookalike as never)).length, 3, 'read as raw params: its plan is not run')
  await t.rejects(engine.query(TAG).findMany(real), /a read plan of api::article.article given to api::tag.tag/)
})

t.test('findWithCount: a count hook replacing the params counts apart, the rows keep the find\'s', async (t) => {
  const plan = planRead(engine.catalog, ARTICLE, { where: { title: { $ne: 'c' } }, orderBy: 'title' })
  engine.lifecycles.subscribe({
    models: [ARTICLE],
    beforeCount (event) { event.params = { where: { title: 'c' } } }
  })
  const [rows, total] = await articles.findWithCount(plan)
  t.same(rows.map(a => a.title), ['a', 'b'])
  t.equal(total, 1)
})

t.test('text reads print compact JSON, the same values entries hold', async (t) => {
  const tags = engine.query(TAG)
  const blue = await tags.create({ data: { name: 'blue' } })
  const red = await tags.create({ data: { name: 'red' } })
  await articles.create({
    data: {
      title: 'wired',
      tags: [blue.id, red.id],
      links: [{ label: 'one', position: 1 }, { label: 'two', position: 2 }],
      seo: { metaTitle: 'm' },
      blocks: [{ __component: 'shared.quote', text: 'To be', by: 'W' }, { __component: 'shared.link', label: 'a link' }]
    }
  })
  const params = {
    where: { title: 'wired' },
    select: ['title', 'views'],
    populate: { tags: { select: ['name'] }, topics: { count: true }, links: true, seo: true, blocks: true, related: true }
  }
  const text = await articles.findText(planRead(engine.catalog, ARTICLE, params, { allowPrivate: false }), { total: true })
  t.match(text, { count: 1, total: 1 })
  const row = text?.entries
  if (row === undefined || row === '') throw new Error('no row')
  t.equal(row, JSON.stringify(JSON.parse(row)), 'no space around colons, nor after commas')
  const entry = await articles.findOne(params)
  t.same(JSON.parse(row), JSON.parse(JSON.stringify(entry)), 'what the entry serializes to')
})
