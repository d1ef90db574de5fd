/**
 * Lifecycle hooks (order, state, params, subscribe/unsubscribe, files and inline definitions), afterCommit,
 * and transactions: implicit joining, savepoints, and rollback leaving no partial rows anywhere.
 */
import { sql } from 'drizzle-orm'
import t from 'tap'
import type { ContentTypeDefinition } from '../../lib/content-types/index.js'
import { ValidationError } from '../../lib/errors.js'
import type { LifecycleEvent } from '../../lib/query/index.js'
import { ARTICLE, AUTHOR, components, contentTypes, TAG } from './fixtures.js'
import { recordingLogger, setup } from './helpers.js'
import { fromRoot } from '../helpers/paths.js'
import '../helpers/typescript.js'

const log = recordingLogger()
// The author type also declares lifecycles inline, as a TypeScript definition can.
const inline: ContentTypeDefinition[] = contentTypes.map(ct => ct.info.singularName !== 'author'
  ? ct
  : {
      ...ct,
      lifecycles: {
        beforeCreate (event) {
          const data = event.params.data as Record<string, unknown>
          data.name = `${String(data.name)} [inline]`
        },
        afterCommit (event) {
          (event.state as { log?: string[] }).log = ['inline afterCommit']
        }
      }
    })
const { engine, database, physical, reset } = await setup(t, { contentTypes: inline, components, log })
const articles = engine.query(ARTICLE)
const { lifecycles } = engine

t.beforeEach(async () => {
  await reset()
  log.entries.length = 0
})

/** Records hook calls as `<name>:<action>`. */
function recorder (name: string, calls: string[]): Record<string, (event: LifecycleEvent) => void> {
  const hooks: Record<string, (event: LifecycleEvent) => void> = {}
  for (const action of ['Create', 'CreateMany', 'Update', 'UpdateMany', 'Delete', 'DeleteMany', 'FindOne', 'FindMany', 'Count']) {
    hooks[`before${action}`] = (event) => { calls.push(`${name}:${event.action}`) }
    hooks[`after${action}`] = (event) => { calls.push(`${name}:${event.action}`) }
  }
  hooks.afterCommit = (event) => { calls.push(`${name}:afterCommit(${event.action})`) }
  return hooks
}

async function rowCounts (): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (const table of physical.tables.filter(table => table.external !== true)) {
    const [row] = await database.execute<{ n: string | number }>(sql`SELECT count(*) AS n FROM ${sql.identifier(table.name)}`)
    if (Number(row?.n) > 0) counts[table.name] = Number(row?.n)
  }
  return counts
}

t.test('hook order: timestamps, per-model, then subscribers in registration order', async (t) => {
  const calls: string[] = []
  lifecycles.subscribe({ ...recorder('A', calls), models: [ARTICLE] })
  lifecycles.subscribe(recorder('B', calls))
  const created = await articles.create({ data: { title: 'x' } })
  t.same(calls, [
    'A:beforeCreate', 'B:beforeCreate',
    // create reads its row back through findOne, as Strapi does.
    'A:beforeFindOne', 'B:beforeFindOne', 'A:afterFindOne', 'B:afterFindOne',
    'A:afterCreate', 'B:afterCreate',
    'A:afterCommit(afterCreate)', 'B:afterCommit(afterCreate)'
  ])
  calls.length = 0
  await articles.update({ where: { id: created.id }, data: { title: 'y' } })
  await articles.delete({ where: { id: created.id } })
  t.same(calls, [
    'A:beforeUpdate', 'B:beforeUpdate', 'A:beforeFindOne', 'B:beforeFindOne', 'A:afterFindOne', 'B:afterFindOne', 'A:afterUpdate', 'B:afterUpdate',
    'A:afterCommit(afterUpdate)', 'B:afterCommit(afterUpdate)',
    'A:beforeDelete', 'B:beforeDelete', 'A:beforeFindOne', 'B:beforeFindOne', 'A:afterFindOne', 'B:afterFindOne', 'A:afterDelete', 'B:afterDelete',
    'A:afterCommit(afterDelete)', 'B:afterCommit(afterDelete)'
  ])
  calls.length = 0
  await articles.createMany({ data: [{ title: 'a' }] })
  await articles.updateMany({ where: {}, data: { views: 1 } })
  await articles.findMany()
  await articles.count()
  await articles.findWithCount()
  await articles.findPage()
  await articles.deleteMany()
  t.same(calls, [
    'A:beforeCreateMany', 'B:beforeCreateMany', 'A:afterCreateMany', 'B:afterCreateMany', 'A:afterCommit(afterCreateMany)', 'B:afterCommit(afterCreateMany)',
    'A:beforeUpdateMany', 'B:beforeUpdateMany', 'A:afterUpdateMany', 'B:afterUpdateMany', 'A:afterCommit(afterUpdateMany)', 'B:afterCommit(afterUpdateMany)',
    'A:beforeFindMany', 'B:beforeFindMany', 'A:afterFindMany', 'B:afterFindMany',
    'A:beforeCount', 'B:beforeCount', 'A:afterCount', 'B:afterCount',
    'A:beforeFindMany', 'B:beforeFindMany', 'A:beforeCount', 'B:beforeCount', 'A:afterCount', 'B:afterCount', 'A:afterFindMany', 'B:afterFindMany',
    'A:beforeFindMany', 'B:beforeFindMany', 'A:beforeCount', 'B:beforeCount', 'A:afterCount', 'B:afterCount', 'A:afterFindMany', 'B:afterFindMany',
    'A:beforeDeleteMany', 'B:beforeDeleteMany', 'A:afterDeleteMany', 'B:afterDeleteMany', 'A:afterCommit(afterDeleteMany)', 'B:afterCommit(afterDeleteMany)'
  ], 'every action fires its hooks; findWithCount and findPage fire FindMany and Count')
  calls.length = 0
  await engine.query(TAG).create({ data: { name: 't' } })
  t.same(calls.filter(c => c.startsWith('A:')), [], 'models restricts a subscriber')
  t.ok(calls.includes('B:beforeCreate'), 'without models: every model')
})

