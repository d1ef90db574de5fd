/**
 * The salt API-token keys are hashed with (contract §26.2): the option, else API_TOKEN_SALT; production refuses
 * to start without one; development generates one once into `<dir>/.vellum/` and says so in one log line. No
 * key or salt ever reaches a log line.
 */
import t, { type Test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import vellum from '../../lib/index.js'
import { articleDefinition } from '../helpers/app.js'
import { createTestDatabase, databaseOption } from '../helpers/db.js'
import { isError, sender } from '../http/rest/helpers.js'

const SALT = 'a-salt-that-must-never-be-logged'

/** An app whose every log line (trace level: SQL and its parameters included) is kept. */
async function loggedApp (t: Test, options: Record<string, unknown>, lines: string[] = []): Promise<{ app: FastifyInstance, lines: string[] }> {
  const app = Fastify({ logger: { level: 'trace', stream: { write: (line: string) => { lines.push(line) } } }, pluginTimeout: 120_000 })
  t.teardown(() => app.close())
  await app.register(vellum, { contentTypes: [articleDefinition], database: databaseOption(await createTestDatabase(t)), logSqlParams: true, ...options })
  await app.ready()
  return { app, lines }
}

t.test('no key, salt or Authorization header in any log line, SQL parameters at trace included', async (t) => {
  const { app, lines } = await loggedApp(t, { apiToken: { salt: SALT }, permissions: { public: [] } })
  const send = sender(app)
  const tokens = app.vellum.auth.tokens
  const made = await tokens.create({ name: 'logged', type: 'custom', permissions: ['api::article.article.find'], lifespan: 7 * 86_400_000 })
  t.equal((await send('GET', '/api/articles', undefined, { authorization: `Bearer ${made.accessKey}` })).status, 200)
  isError(t, await send('POST', '/api/articles', { data: { title: 'x' } }, { authorization: `Bearer ${made.accessKey}` }), 403, 'ForbiddenError', 'Forbidden', {})
  const wrong = 'e'.repeat(256)
  isError(t, await send('GET', '/api/articles', undefined, { authorization: `Bearer ${wrong}` }), 401, 'UnauthorizedError', 'Missing or invalid credentials', {})
  const fresh = await tokens.regenerate(made.id)
  await send('GET', '/api/articles', undefined, { authorization: `Bearer ${fresh.accessKey}` })
  await tokens.list()
  await tokens.revoke(made.id)
  t.ok(lines.some(line => line.includes('API token created')), 'the log did record the token work')
  t.ok(lines.some(line => line.includes('strapi_api_tokens')), 'SQL was logged with its parameters')
  // The stored hashes do appear among the SQL parameters logSqlParams opts into (they are what the rows hold);
  // neither a key nor the salt can be recovered from them.
  const secrets = [made.accessKey, fresh.accessKey, wrong, SALT]
  const leaks = lines.filter(line => secrets.some(secret => line.includes(secret)))
  t.same(leaks, [], 'no secret in any of the lines')
})

t.test('in production, no salt is a named boot error (MissingApiTokenSaltError), no JWT secret another (MissingJwtSecretError); API_TOKEN_SALT and JWT_SECRET are them', async (t) => {
  const saved = { NODE_ENV: process.env.NODE_ENV, API_TOKEN_SALT: process.env.API_TOKEN_SALT, JWT_SECRET: process.env.JWT_SECRET }
  t.teardown(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
  })
  process.env.NODE_ENV = 'production'
  delete process.env.API_TOKEN_SALT
  const app = Fastify({ logger: false })
  t.teardown(() => app.close())
  app.register(vellum, { contentTypes: [articleDefinition], database: { pglite: 'memory' } })
  await t.rejects(async () => { await app.ready() }, { name: 'MissingApiTokenSaltError', code: 'VELLUM_ERR_MISSING_API_TOKEN_SALT', message: /^Missing apiToken\.salt/ })

  process.env.API_TOKEN_SALT = SALT
  delete process.env.JWT_SECRET
  const unsigned = Fastify({ logger: false })
  t.teardown(() => unsigned.close())
  unsigned.register(vellum, { contentTypes: [articleDefinition], database: { pglite: 'memory' } })
  await t.rejects(async () => { await unsigned.ready() }, { name: 'MissingJwtSecretError', code: 'VELLUM_ERR_MISSING_JWT_SECRET', message: /^Missing usersPermissions\.jwtSecret/ })

  process.env.JWT_SECRET = 'a-jwt-secret-from-the-environment'
  const { app: salted, lines } = await loggedApp(t, {})
  const made = await salted.vellum.auth.tokens.create({ name: 'env', type: 'read-only' })
  const { createHmac } = await import('node:crypto')
  t.equal(salted.vellum.auth.tokens.hash(made.accessKey), createHmac('sha512', SALT).update(made.accessKey).digest('hex'), 'hashed with API_TOKEN_SALT')
  t.notOk(lines.some(line => line.includes(SALT)))
  const user = await salted.vellum.auth.users.create({ username: 'env', email: 'env@example.com', password: 'password-1' })
  const { createVerifier } = await import('fast-jwt')
  t.match(createVerifier({ key: 'a-jwt-secret-from-the-environment' })(salted.vellum.auth.users.issue(user)), { id: user.id }, 'JWTs signed with JWT_SECRET')
})

t.test('in development without a salt: generated once into <dir>/.vellum/api-token-salt, reused, one log line', async (t) => {
  const saved = process.env.API_TOKEN_SALT
  delete process.env.API_TOKEN_SALT
  t.teardown(() => { if (saved !== undefined) process.env.API_TOKEN_SALT = saved })
  const dir = await mkdtemp(join(tmpdir(), 'vellum-salt-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const first = await loggedApp(t, { dir })
  const salt = (await readFile(join(dir, '.vellum', 'api-token-salt'), 'utf8')).trim()
  t.match(salt, /^[A-Za-z0-9+/=]{24}$/)
  const announced = first.lines.filter(line => line.includes('no API token salt configured: generated one for development'))
  t.equal(announced.length, 1, 'one line says so')
  t.notOk(first.lines.some(line => line.includes(salt)), 'without the salt')
  const jwtSecret = (await readFile(join(dir, '.vellum', 'jwt-secret'), 'utf8')).trim()
  t.match(jwtSecret, /^[A-Za-z0-9+/=]{44}$/, 'a JWT secret generated alike into .vellum/jwt-secret')
  t.equal(first.lines.filter(line => line.includes('no JWT secret configured: generated one for development')).length, 1)
  t.notOk(first.lines.some(line => line.includes(jwtSecret)), 'without the JWT secret')
  const made = await first.app.vellum.auth.tokens.create({ name: 'dev', type: 'read-only' })
  await first.app.close()

  const second = await loggedApp(t, { dir, database: databaseOption(await createTestDatabase(t)) })
  t.equal((await readFile(join(dir, '.vellum', 'api-token-salt'), 'utf8')).trim(), salt, 'kept')
  t.equal(second.app.vellum.auth.tokens.hash(made.accessKey), first.app.vellum.auth.tokens.hash(made.accessKey), 'the same salt hashes the same')
  t.notOk(second.lines.some(line => line.includes('generated one for development')), 'nothing generated the second time')
  t.equal((await readFile(join(dir, '.vellum', 'jwt-secret'), 'utf8')).trim(), jwtSecret, 'the JWT secret kept too')
})
