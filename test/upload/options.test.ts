/**
 * The `upload` option: a project's own provider object (Strapi's provider shape) receives the files of an HTTP
 * upload and their deletes; unknown providers and malformed settings are refused at startup.
 */
import t from 'tap'
import Fastify from 'fastify'
import { text } from 'node:stream/consumers'
import vellum, { type VellumOptions } from '../../lib/index.js'
import { InvalidOptionsError } from '../../lib/errors.js'
import type { ProviderFile, UploadProvider } from '../../lib/upload/index.js'
import { buildApp } from '../helpers/app.js'
import { createTestDatabase, databaseOption } from '../helpers/db.js'
import { makeImage } from './helpers.js'

t.test('a custom provider object stores and deletes through the routes; rows say provider "custom"', async (t) => {
  const objects = new Map<string, string>()
  const provider: UploadProvider = {
    async upload (file: ProviderFile) {
      objects.set(`${file.hash}${file.ext}`, file.buffer?.toString() ?? await text(file.getStream()))
      file.url = `https://files.example.com/${file.hash}${file.ext}`
      file.provider_metadata = { stored: 'in memory' }
    },
    delete (file: ProviderFile) { objects.delete(`${file.hash}${file.ext}`) }
  }
  const app = await buildApp(t, { upload: { provider }, permissions: { public: ['plugin::upload.content-api.upload', 'plugin::upload.content-api.destroy'] } })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  const body = new FormData()
  body.append('files', new Blob(['custom bytes']), 'custom.txt')
  const answer = await fetch(`http://127.0.0.1:${address.port}/api/upload`, { method: 'POST', body })
  t.equal(answer.status, 201)
  const [file] = await answer.json() as Array<{ id: number, hash: string, url: string, provider: string, provider_metadata: unknown }>
  t.match(file, { provider: 'custom', url: `https://files.example.com/${file!.hash}.txt`, provider_metadata: { stored: 'in memory' } })
  t.same([...objects], [[`${file!.hash}.txt`, 'custom bytes']])
  t.equal((await fetch(`http://127.0.0.1:${address.port}/api/upload/files/${file!.id}`, { method: 'DELETE' })).status, 200)
  t.same([...objects], [])
  t.equal((await fetch(`http://127.0.0.1:${address.port}/uploads/x.txt`)).status, 404, 'no /uploads route without the local provider')
})

t.test('upload.security: a type read from the content must be allowed and not denied; a refused file stores nothing', async (t) => {
  const objects = new Set<string>()
  const provider: UploadProvider = {
    async upload (file: ProviderFile) { objects.add(`${file.hash}${file.ext}`) },
    delete (file: ProviderFile) { objects.delete(`${file.hash}${file.ext}`) }
  }
  const app = await buildApp(t, {
    upload: { provider, security: { allowedTypes: ['image/*', 'text/plain'], deniedTypes: ['image/svg+xml'] } },
    permissions: { public: ['plugin::upload.content-api.upload'] }
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const send = async (...files: Array<[string | Buffer, string]>): Promise<{ status: number, body: any }> => {
    const body = new FormData()
    for (const [bytes, name] of files) body.append('files', new Blob([bytes]), name)
    const answer = await fetch(`http://127.0.0.1:${port}/api/upload`, { method: 'POST', body })
    return { status: answer.status, body: await answer.json() }
  }
  const png = await makeImage(40, 30, 'png')
  t.equal((await send([png, 'picture.txt'])).status, 201, 'PNG bytes under a .txt name: image/png, allowed')
  t.equal((await send(['plain words', 'notes.txt'])).status, 201, 'text/plain, allowed')
  const count = objects.size

  const pdf = await send(['%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n', 'report.png'])
  t.equal(pdf.status, 400, 'PDF bytes named .png are read as PDF, which is not allowed')
  t.match(pdf.body.error, { name: 'ValidationError', message: 'File type application/pdf is not allowed', details: { name: 'report.png', mime: 'application/pdf' } })
  const svg = await send([png, 'first.png'], ['<svg xmlns="http://www.w3.org/2000/svg"/>', 'logo.svg'])
  t.equal(svg.status, 400, 'a denied type within an allowed pattern')
  t.equal(svg.body.error.message, 'File type image/svg+xml is not allowed')
  t.equal(objects.size, count, 'nothing of a refused request stays stored, the allowed file before it included')
  t.equal(await app.vellum.db.query('plugin::upload.file').count({}), 2, 'nor a row')
})

t.test('invalid upload options are refused at startup', async (t) => {
  const cases: Array<[string, VellumOptions['upload'], RegExp]> = [
    ['an unknown provider name', { provider: 'gcs' as 'local' }, /\/upload\/provider/],
    ['a provider object without upload/delete', { provider: { nothing: true } as unknown as UploadProvider }, /\/upload\/provider/],
    ['a negative sizeLimit', { sizeLimit: -1 }, /\/upload\/sizeLimit/],
    ['a breakpoint that is not a number', { breakpoints: { large: 'big' as unknown as number } }, /\/upload\/breakpoints\/large/],
    ['aws-s3 without s3Options', { provider: 'aws-s3' }, /s3Options/],
    ['a security type that is not a MIME pattern', { security: { allowedTypes: ['images'] } }, /\/upload\/security\/allowedTypes\/0/]
  ]
  for (const [name, upload, message] of cases) {
    const app = Fastify({ logger: false, pluginTimeout: 120_000 })
    t.teardown(() => app.close())
    const error = await app.register(vellum, { upload, database: databaseOption(await createTestDatabase(t)) }).ready().then(() => undefined, (e: unknown) => e)
    t.type(error, InvalidOptionsError, name)
    t.match((error as Error).message, message, name)
  }
})
