import t from 'tap'
import { defineContentType, type RequestContext } from '../../../lib/index.js'
import { buildApp } from '../../helpers/app.js'
import { sender } from './helpers.js'

/**
 * The core find and findOne answer with the JSON PostgreSQL builds when no custom code sits between the query
 * and the response (lib/http/core/controller.ts). Whatever custom code is in the chain still sees objects: a
 * middleware reading `ctx.body` after next(), a lifecycle hook, a Document Service middleware. The answer is
 * the same either way.
 */

const uid = 'api::gadget.gadget'
const gadget = defineContentType({
  uid,
  kind: 'collectionType',
  info: { singularName: 'gadget', pluralName: 'gadgets', displayName: 'Gadget' },
  options: { draftAndPublish: false },
  attributes: {
    name: { type: 'string' },
    price: { type: 'decimal' },
    ratio: { type: 'float' },
    opensAt: { type: 'time' },
    launched: { type: 'date' },
    seenAt: { type: 'datetime' },
    serial: { type: 'biginteger' },
    code: { type: 'string', private: true }
  }
})

const settingUid = 'api::setting.setting'
const setting = defineContentType({
  uid: settingUid,
  kind: 'singleType',
  info: { singularName: 'setting', pluralName: 'settings', displayName: 'Setting' },
  options: { draftAndPublish: true },
  attributes: {
    motto: { type: 'string' },
    seenAt: { type: 'datetime' },
    opensAt: { type: 'time' },
    token: { type: 'string', private: true }
  }
})

const noteUid = 'api::note.note'
const note = defineContentType({
  uid: noteUid,
  kind: 'collectionType',
  info: { singularName: 'note', pluralName: 'notes', displayName: 'Note' },
  options: { draftAndPublish: false },
  attributes: { body: { type: 'text' } }
})

const switches = { readBody: false }
const app = await buildApp(t, {
  contentTypes: [gadget, setting, note],
  permissions: { public: '*' },
  middlewares: ['strapi::errors', 'global::stamp'],
  middlewareFactories: {
    stamp: () => async (ctx: RequestContext, next: () => Promise<void>) => {
      await next()
      if (!switches.readBody) return
      const body = ctx.body as { data: unknown, meta: Record<string, unknown> }
      ctx.body = { ...body, meta: { ...body.meta, stamped: Array.isArray(body.data) ? body.data.length : typeof body.data } }
    }
  }
})
const send = sender(app)

await app.vellum.documents(uid).create({
  data: { name: 'Lamp', price: 12.5, ratio: 0.25, opensAt: '09:30:00', launched: '2024-02-29', seenAt: '2024-03-01T10:20:30.456Z', serial: '9007199254740993', code: 'hidden' }
})
const [lamp] = await app.vellum.documents(uid).findMany({})
const documentId = String(lamp?.documentId)

const expected = {
  name: 'Lamp', price: 12.5, ratio: 0.25, opensAt: '09:30:00.000', launched: '2024-02-29', seenAt: '2024-03-01T10:20:30.456Z', serial: '9007199254740993'
}

t.test('values are formatted as entries would be, private attributes left out', async (t) => {
  const list = await send('GET', '/api/gadgets')
  t.equal(list.status, 200)
  t.match(list.headers['content-type'], /^application\/json/)
  t.match(list.body.data[0], expected)
  t.notOk('code' in list.body.data[0], 'no private attribute')
  t.notOk('locale' in list.body.data[0], 'no locale on a type that is not localized')
  t.same(list.body.meta, { pagination: { page: 1, pageSize: 25, pageCount: 1, total: 1 } })
  const one = await send('GET', `/api/gadgets/${documentId}`)
  t.same(one.body.data, list.body.data[0])
  t.same(one.body.meta, {})
  t.equal((await send('GET', '/api/gadgets/nope')).status, 404)
})

t.test('a middleware reading ctx.body after next() gets objects and may change them', async (t) => {
  switches.readBody = true
  t.teardown(() => { switches.readBody = false })
  t.equal((await send('GET', '/api/gadgets')).body.meta.stamped, 1)
  const one = await send('GET', `/api/gadgets/${documentId}`)
  t.equal(one.body.meta.stamped, 'object')
  t.match(one.body.data, expected)
})

t.test('a lifecycle hook and a Document Service middleware see entries, and their changes are answered', async (t) => {
  const off = app.vellum.db.lifecycles.subscribe({
    models: [uid],
    afterFindMany (event) { (event.result as Array<Record<string, unknown>>).forEach(entry => { entry.name = `${String(entry.name)} (hook)` }) }
  })
  t.equal((await send('GET', '/api/gadgets')).body.data[0].name, 'Lamp (hook)')
  off()
  const remove = app.vellum.documents.use(async (ctx, next) => {
    const result = await next()
    if (ctx.action === 'findOne' && result !== null && typeof result === 'object') return { ...result, name: 'from a middleware' }
    return result
  })
  const one = await send('GET', `/api/gadgets/${documentId}`)
  remove()
  t.equal(one.body.data.name, 'from a middleware')
  t.notOk('code' in one.body.data, 'sanitized')
  t.equal((await send('GET', `/api/gadgets/${documentId}`)).body.data.name, 'Lamp')
})

