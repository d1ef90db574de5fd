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

t.test('invalid upload options are refused at startup', async (t) => {
  const cases: Array<[string, VellumOptions['upload'], RegExp]> = [
    ['an unknown provider name', { provider: 'gcs' as 'local' }, /\/upload\/provider/],
    ['a provider object without upload/delete', { provider: { nothing: true } as unknown as UploadProvider }, /\/upload\/provider/],
    ['a negative sizeLimit', { sizeLimit: -1 }, /\/upload\/sizeLimit/],
    ['a breakpoint that is not a number', { breakpoints: { large: 'big' as unknown as number } }, /\/upload\/breakpoints\/large/],
    ['aws-s3 without s3Options', { provider: 'aws-s3' }, /s3Options/]
  ]
  for (const [name, upload, message] of cases) {
    const app = Fastify({ logger: false, pluginTimeout: 120_000 })
    t.teardown(() => app.close())
    const error = await app.register(vellum, { upload, database: databaseOption(await createTestDatabase(t)) }).ready().then(() => undefined, (e: unknown) => e)
    t.type(error, InvalidOptionsError, name)
    t.match((error as Error).message, message, name)
  }
})
