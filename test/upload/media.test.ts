/**
 * The `media` attribute (contract §25.1, §25.6): links in `files_related_mph`, written as ids, documentIds or
 * set/connect/disconnect, validated against `allowedTypes` and `multiple`, populated in the one read statement,
 * filtered, following draft & publish and locales. Files are made through the Document Service (no upload API here).
 */
import t from 'tap'
import { sql } from 'drizzle-orm'
import Fastify from 'fastify'
import qs from 'qs'
import vellumPlugin, { type Vellum } from '../../lib/index.js'
import { createTestDatabase, databaseOption, isTransactionControl } from '../helpers/db.js'
import { MEDIA_COMPONENTS, MEDIA_CONTENT_TYPES } from '../helpers/media-model.js'

// Statements counted from the SQL trace log: a read with media populated is one statement.
const statements: string[] = []
const app = Fastify({
  logger: {
    level: 'trace',
    stream: {
      write: (line: string) => {
        const entry = JSON.parse(line) as { msg?: string, sql?: string }
        if (entry.msg === 'sql' && entry.sql !== undefined && !isTransactionControl(entry.sql)) statements.push(entry.sql)
      }
    }
  },
  pluginTimeout: 120_000
})
t.teardown(() => app.close())
await app.register(vellumPlugin, {
  contentTypes: MEDIA_CONTENT_TYPES,
  components: MEDIA_COMPONENTS,
  permissions: { public: '*' },
  i18n: { locales: ['en', 'fr'], defaultLocale: 'en' },
  database: databaseOption(await createTestDatabase(t))
})
await app.ready()
const vellum = (app as unknown as { vellum: Vellum }).vellum
const { documents, db } = vellum

const FILE_KEYS = ['id', 'documentId', 'name', 'alternativeText', 'caption', 'focalPoint', 'width', 'height', 'formats', 'hash', 'ext', 'mime',
  'size', 'url', 'previewUrl', 'provider', 'provider_metadata', 'createdAt', 'updatedAt', 'publishedAt']

async function file (name: string, mime: string): Promise<{ id: number, documentId: string }> {
  const ext = mime === 'image/png' ? '.png' : mime === 'video/mp4' ? '.mp4' : '.txt'
  const created = await documents('plugin::upload.file').create({
    data: { name: `${name}${ext}`, hash: `${name}_0123456789`, ext, mime, size: 12.5, url: `/uploads/${name}_0123456789${ext}`, provider: 'local', folderPath: '/' }
  })
  return { id: created.id as number, documentId: created.documentId }
}

const get = async (url: string, query: Record<string, unknown> = {}): Promise<{ status: number, body: any }> => {
  const res = await app.inject({ method: 'GET', url: `${url}?${qs.stringify(query, { encodeValuesOnly: true })}` })
  return { status: res.statusCode, body: res.json() }
}
const send = async (method: 'POST' | 'PUT', url: string, data: unknown): Promise<{ status: number, body: any }> => {
  const res = await app.inject({ method, url, payload: { data } })
  return { status: res.statusCode, body: res.json() }
}
const links = async (): Promise<Array<Record<string, unknown>>> => await db.execute(sql`select file_id, related_id, related_type, field, "order" from files_related_mph order by related_type, related_id, field, "order"`)

const png = await file('cat', 'image/png')
const png2 = await file('dog', 'image/png')
const mp4 = await file('clip', 'video/mp4')
const txt = await file('notes', 'text/plain')

t.test('a project with media in content types, components and zones loads; media add no column', async (t) => {
  const columns = (await db.execute(sql`select table_name, column_name from information_schema.columns where table_name in ('articles', 'components_shared_media_blocks')`))
    .map(r => `${String(r.table_name)}.${String(r.column_name)}`)
  t.notOk(columns.some(c => /\.(cover|gallery|file)$/.test(c)))
  t.ok(columns.includes('components_shared_media_blocks.id'))
})

