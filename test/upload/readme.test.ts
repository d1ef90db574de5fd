/**
 * The README's "Media library" examples run as written: the curl commands with real bash and curl against a
 * listening app on the media model, and the S3 configuration against a real S3-compatible server (s3rver).
 */
import { spawn } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import S3rver from 's3rver'
import t from 'tap'
import vellumPlugin, { type VellumOptions } from '../../lib/index.js'
import { buildApp } from '../helpers/app.js'
import { createTestDatabase, databaseOption } from '../helpers/db.js'
import { MEDIA_COMPONENTS, MEDIA_CONTENT_TYPES } from '../helpers/media-model.js'
import { plain } from '../helpers/process.js'
import { makeImage, tempDir } from './helpers.js'
import { fromRoot } from '../helpers/paths.js'

const readme = await readFile(fromRoot('README.md'), 'utf8')
const section = readme.slice(readme.indexOf('\n## Media library\n'), readme.indexOf('\n## The Document Service and the Query Engine\n'))
const shell = /```sh\n([\s\S]*?)```/.exec(section)?.[1]
const [config, listener] = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map(match => match[1])

async function run (script: string, cwd: string, env: Record<string, string>): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const bash = spawn(...plain('bash', ['-c', script]), { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  bash.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  bash.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const code = await new Promise<number | null>(resolve => bash.on('exit', resolve))
  return { code, stdout, stderr }
}

t.test('the README\'s curl commands upload a file, link it as a cover and read it back', async (t) => {
  t.ok(shell?.includes('/api/upload'), 'the example is found')
  const dir = await tempDir(t, 'vellum-readme-media-')
  const app = await buildApp(t, { dir, contentTypes: MEDIA_CONTENT_TYPES, components: MEDIA_COMPONENTS, apiToken: { salt: 'readme-salt' } })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const port = (app.server.address() as { port: number }).port
  const { accessKey } = await app.vellum.auth.tokens.create({ name: 'readme', type: 'full-access' })
  const { documentId } = await app.vellum.documents('api::article.article').create({ data: { title: 'A cat' } })
  await writeFile(join(dir, 'cat.png'), await makeImage(400, 300, 'png'))
  // Every curl fails on a non-2xx answer and prints what it got; the README's localhost:1337 is this app.
  const script = `set -e\ncurl () { command curl --fail-with-body -sS "$@"; echo; }\n${shell!.replaceAll('localhost:1337', `127.0.0.1:${port}`)}`
  const { code, stdout, stderr } = await run(script, dir, { TOKEN: accessKey, DOC: documentId })
  t.equal(code, 0, `every command answered 2xx ${stderr}`)
  const [uploaded, , read] = stdout.trim().split('\n').map(line => JSON.parse(line) as any)
  t.match(uploaded, [{ id: 1, name: 'cat.png', alternativeText: 'A cat', width: 400, height: 300, mime: 'image/png', formats: { thumbnail: { width: 208, height: 156 } } }])
  t.same(read.data.cover, { id: 1, documentId: uploaded[0].documentId, url: uploaded[0].url }, 'the cover, populated with its url only')
  t.equal((await fetch(`http://127.0.0.1:${port}${String(uploaded[0].url)}`)).status, 200, 'the file is served at its url')
})

t.test('the README\'s S3 configuration stores uploads under rootPath in a private bucket and answers signed URLs', async (t) => {
  t.ok(config?.includes("provider: 'aws-s3'"), 'the example is found')
  const server = new S3rver({ port: 0, address: '127.0.0.1', directory: await tempDir(t, 'vellum-readme-s3-'), silent: true })
  const { port } = await server.run()
  const endpoint = `http://127.0.0.1:${port}`
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }
  const s3 = new S3Client({ region: 'eu-west-1', endpoint, forcePathStyle: true, credentials })
  t.teardown(async () => {
    s3.destroy()
    await server.close()
  })
  await s3.send(new CreateBucketCommand({ Bucket: 'site-media' }))
  const saved = { ...process.env }
  Object.assign(process.env, { S3_ENDPOINT: endpoint, S3_KEY: credentials.accessKeyId, S3_SECRET: credentials.secretAccessKey })
  t.teardown(() => { process.env = saved })

  const app = Fastify({ logger: false, pluginTimeout: 120_000 })
  t.teardown(() => app.close())
  const database = databaseOption(await createTestDatabase(t))
  // The README's `vellum`, given this test's database.
  const vellum = fastifyPlugin<VellumOptions>(async (instance, options) => { await instance.register(vellumPlugin, { ...options, database, apiToken: { salt: 'readme-salt' } }) })
  const AsyncFunction = (async () => {}).constructor as new (...args: string[]) => (app: FastifyInstance, vellum: unknown) => Promise<void>
  await new AsyncFunction('app', 'vellum', config!)(app, vellum)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  const { accessKey } = await app.vellum.auth.tokens.create({ name: 'readme', type: 'full-access' })
  const body = new FormData()
  body.append('files', new Blob([await makeImage(600, 400, 'jpeg')]), 'photo.jpg')
  const answer = await fetch(`${base}/api/upload`, { method: 'POST', body, headers: { authorization: `Bearer ${accessKey}` } })
  t.equal(answer.status, 201)
  const [file] = await answer.json() as Array<{ hash: string, url: string, isUrlSigned: boolean, formats: Record<string, { url: string }> }>
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'site-media' }))
  t.same((listed.Contents ?? []).map(object => object.Key).sort(), [`media/${file!.hash}.jpg`, `media/small_${file!.hash}.jpg`, `media/thumbnail_${file!.hash}.jpg`], 'the original and its formats under rootPath')
  t.equal(file!.isUrlSigned, true)
  t.match(file!.url, /X-Amz-Signature=/, 'the private object is answered with a signed URL')
  t.equal((await fetch(file!.url)).status, 200, 'which fetches it')
})

t.test('the README\'s media.delete listener is called with the deleted file', async (t) => {
  t.ok(listener?.includes("events.on('media.delete'"), 'the example is found')
  const app = await buildApp(t, { dir: await tempDir(t, 'vellum-readme-events-'), apiToken: { salt: 'readme-salt' } })
  const purged: string[] = []
  const AsyncFunction = (async () => {}).constructor as new (...args: string[]) => (app: FastifyInstance, purgeCdn: (url: string) => Promise<void>) => Promise<void>
  await new AsyncFunction('app', 'purgeCdn', listener!)(app, async (url) => { purged.push(url) })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  const headers = { authorization: `Bearer ${(await app.vellum.auth.tokens.create({ name: 'readme', type: 'full-access' })).accessKey}` }
  const body = new FormData()
  body.append('files', new Blob([Buffer.from('gone soon')]), 'old.txt')
  const [file] = await (await fetch(`${base}/api/upload`, { method: 'POST', body, headers })).json() as Array<{ id: number, url: string }>
  t.same(purged, [], 'nothing purged on upload')
  t.equal((await fetch(`${base}/api/upload/files/${file!.id}`, { method: 'DELETE', headers })).status, 200)
  t.same(purged, [file!.url], 'the deleted file\'s URL purged')
})
