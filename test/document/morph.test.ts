/**
 * Polymorphic relations on ordinary content types (contract §3.1): a `morphToMany` owning side stores its rows
 * in `<table>_<attr>_mph`; `morphMany`/`morphOne` sides (with `morphBy`) write and populate through it, each
 * type and attribute keeping its own rows, and the owning side writes `{ id, __type, __pivot: { field } }` items;
 * they are not filterable or sortable.
 */
import t from 'tap'
import { sql } from 'drizzle-orm'
import type { ContentTypeDefinition } from '../../lib/content-types/index.js'
import { rejection, setup } from './helpers.js'

const type = (singularName: string, attributes: ContentTypeDefinition['attributes'], draftAndPublish = false): ContentTypeDefinition => ({
  kind: 'collectionType',
  collectionName: `${singularName}s`,
  info: { singularName, pluralName: `${singularName}s`, displayName: singularName },
  options: { draftAndPublish },
  attributes
})

const contentTypes: ContentTypeDefinition[] = [
  type('note', { text: { type: 'string' }, related: { type: 'relation', relation: 'morphToMany' } }),
  type('post', {
    title: { type: 'string' },
    notes: { type: 'relation', relation: 'morphMany', target: 'api::note.note', morphBy: 'related' },
    pinned: { type: 'relation', relation: 'morphOne', target: 'api::note.note', morphBy: 'related' }
  }, true),
  type('page', { title: { type: 'string' }, notes: { type: 'relation', relation: 'morphMany', target: 'api::note.note', morphBy: 'related' } })
]

const { documents, db, schema } = await setup(t, { contentTypes })
const notes = documents('api::note.note')
const posts = documents('api::post.post')
const pages = documents('api::page.page')

const mph = async (): Promise<Array<Record<string, unknown>>> =>
  await db.execute(sql`select note_id, related_id, related_type, field, "order" from notes_related_mph order by related_type, related_id, field, "order"`)

t.test('the link table is Strapi\'s', async (t) => {
  const columns = await db.execute(sql`select column_name from information_schema.columns where table_name = 'notes_related_mph' order by ordinal_position`)
  t.same(columns.map(c => c.column_name), ['id', 'note_id', 'related_id', 'related_type', 'field', 'order'])
  t.equal(schema.get('api::note.note')?.attributes.related?.type, 'morph')
})

t.test('morphMany and morphOne sides write and populate their own rows', async (t) => {
  const [a, b, c] = await Promise.all(['a', 'b', 'c'].map(async text => await notes.create({ data: { text } })))
  const post = await posts.create({ data: { title: 'P', notes: [b!.documentId, a!.documentId], pinned: c!.documentId } })
  const page = await pages.create({ data: { title: 'Q', notes: [a!.documentId] } })
  const read = await posts.findOne({ documentId: post.documentId, populate: ['notes', 'pinned'] })
  t.same((read?.notes as Array<{ text: string }>).map(n => n.text), ['b', 'a'])
  t.equal((read?.pinned as { text: string }).text, 'c')
  t.same(((await pages.findOne({ documentId: page.documentId, populate: ['notes'] }))?.notes as Array<{ text: string }>).map(n => n.text), ['a'])

  const rows = (await mph()).filter(r => r.related_id === post.id || r.related_id === page.id)
  t.same(rows.map(r => [r.related_type, r.field, r.note_id, r.order]), [
    ['api::page.page', 'notes', a!.id, 1],
    ['api::post.post', 'notes', b!.id, 1],
    ['api::post.post', 'notes', a!.id, 2],
    ['api::post.post', 'pinned', c!.id, 1]
  ])

  await posts.update({ documentId: post.documentId, data: { notes: { disconnect: [b!.documentId], connect: [c!.documentId] } } })
  const after = await posts.findOne({ documentId: post.documentId, populate: ['notes'] })
  t.same((after?.notes as Array<{ text: string }>).map(n => n.text), ['a', 'c'])
  await posts.publish({ documentId: post.documentId })
  const published = await posts.findOne({ documentId: post.documentId, status: 'published', populate: ['notes', 'pinned'] })
  t.same((published?.notes as Array<{ text: string }>).map(n => n.text), ['a', 'c'], 'publishing copies the links')

  await pages.delete({ documentId: page.documentId })
  t.notOk((await mph()).some(r => r.related_type === 'api::page.page'), 'a deleted entry\'s rows go')
  t.ok((await mph()).some(r => r.related_type === 'api::post.post' && r.note_id === a!.id), 'other owners\' rows stay')
})