t.test('the event, state, and what hooks may change', async (t) => {
  const events: LifecycleEvent[] = []
  lifecycles.subscribe({
    models: [ARTICLE],
    beforeCreate (event) {
      events.push(event)
      event.state.startedAt = 'before'
      const data = event.params.data as Record<string, unknown>
      t.type(data.createdAt, Date, 'the timestamps step ran first')
      data.summary = 'set by a hook'
    },
    afterCreate (event) {
      events.push(event)
      t.equal(event.state.startedAt, 'before', 'state is shared between before and after')
      event.result = { ...(event.result as object), decorated: true }
    },
    afterCommit (event) {
      t.equal(event.state.startedAt, 'before', 'and with afterCommit')
    }
  })
  lifecycles.subscribe({
    models: [ARTICLE],
    beforeCreate (event) {
      t.same(event.state, {}, 'each subscriber has its own state')
      t.equal((event.params.data as Record<string, unknown>).summary, 'set by a hook', 'a later subscriber sees the change')
    },
    beforeFindMany (event) {
      event.params = { ...event.params, where: { title: 'kept' } }
    },
    beforeCount (event) {
      event.state.fresh = event.state.fresh === undefined ? 1 : 'reused'
    }
  })
  const data = { title: 'kept' }
  const created = await articles.create({ data })
  t.same(data, { title: 'kept' }, "the caller's data object is not modified")
  t.match(created, { title: 'kept', summary: 'set by a hook', decorated: true }, 'before-hooks change params, after-hooks the result')
  const [before, after] = events
  t.match(before, { action: 'beforeCreate', uid: ARTICLE, model: { uid: ARTICLE, tableName: 'articles', singularName: 'article', attributes: Object }, params: { data: Object } })
  t.notOk('result' in (before ?? {}), 'no result before')
  t.match(after, { action: 'afterCreate', result: { id: created.id } })
  await articles.create({ data: { title: 'other' } })
  t.same((await articles.findMany()).map(a => a.title), ['kept'], 'a before-hook may replace params')
  await articles.count()
  await articles.count()
  t.pass('state is fresh for every action')
})

t.test('subscribe(fn), unsubscribe and subscriber validation', async (t) => {
  const seen: string[] = []
  const unsubscribe = lifecycles.subscribe((event) => { seen.push(`${event.action}:${event.uid}`) })
  await engine.query(TAG).count()
  unsubscribe()
  await engine.query(TAG).count()
  t.same(seen, [`beforeCount:${TAG}`, `afterCount:${TAG}`], 'a function sees every event until unsubscribed')
  const calls: string[] = []
  const off = lifecycles.subscribe({ beforeCount () { calls.push('x') } })
  off()
  off()
  await articles.count()
  t.same(calls, [], 'unsubscribe is idempotent')
  t.throws(() => lifecycles.subscribe({ beforeCreat () {} } as never), { name: 'TypeError', message: /Unknown lifecycle hook "beforeCreat"/ })
  t.throws(() => lifecycles.subscribe({ models: ['api::nope.nope'], beforeCreate () {} }), { name: 'TypeError', message: /unknown model api::nope.nope/ })
  t.throws(() => lifecycles.subscribe({ beforeCreate: 'no' } as never), TypeError)
  t.throws(() => lifecycles.subscribe(42 as never), TypeError)
})

