import t from 'tap'
import { writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { cliEnv, collectionType, freePort, runCli, spawnCli, tempProject, type Running } from './helpers.js'

/** An access line: strapi::logger's or the standalone server's, in one shape. */
function isAccessLine (line: Record<string, unknown>): boolean {
  return typeof line.method === 'string' && typeof line.statusCode === 'number' && typeof line.responseTime === 'number'
}

/** The log lines after the first `from`, once `count` access lines are there, plus a moment for any extra line. */
async function accessLinesAfter (server: Running, from: number, count: number): Promise<Array<Record<string, unknown>>> {
  const deadline = Date.now() + 10_000
  while (server.logLines().slice(from).filter(isAccessLine).length < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  await new Promise((resolve) => setTimeout(resolve, 300))
  return server.logLines().slice(from)
}

t.test('a missing project directory is one line, exit code 1', async (t) => {
  const missing = join(await tempProject(t, {}), 'nowhere')
  const result = await runCli(['start', '--dir', missing], await cliEnv(t))
  t.equal(result.code, 1)
  t.equal(result.stderr, `vellum: project directory ${missing} does not exist\n`)
  t.equal(result.stdout, '')

  const file = join(await tempProject(t, { 'schema.json': {} }), 'schema.json')
  const notDir = await runCli(['start', '--dir', file], await cliEnv(t))
  t.equal(notDir.code, 1)
  t.equal(notDir.stderr, `vellum: project directory ${file} is not a directory\n`)
})

t.test('a broken schema is vellum\'s own message, without a stack, exit code 1', async (t) => {
  const dir = await tempProject(t, {
    'src/api/item/content-types/item/schema.json': collectionType('item', 'items', { title: { type: 'strng' } })
  })
  const result = await runCli(['start', '--dir', dir], await cliEnv(t, { PORT: String(await freePort()) }))
  t.equal(result.code, 1)
  // The problem list keeps its lines; nothing else is printed.
  t.equal(result.stderr, `vellum: Invalid content types (1 problem):\n${dir}/src/api/item/content-types/item/schema.json: attribute "title": unknown type "strng" (did you mean "string"?)\n`)
  t.notMatch(result.stderr, /\n\s+at /, 'no stack')
})

t.test('a DATABASE_URL that is no URL, or a server that does not answer, is one line without the password, exit code 1', async (t) => {
  const dir = await tempProject(t, { 'src/api/item/content-types/item/schema.json': collectionType('item', 'items') })
  const invalid = await runCli(['start', '--dir', dir], await cliEnv(t, { DATABASE_URL: 'x' }))
  t.equal(invalid.code, 1)
  t.match(invalid.stderr, /^vellum: Invalid PostgreSQL URL x: [^\n]+\n$/)
  const unreachable = await runCli(['start', '--dir', dir], await cliEnv(t, { DATABASE_URL: 'postgres://postgres:s3cret@127.0.0.1:1/x' }))
  t.equal(unreachable.code, 1)
  t.match(unreachable.stderr, /^vellum: Could not connect to PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/x: [^\n]+\n$/)
  t.notMatch(unreachable.stderr + unreachable.stdout, /s3cret/)
})

t.test('a busy port is one line naming host:port and suggesting PORT, exit code 1', async (t) => {
  const dir = await tempProject(t, { 'src/api/item/content-types/item/schema.json': collectionType('item', 'items') })
  const busy = createServer()
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { busy.close() })
  const address = busy.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  const result = await runCli(['start', '--dir', dir], await cliEnv(t, { PORT: String(port) }))
  t.equal(result.code, 1)
  t.equal(result.stderr, `vellum: cannot listen on 127.0.0.1:${port}: the port is already in use (stop the other process, or set PORT to another port)\n`)
  t.notMatch(result.stderr + result.stdout, /EADDRINUSE|\n\s+at /, 'no raw error, no stack')
})

t.test('a project with no content types: one warning through pino, and the server still runs; one access line per request', async (t) => {
  const dir = await tempProject(t, { 'vellum.config.json': { permissions: { public: '*' } } })
  const port = await freePort()
  // debug: also shows that a project without TypeScript files never loads tsx.
  const server = spawnCli(t, ['start', '--dir', dir], await cliEnv(t, { PORT: String(port), LOG_LEVEL: 'debug' }))
  await server.waitFor(/listening on http:\/\/127\.0\.0\.1:\d+/)
  const warnings = server.logLines().filter(line => line.level === 40)
  t.same(warnings.map(line => line.msg), [`no content types found in ${dir}/src/api/*/content-types/*/schema.json`], 'one warning')
  t.match(server.stdout(), /"msg":"0 content types, \d+ routes, listening on http:\/\/127\.0\.0\.1:\d+"/)
  t.ok(server.logLines().some(line => line.level === 20 && line.msg === 'route' && line.url === '/_health'), 'routes are logged at debug')
  t.notOk(server.logLines().some(line => line.msg === 'project TypeScript files load through tsx'), 'no TypeScript loader for a JSON-only project')

  const before = server.logLines().length
  const urls = ['/_health', '/_health', '/api/items', '/nowhere', '/_health']
  for (const url of urls) await (await fetch(`http://127.0.0.1:${port}${url}`)).arrayBuffer()
  t.same((await (await fetch(`http://127.0.0.1:${port}/_health`)).json()), { status: 'ok' }, 'the server runs')
  const lines = await accessLinesAfter(server, before, urls.length + 1)
  const access = lines.filter(isAccessLine)
  t.same(access.map(line => `${String(line.method)} ${String(line.url)} ${String(line.statusCode)}`),
    ['GET /_health 200', 'GET /_health 200', 'GET /api/items 404', 'GET /nowhere 404', 'GET /_health 200', 'GET /_health 200'],
    'exactly one access line per request, 404s outside vellum\'s routes included')
  t.same(lines.filter(line => !isAccessLine(line)), [], 'nothing else is logged per request')
  t.notOk(server.stdout().includes('incoming request') || server.stdout().includes('request completed'), 'not Fastify\'s two lines')

  server.child.kill('SIGTERM')
  t.equal(await server.exited, 0)
})

t.test('without strapi::logger in config/middlewares, the server writes the one access line itself', async (t) => {
  const dir = await tempProject(t, {
    'src/api/item/content-types/item/schema.json': collectionType('item', 'items'),
    'vellum.config.json': { permissions: { public: '*' } },
    'config/middlewares.js': "export default ['strapi::errors', 'strapi::query', 'strapi::body']\n"
  })
  const port = await freePort()
  const server = spawnCli(t, ['start', '--dir', dir], await cliEnv(t, { PORT: String(port) }))
  await server.waitFor(/1 content type, \d+ routes, listening on/)
  const before = server.logLines().length
  const count = 7
  for (let i = 0; i < count; i++) await (await fetch(`http://127.0.0.1:${port}/api/items`)).arrayBuffer()
  const created = await fetch(`http://127.0.0.1:${port}/api/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: { name: 'x' } }) })
  t.equal(created.status, 201)
  const lines = await accessLinesAfter(server, before, count + 1)
  t.equal(lines.filter(isAccessLine).length, count + 1, 'N requests, N access lines')
  t.equal(lines.length, count + 1, 'and nothing else')
  server.child.kill('SIGTERM')
  t.equal(await server.exited, 0)
})

t.test('LOG_PRETTY without pino-pretty installed: one warning, then JSON', async (t) => {
  const dir = await tempProject(t, { 'src/api/item/content-types/item/schema.json': collectionType('item', 'items') })
  await writeFile(join(dir, 'package.json'), '{"type":"module"}')
  const port = await freePort()
  const server = spawnCli(t, ['start', '--dir', dir], await cliEnv(t, { PORT: String(port), LOG_PRETTY: '1' }))
  await server.waitFor(/listening on/)
  const warnings = server.logLines().filter(line => line.level === 40)
  t.same(warnings.map(line => line.msg), ['LOG_PRETTY is set but pino-pretty is not installed (npm install --save-dev pino-pretty): logging JSON'])
  server.child.kill('SIGTERM')
  t.equal(await server.exited, 0)
})

t.test('a project whose embedded database another process owns: one `vellum:` line naming it, exit code 1', async (t) => {
  const dir = await tempProject(t, { 'src/api/item/content-types/item/schema.json': collectionType('item', 'items') })
  // Embedded on purpose, whatever database the suite runs on: the lock is the embedded database's.
  const first = spawnCli(t, ['start', '--dir', dir], await cliEnv(t, { PORT: String(await freePort()), DATABASE_URL: '' }))
  await first.waitFor(/listening on/)
  const second = await runCli(['start', '--dir', dir], await cliEnv(t, { PORT: String(await freePort()), DATABASE_URL: '' }))
  t.equal(second.code, 1)
  t.match(second.stderr, new RegExp(`^vellum: The embedded database ${join(dir, '.vellum', 'data')} is already in use by process ${first.child.pid!} `))
  t.notMatch(second.stderr, /\n\s+at /, 'no stack')
  first.child.kill('SIGTERM')
  t.equal(await first.exited, 0)
})