t.test('create with ids, documentIds and objects; populate at the root, in components and zones', async (t) => {
  const created = await send('POST', '/api/articles', {
    title: 'A',
    cover: png.id,
    gallery: [png2.documentId, { id: mp4.id }, png2.id],
    seo: { metaTitle: 'M', shareImage: { documentId: png.documentId } },
    blocks: [{ __component: 'shared.media-block', file: txt.id }]
  })
  t.equal(created.status, 201)
  t.notOk('cover' in created.body.data, 'media appear in write answers only with populate')
  const documentId = created.body.data.documentId as string

  statements.length = 0
  const { body } = await get(`/api/articles/${documentId}`, {
    populate: { cover: true, gallery: true, seo: { populate: ['shareImage'] }, blocks: { on: { 'shared.media-block': { populate: ['file'] } } } }
  })
  t.equal(statements.length, 1, 'media at the root, in a component and in a zone: one statement')
  statements.length = 0
  const list = await get('/api/articles', { populate: { cover: true, gallery: true, seo: { populate: ['shareImage'] } } })
  t.equal(list.status, 200)
  t.equal(statements.length, 1, 'a list with its total: one statement')
  t.same(Object.keys(body.data.cover), FILE_KEYS, 'the file object\'s keys, in order, without private ones')
  t.match(body.data.cover, { id: png.id, name: 'cat.png', mime: 'image/png', size: 12.5, url: '/uploads/cat_0123456789.png', provider: 'local' })
  t.same(body.data.gallery.map((f: { id: number }) => f.id), [png2.id, mp4.id], 'order kept, duplicates dropped')
  t.equal(body.data.seo.shareImage.id, png.id)
  t.equal(body.data.blocks[0].file.id, txt.id)

  const star = await get(`/api/articles/${documentId}`, { populate: '*' })
  t.equal(star.body.data.cover.id, png.id, 'populate=* fills root media')
  t.notOk('shareImage' in star.body.data.seo, 'but not a component\'s media')
  const fields = await get(`/api/articles/${documentId}`, { populate: { cover: { fields: ['url'] } } })
  t.same(fields.body.data.cover, { id: png.id, documentId: png.documentId, url: '/uploads/cat_0123456789.png' })
  const plain = await get(`/api/articles/${documentId}`)
  t.notOk('cover' in plain.body.data, 'never without populate')

  const rows = await links()
  const article = rows.filter(r => r.related_type === 'api::article.article')
  const owners = [...new Set(article.map(r => r.related_id))]
  t.equal(owners.length, 2, 'a REST create links the draft and the published row')
  for (const owner of owners) {
    t.same(article.filter(r => r.related_id === owner).map(r => [r.field, r.file_id, r.order]), [['cover', png.id, 1], ['gallery', png2.id, 1], ['gallery', mp4.id, 2]])
  }
  t.ok(rows.some(r => r.related_type === 'shared.seo' && r.field === 'shareImage' && r.file_id === png.id), 'a component\'s media is linked to the component row')
  t.ok(rows.some(r => r.related_type === 'shared.media-block' && r.field === 'file' && r.file_id === txt.id))
})

t.test('updates: set, connect, disconnect, null and []', async (t) => {
  const { body } = await send('POST', '/api/articles', { title: 'U', gallery: { connect: [png.id, mp4.id] } })
  const url = `/api/articles/${String(body.data.documentId)}`
  const gallery = async (): Promise<number[]> => (await get(url, { populate: ['gallery', 'cover'] })).body.data.gallery.map((f: { id: number }) => f.id)
  t.same(await gallery(), [png.id, mp4.id], 'connect on create is applied (beyond Strapi)')
  t.equal((await send('PUT', url, { gallery: { connect: [png2.id], disconnect: [png.id] } })).status, 200)
  t.same(await gallery(), [mp4.id, png2.id])
  await send('PUT', url, { gallery: { set: [png.documentId] }, cover: png2.id })
  t.same(await gallery(), [png.id])
  t.equal((await get(url, { populate: 'cover' })).body.data.cover.id, png2.id)
  await send('PUT', url, { title: 'kept' })
  t.same(await gallery(), [png.id], 'an omitted media attribute is unchanged')
  await send('PUT', url, { gallery: [], cover: null })
  t.same(await gallery(), [])
  t.equal((await get(url, { populate: 'cover' })).body.data.cover, null)
})

t.test('allowedTypes, multiple and unknown files → 400, nothing written', async (t) => {
  const before = (await links()).length
  const count = await documents('api::article.article').count({})
  const wrongType = await send('POST', '/api/articles', { title: 'W', cover: mp4.id })
  t.equal(wrongType.status, 400)
  t.match(wrongType.body.error, { name: 'ValidationError', message: /cover does not accept file \d+ of type video\/mp4/ })
  t.equal((await send('POST', '/api/articles', { title: 'W', gallery: [png.id, txt.id] })).status, 400, 'text is not an image or a video')
  const two = await send('POST', '/api/articles', { title: 'W', cover: [png.id, png2.id] })
  t.equal(two.status, 400)
  t.match(two.body.error.message, /cover takes one file/)
  const unknown = await send('POST', '/api/articles', { title: 'W', cover: 99999 })
  t.equal(unknown.status, 400)
  t.match(unknown.body.error, { name: 'ValidationError', message: '1 relation(s) of type plugin::upload.file associated with this entity do not exist', details: { errors: [{ path: [] }] } })
  const unknownDoc = await send('POST', '/api/articles', { title: 'W', cover: 'nosuchdocument' })
  t.match(unknownDoc.body.error, { message: 'Document with id "nosuchdocument", locale "null" not found' })
  t.equal((await send('POST', '/api/articles', { title: 'W', blocks: [{ __component: 'shared.media-block', file: [png.id, png2.id] }] })).status, 400, 'in a zone too')
  t.equal((await links()).length, before)
  t.equal(await documents('api::article.article').count({}), count)
})