t.test('hooks subscribed after actions ran without any apply from the next action on', async (t) => {
  // The first counts and reads run with no hook at all; what they learned must not outlive a subscribe.
  await engine.query(TAG).count()
  await engine.query(TAG).findMany()
  const seen: string[] = []
  const off = lifecycles.subscribe({ models: [TAG], beforeCount () { seen.push('count') }, afterFindMany () { seen.push('findMany') } })
  await engine.query(TAG).count()
  await engine.query(TAG).findMany()
  off()
  await engine.query(TAG).count()
  const offAll = lifecycles.subscribe((event) => { seen.push(event.action) })
  await engine.query(TAG).count()
  lifecycles.clear()
  await engine.query(TAG).count()
  t.same(seen, ['count', 'findMany', 'beforeCount', 'afterCount'], 'seen while subscribed, not after unsubscribe or clear')
  offAll()
})

t.test('per-model hooks from a TypeScript definition run before subscribers', async (t) => {
  const names: unknown[] = []
  lifecycles.subscribe({ models: [AUTHOR], beforeCreate (event) { names.push((event.params.data as Record<string, unknown>).name) } })
  const author = await engine.query(AUTHOR).create({ data: { name: 'Ann' } })
  t.equal(author.name, 'Ann [inline]')
  t.same(names, ['Ann [inline]'])
})

t.test('a throwing hook aborts the action and leaves no partial rows anywhere', async (t) => {
  const tag = await engine.query(TAG).create({ data: { name: 't' } })
  const author = await engine.query(AUTHOR).create({ data: { name: 'A' } })
  const baseline = await rowCounts()
  const committed: string[] = []
  lifecycles.subscribe({ models: [ARTICLE], afterCommit (event) { committed.push(event.action) } })
  const off = lifecycles.subscribe({ models: [ARTICLE], afterCreate () { throw new Error('after create failed') } })
  const data = {
    title: 'doomed',
    tags: [tag.id],
    author: author.id,
    seo: { metaTitle: 'x', category: null, link: { label: 'nested' } },
    links: [{ label: 'a' }],
    blocks: [{ __component: 'shared.quote', text: 'q' }]
  }
  await t.rejects(articles.create({ data }), { message: 'after create failed' })
  t.same(await rowCounts(), baseline, 'no article, link, component or join row was left')
  off()
  const offBefore = lifecycles.subscribe({ models: [ARTICLE], beforeCreate () { throw new ValidationError('nope') } })
  await t.rejects(articles.create({ data }), ValidationError, 'a before-hook error is thrown as is')
  offBefore()
  const post = await articles.create({ data })
  const withLinks = await rowCounts()
  const offUpdate = lifecycles.subscribe({ models: [ARTICLE], afterUpdateMany () { throw new Error('after updateMany failed') } })
  await t.rejects(articles.updateMany({ where: {}, data: { title: 'changed', tags: [], seo: { metaTitle: 'new' } } }), { message: 'after updateMany failed' })
  offUpdate()
  t.same(await rowCounts(), withLinks, 'updateMany rolled back entirely')
  t.equal((await articles.findOne({ where: { id: post.id } }))?.title, 'doomed')
  const offDelete = lifecycles.subscribe({ models: [ARTICLE], afterDelete () { throw new Error('after delete failed') } })
  await t.rejects(articles.delete({ where: { id: post.id } }), { message: 'after delete failed' })
  offDelete()
  t.same(await rowCounts(), withLinks, 'delete rolled back entirely')
  t.same(committed, ['afterCreate'], 'afterCommit only for the action that committed')
})

