/**
 * `vellum user create|list|block|unblock`, `vellum role list` and `vellum permission list|grant|revoke` (the built
 * CLI, `npm run build` first) on a project's database: a user created with the password on stdin logs in on
 * `vellum start` afterwards, a granted action is what its JWT may do, a blocked user's login is refused.
 */
import t from 'tap'
import { callCli, cliEnv, collectionType, freePort, runCli, spawnCli, tempProject } from '../cli/helpers.js'

const A = 'api::article.article'
const PASSWORD = 'correct horse battery staple'
// Seven CLI runs and two servers, each opening the project's database: can pass the suite's 300 s per file on a busy machine.
t.setTimeout(600_000)

t.test('a user made on the command line logs in; grants change what its JWT may do; a blocked user is refused', async (t) => {
  const dir = await tempProject(t, {
    'src/api/article/content-types/article/schema.json': collectionType('article', 'articles', { title: { type: 'string' } })
  })
  const env = await cliEnv(t, { API_TOKEN_SALT: 'users-cli-salt', JWT_SECRET: 'users-cli-secret' })

  const created = await runCli(['user', 'create', '--dir', dir, '--email', 'Ada@Example.com', '--username', 'ada'], env, undefined, `${PASSWORD}\n`)
  t.equal(created.code, 0, created.stderr)
  t.match(created.stdout, /^Created user 1 "ada" <ada@example\.com> \(authenticated\)\n$/)
  t.notOk(created.stdout.includes(PASSWORD) || created.stderr.includes(PASSWORD), 'the password is never printed')

  const listed = await runCli(['user', 'list', '--dir', dir], env)
  t.match(listed.stdout, /^id\s+username\s+email\s+role\s+confirmed\s+blocked\n1\s+ada\s+ada@example\.com\s+authenticated\s+true\s+false\n$/)

  const granted = await runCli(['permission', 'grant', 'authenticated', `${A}.find,${A}.create`, '--dir', dir], env)
  t.equal(granted.code, 0, granted.stderr)
  t.match(granted.stdout, new RegExp(`^${A}\\.create\\n${A}\\.find\\n`, 'm'), 'the role\'s actions, granted ones included')
  const revoked = await runCli(['permission', 'revoke', 'authenticated', `${A}.create`, '--dir', dir], env)
  t.notOk(revoked.stdout.includes(`${A}.create`), 'create revoked')
  t.match(revoked.stdout, `${A}.find`)
  const roles = await runCli(['role', 'list', '--dir', dir], env)
  t.match(roles.stdout, /^id\s+type\s+name\s+users\s+actions\n/)
  t.match(roles.stdout, /\n\d+\s+authenticated\s+Authenticated\s+1\s+\d+\n/)
  t.match(roles.stdout, /\n\d+\s+public\s+Public\s+0\s+\d+\n/)

  const port = await freePort()
  const base = `http://127.0.0.1:${port}/api`
  const login = async (): Promise<Response> => await fetch(`${base}/auth/local`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identifier: 'ada', password: PASSWORD })
  })
  let server = spawnCli(t, ['start', '--dir', dir], { ...env, PORT: String(port) })
  await server.waitFor(/listening on/)
  const answer = await login()
  t.equal(answer.status, 200)
  const { jwt } = await answer.json() as { jwt: string }
  const headers = { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' }
  t.equal((await fetch(`${base}/articles`, { headers })).status, 200, 'the granted find')
  t.equal((await fetch(`${base}/articles`, { method: 'POST', headers, body: JSON.stringify({ data: { title: 'x' } }) })).status, 403, 'the revoked create')
  server.child.kill('SIGTERM')
  await server.exited
  t.notOk(server.stdout().includes(jwt) || server.stdout().includes(PASSWORD), 'neither the JWT nor the password in the server\'s log')

  const blocked = await runCli(['user', 'block', '1', '--dir', dir], env)
  t.match(blocked.stdout, /^Blocked user 1 "ada" <ada@example\.com> \(authenticated, blocked\)\n$/)
  server = spawnCli(t, ['start', '--dir', dir], { ...env, PORT: String(port) })
  await server.waitFor(/listening on/)
  t.equal((await login()).status, 400, 'a blocked user cannot log in')
  t.equal((await fetch(`${base}/articles`, { headers })).status, 401, 'nor use an earlier JWT')
  server.child.kill('SIGTERM')
  await server.exited
})

t.test('bad arguments: one line pointing at the help, exit code 2; a missing user or role exit 1', async (t) => {
  const env = await cliEnv(t)
  for (const [args, message, help] of [
    [['user'], 'user needs create, list, block or unblock', 'user'],
    [['user', 'create', '--email', 'a@b.c'], 'user create needs --email and --username', 'user'],
    [['user', 'create', '--email', 'a@b.c', '--username', 'a'], 'user create reads the password from stdin: printf %s "$PASSWORD" | vellum user create ...', 'user'],
    [['user', 'block', 'ada'], 'user block needs the user\'s id (see vellum user list)', 'user'],
    [['role'], 'role needs list', 'role'],
    [['permission', 'grant'], 'permission grant needs a role', 'permission'],
    [['permission', 'grant', 'public'], 'permission grant needs the actions, comma-separated', 'permission']
  ] as const) {
    const result = await callCli([...args], env)
    t.same([result.code, result.stderr], [2, `vellum: ${message} (see vellum ${help} --help)\n`], args.join(' '))
  }
  const dir = await tempProject(t, { 'src/api/article/content-types/article/schema.json': collectionType('article', 'articles') })
  const secrets = { ...env, API_TOKEN_SALT: 's', JWT_SECRET: 'j' }
  t.same(await callCli(['user', 'block', '7', '--dir', dir], secrets), { code: 1, stdout: '', stderr: 'vellum: no user 7\n' })
  t.same(await callCli(['permission', 'list', 'editors', '--dir', dir], secrets), { code: 1, stdout: '', stderr: 'vellum: no role "editors" (see vellum role list)\n' })
})
