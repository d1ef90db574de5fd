/**
 * The upload content API over real HTTP (multipart through @fastify/multipart) on the local provider: create
 * with fileInfo, the reads, update and replace, delete, `/uploads` serving, the errors of contract §25.7, the
 * permissions, and no orphan object when a row cannot be written.
 */
import t, { type Test } from 'tap'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../helpers/app.js'
import { makeImage, tempDir } from './helpers.js'
import type { VellumOptions } from '../../lib/index.js'

interface Api {
  app: FastifyInstance
  base: string
  uploads: string
  send: (path: string, init?: RequestInit & { auth?: boolean }) => Promise<{ status: number, body: any, headers: Headers }>
}

async function start (t: Test, options: VellumOptions = {}): Promise<Api> {
  const dir = await tempDir(t, 'vellum-upload-api-')
  const app = await buildApp(t, { dir, ...options })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  const base = `http://127.0.0.1:${address.port}`
  const token = await app.vellum.auth.tokens.create({ name: 'uploads', type: 'full-access' })
  return {
    app,
    base,
    uploads: join(dir, 'public', 'uploads'),
    async send (path, { auth = true, ...init } = {}) {
      const headers = new Headers(init.headers)
      if (auth) headers.set('authorization', `Bearer ${token.accessKey}`)
      const answer = await fetch(`${base}${path}`, { ...init, headers })
      const text = await answer.text()
      return { status: answer.status, headers: answer.headers, body: text === '' ? null : JSON.parse(text) }
    }
  }
}

function form (files: Array<[Buffer, string, string?]>, fields: Record<string, string> = {}): FormData {
  const body = new FormData()
  for (const [bytes, name, type] of files) body.append('files', new Blob([bytes], { type: type ?? 'application/octet-stream' }), name)
  for (const [key, value] of Object.entries(fields)) body.append(key, value)
  return body
}

const FILE_KEYS = ['id', 'documentId', 'name', 'alternativeText', 'caption', 'focalPoint', 'width', 'height', 'formats', 'hash', 'ext', 'mime',
  'size', 'url', 'previewUrl', 'provider', 'provider_metadata', 'createdAt', 'updatedAt', 'publishedAt', 'isUrlSigned']

