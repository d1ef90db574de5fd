import t, { type Test } from 'tap'
import { spawn } from 'node:child_process'
import { cp, mkdtemp, rm, stat } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildServer, configFromEnv } from '../../lib/server.js'
import { createPostgresDatabase, usingPostgres } from '../helpers/db.js'
import { plain } from '../helpers/process.js'
import { root } from '../helpers/paths.js'

/** A private copy of the example project, so its embedded database starts empty and is thrown away. */
async function copyExample (t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vellum-example-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await cp(join(root, 'examples', 'blog'), dir, { recursive: true, filter: (source) => !source.includes('.vellum') })
  return dir
}

async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => { typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')) })
    })
  })
}

async function databaseEnv (t: Test): Promise<Record<string, string>> {
  return usingPostgres() ? { DATABASE_URL: (await createPostgresDatabase(t)).url } : { DATABASE_URL: '' }
}

t.test('`vellum start --dir <project>` serves the project, logs a summary and shuts down on SIGTERM', async (t) => {
  const dir = await copyExample(t)
  const port = await freePort()
  const child = spawn(...plain(process.execPath, [join(root, 'bin', 'vellum.js'), 'start', '--dir', dir]), {
    env: { ...process.env, ...(await databaseEnv(t)), HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })

  const deadline = Date.now() + 60_000
  while (!output.includes('listening on') && Date.now() < deadline && child.exitCode === null) {
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  t.match(output, /5 content types, \d+ routes, listening on http:\/\/127\.0\.0\.1:\d+/, 'the server started')
  const response = await fetch(`http://127.0.0.1:${port}/_health`)
  t.equal(response.status, 200)
  t.same(await response.json(), { status: 'ok' })

  const lines = output.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>)
  t.ok(lines.some((l) => l.msg === 'content type loaded' && l.uid === 'api::article.article'), 'content types are logged')
  t.notOk(lines.some((l) => l.msg === 'route'), 'routes are logged at debug only')
  t.notOk(output.includes('console'), 'everything goes through the logger')

  child.kill('SIGTERM')
  t.equal(await exited, 0, 'graceful shutdown exits 0')
  t.ok(lines.length > 0 && output.includes('shutting down'))
})

t.test('buildServer reads vellum.config.json and keeps embedded data in <project>/.vellum/data', async (t) => {
  const dir = await copyExample(t)
  const env = await databaseEnv(t)
  const config = configFromEnv(dir, { ...env, LOG_LEVEL: 'silent' })
  const app = await buildServer(config)
  t.teardown(() => app.close())
  await app.ready()
  t.same(app.vellum.config.i18n, { locales: ['en', 'fr'], defaultLocale: 'en' }, 'options come from vellum.config.json')
  t.equal(app.vellum.config.permissions.public, '*')
  t.equal(app.vellum.config.rest.maxLimit, 100)
  if (!usingPostgres()) t.same(app.vellum.config.database, { pglite: join(dir, '.vellum', 'data') })
})

t.test('the standalone server serves uploads: public/uploads made at boot, /uploads beside its own 404 handler', async (t) => {
  const dir = await copyExample(t)
  const app = await buildServer(configFromEnv(dir, { ...(await databaseEnv(t)), LOG_LEVEL: 'silent', API_TOKEN_SALT: 'standalone-salt' }))
  t.teardown(() => app.close())
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.ok((await stat(join(dir, 'public', 'uploads'))).isDirectory(), 'the local provider\'s folder exists before any upload')
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const { accessKey } = await app.vellum.auth.tokens.create({ name: 'uploader', type: 'full-access' })
  const body = new FormData()
  body.append('files', new Blob(['hello, vellum']), 'hello.txt')
  const uploaded = await fetch(`${base}/api/upload`, { method: 'POST', body, headers: { authorization: `Bearer ${accessKey}` } })
  t.equal(uploaded.status, 201)
  const [file] = await uploaded.json() as Array<{ url: string }>
  const served = await fetch(`${base}${file!.url}`)
  t.equal(served.status, 200)
  t.equal(await served.text(), 'hello, vellum')
  const missing = await fetch(`${base}/uploads/nothing.txt`)
  t.equal(missing.status, 404)
  t.same(await missing.json(), { data: null, error: { status: 404, name: 'NotFoundError', message: 'Not Found', details: {} } })
  t.equal((await fetch(`${base}/nowhere`)).status, 404, 'the server\'s own 404 still answers elsewhere')
})

t.test('configFromEnv reads HOST, PORT, DATABASE_URL and LOG_LEVEL', async (t) => {
  t.same(configFromEnv('/tmp/p', {}), { dir: '/tmp/p', host: '0.0.0.0', port: 1337, logLevel: 'info' })
  t.same(configFromEnv('/tmp/p', { HOST: '127.0.0.1', PORT: '8080', DATABASE_URL: 'postgres://x@y/z', LOG_LEVEL: 'debug' }),
    { dir: '/tmp/p', host: '127.0.0.1', port: 8080, databaseUrl: 'postgres://x@y/z', logLevel: 'debug' })
  t.throws(() => configFromEnv('/tmp/p', { PORT: 'eighty' }), /PORT must be a port number, got "eighty"/)
})
