/**
 * `ref`/`refId`/`field` on POST /api/upload (contract §25.3, issue 16): the uploaded files are linked to an entry's
 * media attribute in the same request, by row id (Strapi) or documentId (beyond Strapi), on the draft and the
 * published row together; a wrong target is a 4xx with nothing stored.
 */
import t from 'tap'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { buildApp } from '../helpers/app.js'
import { MEDIA_COMPONENTS, MEDIA_CONTENT_TYPES } from '../helpers/media-model.js'
import { makeImage, tempDir } from './helpers.js'

t.test('attach on upload: single and multiple media, by id or documentId, draft and published rows', async (t) => {
  const dir = await tempDir(t, 'vellum-upload-attach-')
  const app = await buildApp(t, { dir, contentTypes: MEDIA_CONTENT_TYPES, components: MEDIA_COMPONENTS, permissions: { public: ['plugin::upload.content-api.upload', 'plugin::upload.content-api.find', 'api::article.article.create', 'api::article.article.findOne'] } })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  const base = `http://127.0.0.1:${address.port}`
  const png = await makeImage(300, 200, 'png')
  const upload = async (fields: Record<string, string>, count = 1): Promise<{ status: number, body: any }> => {
    const body = new FormData()
    for (let i = 0; i < count; i++) body.append('files', new Blob([png], { type: 'image/png' }), `p${i}.png`)
    for (const [key, value] of Object.entries(fields)) body.append(key, value)
    const answer = await fetch(`${base}/api/upload`, { method: 'POST', body })
    return { status: answer.status, body: await answer.json() }
  }
  const created = await (await fetch(`${base}/api/articles?status=published`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: { title: 'With media' } })
  })).json() as { data: { id: number, documentId: string } }
  const { documentId } = created.data

  const cover = await upload({ ref: 'api::article.article', refId: String(created.data.id), field: 'cover' })
  t.equal(cover.status, 201, JSON.stringify(cover.body).slice(0, 400))
  const read = async (status: string): Promise<any> =>
    ((await (await fetch(`${base}/api/articles/${documentId}?status=${status}&populate[0]=cover&populate[1]=gallery`)).json()) as { data: any }).data
  for (const status of ['published', 'draft']) t.equal((await read(status)).cover?.id, cover.body[0].id, `cover on the ${status} row`)

  const gallery = await upload({ ref: 'api::article.article', refId: documentId, field: 'gallery' }, 2)
  t.equal(gallery.status, 201)
  const more = await upload({ ref: 'api::article.article', refId: documentId, field: 'gallery' })
  t.same((await read('draft')).gallery.map((f: { id: number }) => f.id), [...gallery.body, ...more.body].map((f: { id: number }) => f.id), 'appended in order')
  const replaced = await upload({ ref: 'api::article.article', refId: documentId, field: 'cover' })
  t.equal((await read('published')).cover.id, replaced.body[0].id, 'a single media gets the new file')

  // The files route populates the entries a file is linked to, each with its __type (contract §25.3).
  const listed = await (await fetch(`${base}/api/upload/files?filters[id][$eq]=${String(replaced.body[0].id)}&populate=related`)).json() as Array<{ related: Array<Record<string, unknown>> }>
  t.same(listed[0]!.related.map(entry => [entry.__type, entry.documentId, entry.title]).sort(), [
    ['api::article.article', documentId, 'With media'], ['api::article.article', documentId, 'With media']
  ], 'the draft and the published row')
  const only = await (await fetch(`${base}/api/upload/files?filters[id][$eq]=${String(replaced.body[0].id)}&populate[related][on][api::article.article][fields][0]=title`)).json() as Array<{ related: Array<Record<string, unknown>> }>
  t.same(Object.keys(only[0]!.related[0]!).sort(), ['__type', 'documentId', 'id', 'title'], 'an on fragment chooses the fields of one type')

  const stored = (await readdir(join(dir, 'public', 'uploads'))).length
  const wrong: Array<[Record<string, string>, number, number?]> = [
    [{ ref: 'api::nope.nope', refId: '1', field: 'cover' }, 400],
    [{ ref: 'api::article.article', refId: '1', field: 'title' }, 400],
    [{ ref: 'api::article.article', refId: '999999', field: 'cover' }, 404],
    [{ ref: 'api::article.article', refId: 'no-such-document', field: 'cover' }, 404],
    [{ ref: 'api::article.article', field: 'cover' }, 400],
    [{ ref: 'api::article.article', refId: documentId, field: 'cover' }, 400, 2]
  ]
  for (const [fields, status, count] of wrong) t.equal((await upload(fields, count)).status, status, JSON.stringify(fields))
  t.equal((await readdir(join(dir, 'public', 'uploads'))).length, stored, 'a wrong target stores nothing')
})