t.test('upload, read, update, replace and delete files; /uploads serves them', async (t) => {
  const api = await start(t)
  const jpeg = await makeImage(2000, 1500, 'jpeg')
  const created = await api.send('/api/upload', {
    method: 'POST',
    body: form([[jpeg, 'Été à Paris (1).jpg', 'image/jpeg'], [Buffer.from('hello world!'), 'notes.txt', 'text/plain']],
      { fileInfo: JSON.stringify([{ alternativeText: 'Paris', caption: 'summer' }, { name: 'Notes' }]) })
  })
  t.equal(created.status, 201)
  t.equal(created.body.length, 2)
  const [image, text] = created.body
  t.same(Object.keys(image), FILE_KEYS)
  t.match(image, { name: 'Été à Paris (1).jpg', alternativeText: 'Paris', caption: 'summer', width: 2000, height: 1500, ext: '.jpg', mime: 'image/jpeg', provider: 'local', isUrlSigned: false, previewUrl: null })
  t.match(image.hash, /^Ete_a_Paris_1_[0-9a-f]{10}$/)
  t.same(Object.keys(image.formats).sort(), ['large', 'medium', 'small', 'thumbnail'])
  t.match(text, { name: 'Notes', mime: 'text/plain', size: 0.01, width: null, formats: null, url: `/uploads/${String(text.hash)}.txt` })
  t.match(text.hash, /^Notes_[0-9a-f]{10}$/)
  t.equal((await readdir(api.uploads)).length, 6)
  const folder = await api.app.vellum.db.query('plugin::upload.folder').findMany({})
  t.match(folder, [{ name: 'API Uploads', path: '/1', pathId: 1 }])
  const row = await api.app.vellum.db.query('plugin::upload.file').findOne({ where: { id: image.id } }) as Record<string, unknown>
  t.equal(row.folderPath, '/1')

  const served = await fetch(`${api.base}${String(image.formats.small.url)}`)
  t.equal(served.status, 200)
  t.equal(served.headers.get('content-type'), 'image/jpeg')
  t.ok(served.headers.get('last-modified'))
  t.match(served.headers.get('cache-control'), /max-age=0/)
  t.equal(served.headers.get('x-content-type-options'), 'nosniff')
  t.equal((await served.arrayBuffer()).byteLength, image.formats.small.sizeInBytes)
  const missing = await fetch(`${api.base}/uploads/nothing_here.png`)
  t.equal(missing.status, 404)
  t.match(await missing.json(), { data: null, error: { status: 404, name: 'NotFoundError' } })

  const list = await api.send('/api/upload/files?sort=id:asc&pagination[pageSize]=1')
  t.same(list.body.map((f: { id: number }) => f.id), [image.id, text.id], 'a bare array of every file: pagination ignored')
  const images = await api.send('/api/upload/files?filters[mime][$startsWith]=image/')
  t.same(images.body.map((f: { id: number }) => f.id), [image.id])
  const named = await api.send('/api/upload/files?fields[0]=name&sort=id:desc')
  t.same(named.body.map((f: Record<string, unknown>) => Object.keys(f).sort()), [['documentId', 'id', 'isUrlSigned', 'name'], ['documentId', 'id', 'isUrlSigned', 'name']])
  t.equal((await api.send('/api/upload/files?filters[folderPath][$eq]=/1')).status, 400, 'private keys are refused')
  const page = await api.send('/api/upload/files/page?pagination[page]=2&pagination[pageSize]=1&sort=id:asc')
  t.same(page.body.meta, { pagination: { page: 2, pageSize: 1, pageCount: 2, total: 2 } })
  t.same(page.body.data.map((f: { id: number }) => f.id), [text.id])
  const one = await api.send(`/api/upload/files/${String(image.id)}`)
  t.same(Object.keys(one.body), FILE_KEYS)
  t.equal((await api.send('/api/upload/files/999999')).body.error.message, 'file.notFound')
  t.equal((await api.send('/api/upload/files/abc')).status, 400)

  const updated = await api.send(`/api/upload?id=${String(text.id)}`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fileInfo: { caption: 'edited', name: 'Renamed' } })
  })
  t.equal(updated.status, 200)
  t.match(updated.body, { id: text.id, caption: 'edited', name: 'Renamed', hash: text.hash, url: text.url })
  t.equal((await api.send('/api/upload?id=424242', { method: 'POST', body: form([], { fileInfo: '{}' }) })).status, 404)

  const replaced = await api.send(`/api/upload?id=${String(image.id)}`, { method: 'POST', body: form([[await makeImage(300, 200, 'jpeg'), 'smaller.jpg']]) })
  t.equal(replaced.status, 200)
  t.match(replaced.body, { id: image.id, hash: image.hash, url: image.url, ext: '.jpg', name: 'smaller.jpg', width: 300, height: 200, alternativeText: 'Paris' })
  t.same(Object.keys(replaced.body.formats), ['thumbnail'])
  t.same((await readdir(api.uploads)).sort(), [`${String(image.hash)}.jpg`, `${String(text.hash)}.txt`, `thumbnail_${String(image.hash)}.jpg`].sort(), 'the old formats are gone')

  const deleted = await api.send(`/api/upload/files/${String(image.id)}`, { method: 'DELETE' })
  t.equal(deleted.status, 200)
  t.match(deleted.body, { id: image.id, hash: image.hash })
  t.same(await readdir(api.uploads), [`${String(text.hash)}.txt`])
  t.equal((await fetch(`${api.base}${String(image.url)}`)).status, 404)
  const again = await api.send(`/api/upload/files/${String(image.id)}`, { method: 'DELETE' })
  t.match(again, { status: 404, body: { error: { name: 'NotFoundError', message: 'file.notFound' } } })
})