t.test('afterCommit runs after the outermost commit, never after a rollback', async (t) => {
  const order: string[] = []
  lifecycles.subscribe({
    models: [ARTICLE],
    afterCreate (event) { order.push(`after ${(event.result as { title: string }).title}`) },
    async afterCommit (event) {
      // The row is committed: another connection (outside the transaction) sees it.
      const title = (event.result as { title: string }).title
      order.push(`committed ${title} (visible: ${await articles.count({ where: { title } })})`)
    }
  })
  const result = await engine.transaction(async () => {
    await articles.create({ data: { title: 'one' } })
    await engine.transaction(async () => { await articles.create({ data: { title: 'two' } }) })
    order.push('transaction body done')
    return 'value'
  })
  order.push('transaction returned')
  t.equal(result, 'value')
  t.same(order, ['after one', 'after two', 'transaction body done', 'committed one (visible: 1)', 'committed two (visible: 1)', 'transaction returned'])

  order.length = 0
  await t.rejects(engine.transaction(async () => {
    await articles.create({ data: { title: 'rolled back' } })
    throw new Error('abort')
  }), { message: 'abort' })
  t.same(order, ['after rolled back'], 'no afterCommit after a rollback')
  t.equal(await articles.count({ where: { title: 'rolled back' } }), 0)

  order.length = 0
  await engine.transaction(async () => {
    await articles.create({ data: { title: 'outer' } })
    await engine.transaction(async () => {
      await articles.create({ data: { title: 'inner' } })
      throw new Error('inner abort')
    }).catch(() => { order.push('inner rolled back') })
  })
  t.same(order, ['after outer', 'after inner', 'inner rolled back', 'committed outer (visible: 1)'], 'a rolled-back savepoint drops its own afterCommit calls')
  t.equal(await articles.count({ where: { title: 'inner' } }), 0, 'and its rows')

  order.length = 0
  await articles.create({ data: { title: 'alone' } })
  order.push('create returned')
  t.same(order, ['after alone', 'committed alone (visible: 1)', 'create returned'], 'outside a transaction: right after the action commits')
})

t.test('afterCommit errors are logged, not thrown', async (t) => {
  lifecycles.subscribe({ models: [ARTICLE], afterCommit () { throw new Error('webhook down') } })
  const calls: string[] = []
  lifecycles.subscribe({ models: [ARTICLE], afterCommit () { calls.push('next one still runs') } })
  const created = await articles.create({ data: { title: 'x' } })
  t.equal(created.title, 'x')
  t.same(calls, ['next one still runs'])
  t.ok(log.entries.some(e => e.level === 'error' && JSON.stringify(e).includes('afterCommit')), 'logged at error')
})

t.test('transactions', async (t) => {
  const seen = await engine.transaction(async (scope) => {
    await articles.create({ data: { title: 'a', tags: [(await engine.query(TAG).create({ data: { name: 't' } })).id] } })
    const inside = await articles.count()
    let committed = false
    scope.onCommit(() => { committed = true })
    return { inside, committed: () => committed }
  })
  t.equal(seen.inside, 1, 'reads inside see the transaction’s writes')
  t.equal(seen.committed(), true, 'scope.onCommit runs after commit')
  await t.rejects(engine.transaction(async () => {
    await articles.create({ data: { title: 'b', seo: { metaTitle: 'x' } } })
    await engine.query(TAG).createMany({ data: [{ name: 'u' }, { name: 'v' }] })
    await articles.updateMany({ where: {}, data: { views: 9 } })
    throw new Error('rollback')
  }))
  t.same(await rowCounts(), { articles: 1, tags: 1, articles_tags_lnk: 1 }, 'everything inside rolled back')
  t.equal((await articles.findOne())?.views, null)
  const nested = await engine.transaction(async () => {
    await articles.create({ data: { title: 'c' } })
    const inner = await engine.transaction(async () => {
      await articles.create({ data: { title: 'd' } })
      return await engine.transaction(async () => await articles.count())
    })
    return inner
  })
  t.equal(nested, 3, 'nested calls join as savepoints')
  t.equal(await articles.count(), 3)
  const failed = await articles.create({ data: { title: 'e', tags: [999] } }).catch((err: unknown) => err)
  t.type(failed, ValidationError, 'a failing write outside a transaction')
  t.equal(await articles.count(), 3, 'left nothing behind')
})

t.test('lifecycles files beside schema.json', async (t) => {
  const project = await setup(t, { dir: fromRoot('test', 'query', 'fixtures', 'lifecycles-project') })
  const calls: unknown[] = []
  project.engine.lifecycles.subscribe({ beforeCreate (event) { calls.push(structuredClone((event.params.data as { trail?: unknown }).trail)) } })
  const note = await project.engine.query('api::note.note').create({ data: { title: 'n' } })
  t.same(note.trail, ['file:before:stamped'], 'default export: runs after the timestamps step')
  t.equal(note.fromFile, 'file', 'after-hook of the file with its state')
  t.same(calls, [['file:before:stamped']], 'subscribers run after the file')
  const memo = await project.engine.query('api::memo.memo').create({ data: { title: 'm' } })
  t.equal(memo.title, 'm (memo)', 'named exports in a .js file')
  await t.rejects(setup(t, { dir: fromRoot('test', 'query', 'fixtures', 'bad-lifecycles') }), { name: 'TypeError', message: /Unknown lifecycle hook "beforeCreat"/ }, 'a misspelled hook fails at boot')
})
