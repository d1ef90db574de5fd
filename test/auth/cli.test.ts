/**
 * `vellum token create|list|revoke` (the built CLI, `npm run build` first) on a project's database: the key
 * printed once on stdout, accepted by `vellum start` on the same project afterwards (the embedded database has
 * one owner at a time, so the server runs between the commands), usage errors exit 2.
 */
import t from 'tap'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { callCli, cliEnv, collectionType, freePort, runCli, spawnCli, tempProject } from '../cli/helpers.js'

const A = 'api::article.article'
// Five CLI runs and a server, each opening the project's database: can pass the suite's 300 s per file on a busy machine.
t.setTimeout(600_000)

t.test('create prints the key once; list shows the token without it; the server accepts it; revoke ends it', async (t) => {
  const dir = await tempProject(t, {
    'src/api/article/content-types/article/schema.json': collectionType('article', 'articles', { title: { type: 'string' } }),
    // Everything public: a 403 below can only come from the token's own permissions.
    'vellum.config.json': { permissions: { public: '*' } }
  })
  const env = await cliEnv(t, { API_TOKEN_SALT: '' })

  const created = await runCli(['token', 'create', '--dir', dir, '--name', 'ci', '--type', 'custom', '--actions', `${A}.find, ${A}.findOne`, '--lifespan', '30'], env)
  t.equal(created.code, 0, created.stderr)
  t.match(created.stdout, /^[0-9a-f]{256}\n$/, 'stdout is the key alone')
  const key = created.stdout.trim()
  t.match(created.stderr, /^Created API token 1 "ci" \(custom, expires \d{4}-\d\d-\d\dT[\d:.]+Z\)\. Copy the key now: it is not shown again\.\n$/)
  t.match(await readFile(join(dir, '.vellum', 'api-token-salt'), 'utf8'), /\S/, 'a development salt was generated for the project')

  const listed = await runCli(['token', 'list', '--dir', dir], env)
  t.equal(listed.code, 0, listed.stderr)
  t.match(listed.stdout, /^id\s+name\s+type\s+expires\s+last used\s+actions\n1\s+ci\s+custom\s+\S+Z\s+never\s+api::article\.article\.find,api::article\.article\.findOne\n$/)
  t.notOk(listed.stdout.includes(key), 'list never shows the key')

  const port = await freePort()
  const server = spawnCli(t, ['start', '--dir', dir], { ...env, PORT: String(port) })
  await server.waitFor(/listening on/)
  const base = `http://127.0.0.1:${port}/api/articles`
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' }
  t.equal((await fetch(base, { headers })).status, 200, 'the token finds')
  const refused = await fetch(base, { method: 'POST', headers, body: JSON.stringify({ data: { title: 'x' } }) })
  t.equal(refused.status, 403, 'and may not create, though the public may')
  t.equal((await fetch(base, { headers: { authorization: `Bearer ${'0'.repeat(256)}` } })).status, 401)
  server.child.kill('SIGTERM')
  await server.exited
  t.notOk(server.stdout().includes(key) || server.stderr().includes(key), 'the key is in none of the server\'s logs')

  const relisted = await runCli(['token', 'list', '--dir', dir], env)
  t.match(relisted.stdout, /\n1\s+ci\s+custom\s+\S+Z\s+\d{4}-\S+Z\s+api::/, 'lastUsedAt written by the server')
  const revoked = await runCli(['token', 'revoke', '1', '--dir', dir], env)
  t.equal(revoked.code, 0, revoked.stderr)
  t.match(revoked.stdout, /^Revoked API token 1 "ci"/)
  const again = await runCli(['token', 'revoke', '1', '--dir', dir], env)
  t.same([again.code, again.stderr], [1, 'vellum: no API token 1\n'])
  t.equal((await runCli(['token', 'list', '--dir', dir], env)).stdout, 'id  name  type  expires  last used  actions\n')
})

t.test('bad arguments: one line pointing at the help, exit code 2; a bad type exit 1 with the reason', async (t) => {
  const env = await cliEnv(t)
  for (const [args, message] of [
    [['token'], 'token needs create, list or revoke'],
    [['token', 'frob'], 'unknown token command "frob"'],
    [['token', 'create', '--name', 'x'], 'token create needs --name and --type'],
    [['token', 'create', '--name', 'x', '--type', 'read-only', '--lifespan', '5'], '--lifespan must be 7, 30, 90 or unlimited, got "5"'],
    [['token', 'revoke'], 'token revoke needs the token\'s id (see vellum token list)']
  ] as const) {
    const result = await callCli([...args], env)
    t.same([result.code, result.stderr], [2, `vellum: ${message} (see vellum token --help)\n`], args.join(' '))
  }
  const dir = await tempProject(t, { 'src/api/article/content-types/article/schema.json': collectionType('article', 'articles') })
  const badType = await callCli(['token', 'create', '--dir', dir, '--name', 'x', '--type', 'admin'], { ...env, API_TOKEN_SALT: 's' })
  t.same([badType.code, badType.stdout], [1, ''])
  t.match(badType.stderr, /^vellum: type must be one of the following values: read-only, full-access, custom\n$/)
})