t.test('errors: no files, over the size limit (nothing stored), invalid names, bad fileInfo', async (t) => {
  const api = await start(t, { upload: { sizeLimit: 1_500_000 } })
  const empty = await api.send('/api/upload', { method: 'POST', body: form([], { fileInfo: '{}' }) })
  t.match(empty, { status: 400, body: { data: null, error: { name: 'ValidationError', message: 'Files are empty' } } })
  const json = await api.send('/api/upload', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
  t.match(json, { status: 400, body: { error: { message: 'Files are empty' } } })

  const tooBig = await api.send('/api/upload', { method: 'POST', body: form([[Buffer.from('ok'), 'small.txt'], [Buffer.alloc(1_600_000, 1), 'big.bin']]) })
  t.match(tooBig, { status: 413, body: { data: null, error: { status: 413, name: 'PayloadTooLargeError', message: 'big.bin exceeds size limit of 2 MB.', details: {} } } })
  t.same(await readdir(api.uploads).catch(() => []), [], 'neither file is stored')

  const badName = await api.send('/api/upload', { method: 'POST', body: form([[Buffer.from('x'), 'a:b.txt']]) })
  t.match(badName, { status: 400, body: { error: { name: 'ApplicationError', message: 'File name contains invalid characters' } } })
  const badInfo = await api.send('/api/upload', { method: 'POST', body: form([[Buffer.from('x'), 'a.txt']], { fileInfo: '{not json' }) })
  t.match(badInfo, { status: 400, body: { error: { name: 'ValidationError', message: 'fileInfo must be valid JSON' } } })
  const badFocal = await api.send('/api/upload', { method: 'POST', body: form([[Buffer.from('x'), 'a.txt']], { fileInfo: '{"focalPoint":{"x":120,"y":3}}' }) })
  t.equal(badFocal.status, 400)
  t.same(await readdir(api.uploads).catch(() => []), [])
  t.equal(await api.app.vellum.db.query('plugin::upload.file').count({}), 0)
})

t.test('a file row that cannot be written leaves no stored object, and earlier files of the request are undone', async (t) => {
  const api = await start(t)
  let calls = 0
  api.app.vellum.db.lifecycles.subscribe({
    models: ['plugin::upload.file'],
    beforeCreate () {
      if (++calls === 2) throw new Error('row write refused')
    }
  })
  const failed = await api.send('/api/upload', { method: 'POST', body: form([[await makeImage(600, 400, 'png'), 'one.png'], [Buffer.from('two'), 'two.txt']]) })
  t.equal(failed.status, 500)
  t.same(await readdir(api.uploads), [], 'no object of either file stays')
  t.equal(await api.app.vellum.db.query('plugin::upload.file').count({}), 0, 'nor a row')
})

t.test('media.create, media.update and media.delete are emitted inside the write\'s transaction, without private fields', async (t) => {
  const api = await start(t)
  const seen: Array<{ event: string, id: unknown, keys: string[], inTransaction: boolean }> = []
  api.app.vellum.events.on('*', ({ event, media }) => {
    seen.push({ event, id: media.id, keys: Object.keys(media), inTransaction: api.app.vellum.db.inTransaction() })
  })
  const [file] = (await api.send('/api/upload', { method: 'POST', body: form([[Buffer.from('first'), 'a.txt']]) })).body
  t.equal((await api.send(`/api/upload?id=${String(file.id)}`, { method: 'POST', body: form([], { fileInfo: JSON.stringify({ caption: 'c' }) }) })).status, 200)
  t.equal((await api.send(`/api/upload/files/${String(file.id)}`, { method: 'DELETE' })).status, 200)
  t.same(seen.map(({ event, id, inTransaction }) => [event, id, inTransaction]), [
    ['media.create', file.id, true], ['media.update', file.id, true], ['media.delete', file.id, true]
  ])
  t.notOk(seen.some(({ keys }) => keys.includes('folder') || keys.includes('folderPath')), 'private fields stay out')

  // A listener that throws undoes the change it was told about: no row, no stored object.
  const stop = api.app.vellum.events.on('media.create', () => { throw new Error('listener refused') })
  const refused = await api.send('/api/upload', { method: 'POST', body: form([[await makeImage(300, 200, 'png'), 'b.png']]) })
  t.equal(refused.status, 500)
  t.equal(await api.app.vellum.db.query('plugin::upload.file').count({}), 0, 'the row rolled back')
  t.same(await readdir(api.uploads), [], 'the objects removed')
  stop()
  t.equal((await api.send('/api/upload', { method: 'POST', body: form([[Buffer.from('again'), 'c.txt']]) })).status, 201, 'a stopped listener is not called')
})

t.test('permissions: the public role holds no upload action; a granted one opens its route only', async (t) => {
  const api = await start(t, { permissions: { public: ['plugin::upload.content-api.find'] } })
  const routes: Array<[string, string]> = [['POST', '/api/upload'], ['GET', '/api/upload/files/1'], ['GET', '/api/upload/files/page'], ['DELETE', '/api/upload/files/1']]
  for (const [method, path] of routes) {
    const answer = await api.send(path, { method, auth: false, ...(method === 'POST' && { body: form([[Buffer.from('x'), 'x.txt']]) }) })
    t.match(answer, { status: 403, body: { data: null, error: { name: 'ForbiddenError' } } }, `${method} ${path}`)
  }
  t.same((await api.send('/api/upload/files', { auth: false })).body, [])
  t.same(await readdir(api.uploads).catch(() => []), [])
  const roles = await api.send('/api/users-permissions/permissions')
  t.same(Object.keys(roles.body.permissions['plugin::upload'].controllers['content-api']).sort(), ['destroy', 'find', 'findOne', 'findPage', 'upload'])
})