t.test('a single type\'s find: published row, values formatted as entries would be, private left out', async (t) => {
  t.equal((await send('GET', '/api/setting')).status, 404, 'nothing yet')
  const draft = await app.vellum.documents(settingUid).create({ data: { motto: 'Draft', seenAt: '2024-03-01T10:20:30.456Z', opensAt: '09:30:00', token: 'hidden' } })
  t.equal((await send('GET', '/api/setting')).status, 404, 'a draft is not published')
  const draftRead = await send('GET', '/api/setting?status=draft')
  t.match(draftRead.body.data, { motto: 'Draft', seenAt: '2024-03-01T10:20:30.456Z', opensAt: '09:30:00.000' })
  t.notOk('token' in draftRead.body.data, 'no private attribute')
  t.same(draftRead.body.meta, {})
  await app.vellum.documents(settingUid).publish({ documentId: draft.documentId })
  const published = await send('GET', '/api/setting?fields[0]=motto')
  t.same(Object.keys(published.body.data).sort(), ['documentId', 'id', 'motto'])
  switches.readBody = true
  t.teardown(() => { switches.readBody = false })
  t.equal((await send('GET', '/api/setting')).body.meta.stamped, 'object', 'a middleware reading ctx.body gets objects')
})

t.test('a single type\'s find: a Document Service middleware sees entries, and its change is answered', async (t) => {
  const remove = app.vellum.documents.use(async (ctx, next) => {
    const result = await next()
    if (ctx.action === 'findFirst' && result !== null && typeof result === 'object') return { ...result, motto: 'from a middleware' }
    return result
  })
  const changed = await send('GET', '/api/setting')
  remove()
  t.equal(changed.body.data.motto, 'from a middleware')
  t.notOk('token' in changed.body.data, 'sanitized')
  t.equal((await send('GET', '/api/setting')).body.data.motto, 'Draft')
})

t.test('a repeated query is planned once per caller: every document of a findOne shape, every page of a list', async (t) => {
  const second = await app.vellum.documents(uid).create({ data: { name: 'Desk' } })
  t.teardown(async () => { await app.vellum.documents(uid).delete({ documentId: second.documentId }) })
  const repository = app.vellum.documents(uid)
  const planText = repository.planText
  const planned: string[] = []
  repository.planText = (action, params) => {
    planned.push(action)
    return planText(action, params)
  }
  t.teardown(() => { repository.planText = planText })
  const query = 'fields[0]=name&sort=name:asc'
  t.equal((await send('GET', `/api/gadgets/${documentId}?fields[0]=name`)).body.data.name, 'Lamp')
  t.equal((await send('GET', `/api/gadgets/${second.documentId}?fields[0]=name`)).body.data.name, 'Desk', 'the plan reads the document asked for')
  t.equal((await send('GET', `/api/gadgets/${documentId}?fields[0]=name`)).body.data.name, 'Lamp')
  t.same((await send('GET', `/api/gadgets?${query}`)).body.data.map((e: { name: string }) => e.name), ['Desk', 'Lamp'])
  t.same((await send('GET', `/api/gadgets?${query}`)).body.data.map((e: { name: string }) => e.name), ['Desk', 'Lamp'])
  t.same(planned, ['findOne', 'findMany'], 'one plan per query shape')
  t.equal((await send('GET', `/api/gadgets/${documentId}?fields[0]=nope`)).status, 400, 'a bad query is still refused')
})

t.test('a large answer (sent as bytes past 100 KiB) is the same JSON, multi-byte characters included', async (t) => {
  // 2- to 4-byte UTF-8 characters, and JSON escapes, in every entry.
  const body = (i: number): string => `${i} Lampe à café ☕ 𝄞 "quoted" \\ `.repeat(200)
  const notes = app.vellum.documents(noteUid)
  for (let i = 0; i < 20; i++) await notes.create({ data: { body: body(i) } })
  const list = await send('GET', '/api/notes?sort=id:asc&fields[0]=body')
  t.equal(list.status, 200)
  t.match(list.headers['content-type'], /^application\/json; charset=utf-8/)
  t.ok(list.text.length > 100 * 1024, 'over the threshold')
  t.equal(Number(list.headers['content-length']), Buffer.byteLength(list.text), 'content-length counts the bytes')
  t.ok(list.body.data.every((e: { body: string }, i: number) => e.body === body(i)) === true && list.body.data.length === 20, 'every entry, characters intact')
  t.same(list.body.meta, { pagination: { page: 1, pageSize: 25, pageCount: 1, total: 20 } })
  t.equal(list.text, JSON.stringify(list.body), 'compact JSON, nothing around it')
  const small = await send('GET', '/api/notes?sort=id:asc&fields[0]=body&pagination[pageSize]=2')
  t.ok(small.text.length < 100 * 1024, 'under the threshold')
  t.ok(JSON.stringify(small.body.data) === JSON.stringify(list.body.data.slice(0, 2)), 'the same entries as the string path')

  const big = await notes.create({ data: { body: body(99).repeat(10) } })
  const one = await send('GET', `/api/notes/${big.documentId}`)
  t.equal(Number(one.headers['content-length']), Buffer.byteLength(one.text))
  t.ok(one.body.data.body === body(99).repeat(10), 'characters intact')
  t.equal(one.text, JSON.stringify(one.body))
  await notes.delete({ documentId: big.documentId })

  switches.readBody = true
  t.teardown(() => { switches.readBody = false })
  const read = await send('GET', '/api/notes?sort=id:asc&fields[0]=body')
  t.equal(read.body.meta.stamped, 20, 'a middleware reading ctx.body parses the bytes')
  t.ok(JSON.stringify(read.body.data) === JSON.stringify(list.body.data), 'the same entries')
})
