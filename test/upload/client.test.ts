/**
 * Strapi's official client (@strapi/client) `files` API against a listening vellum (issue 16): upload a Buffer
 * with fileInfo, find with filters and sort, findOne, update the info, delete; a deleted or unknown id is the
 * client's FileNotFoundError, no credential (the public role holds no upload action) its FileForbiddenError.
 */
import t from 'tap'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { strapi } from '@strapi/client'
import { buildApp } from '../helpers/app.js'
import { makeImage, tempDir } from './helpers.js'

const dir = await tempDir(t, 'vellum-upload-client-')
const app = await buildApp(t, { dir, permissions: { public: [] } })
await app.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.address()
if (address === null || typeof address === 'string') throw new Error('not listening on a port')
const baseURL = `http://127.0.0.1:${address.port}/api`
const token = await app.vellum.auth.tokens.create({ name: 'client files', type: 'full-access' })
const files = strapi({ baseURL, auth: token.accessKey }).files

/** What a call rejected with (null when it did not). */
const rejection = async (call: Promise<unknown>): Promise<unknown> => await call.then(() => null, (error: unknown) => error)

interface FileObject { id: number, name: string, alternativeText: string | null, caption: string | null, mime: string, url: string, hash: string, width: number | null }

t.test('upload, find, findOne, update and delete through client.files', async (t) => {
  const image = await makeImage(400, 300, 'png')
  const [uploaded] = await files.upload(image, { filename: 'cover.png', mimetype: 'image/png', fileInfo: { alternativeText: 'A cover', caption: 'First' } }) as FileObject[]
  t.match(uploaded, { name: 'cover.png', alternativeText: 'A cover', caption: 'First', mime: 'image/png', width: 400, url: /^\/uploads\/cover_[0-9a-f]{10}\.png$/ })
  const [text] = await files.upload(Buffer.from('plain words\n'), { filename: 'notes.txt', mimetype: 'text/plain' }) as FileObject[]
  t.equal(text?.mime, 'text/plain')

  const images = await files.find({ filters: { mime: { $startsWith: 'image/' } } }) as FileObject[]
  t.same(images.map(file => file.id), [uploaded!.id], 'find honours filters')
  t.same((await files.find({ sort: 'name:desc' }) as FileObject[]).map(file => file.name), ['notes.txt', 'cover.png'], 'and sort')

  t.match(await files.findOne(uploaded!.id), { id: uploaded!.id, hash: uploaded!.hash, alternativeText: 'A cover' })

  const updated = await files.update(uploaded!.id, { name: 'renamed.png', caption: 'Second' }) as FileObject
  t.match(updated, { id: uploaded!.id, name: 'renamed.png', caption: 'Second', alternativeText: 'A cover', url: uploaded!.url }, 'the info changes, the stored file does not')

  const deleted = await files.delete(uploaded!.id) as FileObject
  t.match(deleted, { id: uploaded!.id, name: 'renamed.png' }, 'delete answers the deleted file')
  const left = await readdir(join(dir, 'public', 'uploads'))
  t.notOk(left.some(name => name.includes(uploaded!.hash)), 'the original and its formats are gone from disk')
  const missing = await rejection(files.findOne(uploaded!.id)) as Error & { fileId?: number }
  t.equal(missing?.name, 'FileNotFoundError')
  t.equal(missing.fileId, uploaded!.id)
  t.equal((await rejection(files.delete(uploaded!.id)) as Error | null)?.name, 'FileNotFoundError', 'a second delete too')
})

t.test('without a credential the public role may not read the library: FileForbiddenError', async (t) => {
  const anonymous = strapi({ baseURL }).files
  t.equal((await rejection(anonymous.find()) as Error | null)?.name, 'FileForbiddenError')
  t.equal((await rejection(anonymous.upload(Buffer.from('x'), { filename: 'x.txt', mimetype: 'text/plain' })) as Error | null)?.name, 'FileForbiddenError')
})