t.test('filters on media', async (t) => {
  const a = await send('POST', '/api/articles', { title: 'F1', cover: png.id, gallery: [mp4.id], seo: { metaTitle: 'x', shareImage: png2.id } })
  const b = await send('POST', '/api/articles', { title: 'F2', seo: { metaTitle: 'y' } })
  const titles = async (filters: unknown): Promise<string[]> => {
    const res = await get('/api/articles', { filters: { $and: [{ title: { $in: ['F1', 'F2'] } }, filters] }, sort: 'title' })
    t.equal(res.status, 200, JSON.stringify(filters))
    return res.body.data.map((e: { title: string }) => e.title)
  }
  t.same(await titles({ cover: { id: { $null: true } } }), ['F2'])
  t.same(await titles({ cover: { id: { $notNull: true } } }), ['F1'])
  t.same(await titles({ cover: png.id }), ['F1'])
  t.same(await titles({ cover: { mime: { $startsWith: 'image/' } } }), ['F1'])
  t.same(await titles({ gallery: { name: { $eq: 'clip.mp4' } } }), ['F1'])
  t.same(await titles({ seo: { shareImage: { id: { $notNull: true } } } }), ['F1'])
  for (const key of ['folderPath', 'related', 'folder']) {
    const res = await get('/api/articles', { filters: { cover: { [key]: { $null: true } } } })
    t.equal(res.status, 400, key)
    t.match(res.body.error.message, /Invalid key/)
  }
  t.ok(a.status === 201 && b.status === 201)
})

t.test('draft & publish: publishing copies the draft\'s links; a draft change leaves the published row', async (t) => {
  const articles = documents('api::article.article')
  const draft = await articles.create({ data: { title: 'P', cover: png.id, gallery: [png2.id, mp4.id] } })
  await articles.publish({ documentId: draft.documentId })
  const published = await articles.findOne({ documentId: draft.documentId, status: 'published', populate: ['cover', 'gallery'] })
  t.equal((published?.cover as { id: number }).id, png.id)
  t.same((published?.gallery as Array<{ id: number }>).map(f => f.id), [png2.id, mp4.id])
  await articles.update({ documentId: draft.documentId, data: { cover: png2.id } })
  const again = await articles.findOne({ documentId: draft.documentId, status: 'published', populate: ['cover'] })
  t.equal((again?.cover as { id: number }).id, png.id, 'the published row keeps its link')
  const rows = (await links()).filter(r => r.related_type === 'api::article.article' && r.field === 'cover')
  t.ok(rows.some(r => r.related_id === published?.id), 'the published row has link rows of its own')
})

t.test('locales own their links', async (t) => {
  const pages = documents('api::page.page')
  const en = await pages.create({ data: { title: 'en', banner: png.id }, locale: 'en' })
  await pages.update({ documentId: en.documentId, locale: 'fr', data: { title: 'fr', banner: png2.id } })
  const banner = async (locale: string): Promise<number> => ((await pages.findOne({ documentId: en.documentId, locale, populate: ['banner'] }))?.banner as { id: number }).id
  t.equal(await banner('en'), png.id)
  t.equal(await banner('fr'), png2.id)
})

t.test('deleting an entry removes only its link rows; deleting a file removes its links', async (t) => {
  const cat = await file('gone', 'image/png')
  const one = await send('POST', '/api/articles', { title: 'D1', cover: cat.id, seo: { metaTitle: 'z', shareImage: cat.id } })
  const two = await send('POST', '/api/articles', { title: 'D2', cover: cat.id })
  const mine = async (): Promise<number> => (await links()).filter(r => r.file_id === cat.id).length
  t.equal(await mine(), 6, 'draft and published rows: 2 covers and 2 component links, then 2 covers')
  t.equal((await app.inject({ method: 'DELETE', url: `/api/articles/${String(one.body.data.documentId)}` })).statusCode, 204)
  t.equal(await mine(), 2, 'its own links (component ones included) are gone, the other entry\'s stay')
  t.ok(await documents('plugin::upload.file').findOne({ documentId: cat.documentId }), 'the file stays in the library')
  await documents('plugin::upload.file').delete({ documentId: cat.documentId })
  t.equal(await mine(), 0)
  t.equal((await get(`/api/articles/${String(two.body.data.documentId)}`, { populate: 'cover' })).body.data.cover, null)
})