t.test('polymorphic relations are not filterable or sortable', async (t) => {
  t.match(await rejection(posts.findMany({ filters: { notes: { text: 'a' } } })), { name: 'ValidationError', message: /Invalid key notes/ })
  t.match(await rejection(posts.findMany({ sort: 'notes.text' })), { name: 'ValidationError' })
  t.match(await rejection(notes.findMany({ filters: { related: { id: 1 } } })), { name: 'ValidationError', message: /Invalid key related/ })
})

t.test('the owning side populates every linked row with its __type, in one statement', async (t) => {
  const note = await notes.create({ data: { text: 'shared' } })
  const post = await posts.create({ data: { title: 'P2', notes: [note.documentId] } })
  const page = await pages.create({ data: { title: 'Q2', notes: [note.documentId] } })
  const read = await notes.findOne({ documentId: note.documentId, populate: ['related'] })
  t.match(read?.related, [
    { __type: 'api::post.post', id: post.id, documentId: post.documentId, title: 'P2' },
    { __type: 'api::page.page', id: page.id, documentId: page.documentId, title: 'Q2' }
  ])
  t.same(Object.keys((read?.related as Array<Record<string, unknown>>)[0]!).slice(0, 3), ['__type', 'id', 'documentId'])
  t.notOk('locale' in (read?.related as Array<Record<string, unknown>>)[0]!, 'shaped as its type: no locale on a non-localized type')
  const viaEngine = await db.query('api::note.note').findOne({ where: { id: note.id }, populate: { related: true } })
  t.same((viaEngine?.related as Array<{ __type: string }>).map(r => r.__type), ['api::post.post', 'api::page.page'])
  await pages.delete({ documentId: page.documentId })
  const after = await notes.findOne({ documentId: note.documentId, populate: ['related'] })
  t.same((after?.related as Array<{ __type: string }>).map(r => r.__type), ['api::post.post'])
  t.match(await rejection(notes.findOne({ documentId: note.documentId, populate: { related: { fields: ['title'] } } })), { name: 'ValidationError' })
})

t.test('an `on` fragment chooses one linked type\'s fields; the other types keep their default select', async (t) => {
  const note = await notes.create({ data: { text: 'fragment' } })
  const post = await posts.create({ data: { title: 'P3', notes: [note.documentId] } })
  const page = await pages.create({ data: { title: 'Q3', notes: [note.documentId] } })
  const read = await notes.findOne({ documentId: note.documentId, populate: { related: { on: { 'api::post.post': { fields: ['title'] } } } } })
  const [first, second] = read?.related as Array<Record<string, unknown>>
  t.same(first, { __type: 'api::post.post', id: post.id, documentId: post.documentId, title: 'P3' })
  t.match(second, { __type: 'api::page.page', id: page.id, title: 'Q3', createdAt: String })
  const viaEngine = await db.query('api::note.note').findOne({ where: { id: note.id }, populate: { related: { on: { 'api::page.page': { select: ['title'] } } } } })
  t.same(Object.keys((viaEngine?.related as Array<Record<string, unknown>>)[1]!).sort(), ['__type', 'documentId', 'id', 'title'], 'the Query Engine\'s `on` takes `select`')
  t.match(await rejection(notes.findOne({ documentId: note.documentId, populate: { related: { on: { 'api::nope.nope': true } } } })), { name: 'ValidationError', message: /api::nope\.nope/ })
  t.match(await rejection(notes.findOne({ documentId: note.documentId, populate: { related: { on: 'api::post.post' } } })), { name: 'ValidationError' })
})

t.test('the owning side writes { id, __type, __pivot: { field } } items: set, connect, disconnect, null', async (t) => {
  const note = await notes.create({ data: { text: 'owner' } })
  const post = await posts.create({ data: { title: 'P4' } })
  const page = await pages.create({ data: { title: 'Q4' } })
  const related = async (): Promise<Array<[string, number]>> =>
    ((await notes.findOne({ documentId: note.documentId, populate: ['related'] }))?.related as Array<{ __type: string, id: number }>).map(r => [r.__type, r.id])
  const texts = async (field: 'notes' | 'pinned'): Promise<unknown> => {
    const value = (await posts.findOne({ documentId: post.documentId, populate: [field] }))?.[field] as Array<{ text: string }> | { text: string } | null
    return Array.isArray(value) ? value.map(n => n.text) : value?.text ?? null
  }

  // A page has one side linked to notes (`__pivot` may be left out); a post has two, so it names one.
  await notes.update({ documentId: note.documentId, data: { related: [{ id: page.id, __type: 'api::page.page' }, { id: post.id, __type: 'api::post.post', __pivot: { field: 'notes' } }] } })
  t.same(await related(), [['api::page.page', page.id], ['api::post.post', post.id]])
  t.same(await texts('notes'), ['owner'], 'the post\'s side reads the link')

  await notes.update({ documentId: note.documentId, data: { related: { connect: [{ id: post.id, __type: 'api::post.post', __pivot: { field: 'pinned' } }], disconnect: [{ id: page.id, __type: 'api::page.page' }] } } })
  t.same(await related(), [['api::post.post', post.id], ['api::post.post', post.id]], 'connect appends, disconnect removes')
  t.equal(await texts('pinned'), 'owner')
  t.same(((await pages.findOne({ documentId: page.documentId, populate: ['notes'] }))?.notes as unknown[]), [])

  const other = await notes.create({ data: { text: 'other', related: [{ id: post.id, __type: 'api::post.post', __pivot: { field: 'pinned' } }] } })
  t.equal(await texts('pinned'), 'other', 'a single-valued side (morphOne) is taken from its previous owner')
  t.same(await related(), [['api::post.post', post.id]])

  const before = await related()
  t.match(await rejection(notes.update({ documentId: note.documentId, data: { related: [{ id: post.id, __type: 'api::post.post' }] } })), { name: 'ValidationError', message: /__pivot\.field must be one of notes, pinned/ })
  t.match(await rejection(notes.update({ documentId: note.documentId, data: { related: [{ id: post.id, __type: 'api::nope.nope' }] } })), { name: 'ValidationError', message: /Invalid __type/ })
  t.match(await rejection(notes.update({ documentId: note.documentId, data: { related: { connect: [{ id: 999999, __type: 'api::page.page' }] } } })), { name: 'ValidationError', message: /no api::page\.page with id 999999/ })
  t.match(await rejection(notes.update({ documentId: note.documentId, data: { related: [{ id: page.id, __type: 'api::page.page', extra: 1 }] } })), { name: 'ValidationError', message: /Invalid key extra/ })
  t.same(await related(), before, 'a refused write changes nothing')

  await notes.update({ documentId: note.documentId, data: { related: null } })
  t.same(await related(), [], 'null clears')
  await db.query('api::note.note').update({ where: { id: other.id }, data: { related: { connect: [{ id: page.id, __type: 'api::page.page' }] } } })
  t.same(((await pages.findOne({ documentId: page.documentId, populate: ['notes'] }))?.notes as Array<{ text: string }>).map(n => n.text), ['other'], 'through the Query Engine too')
})
