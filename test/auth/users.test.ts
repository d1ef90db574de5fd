/**
 * Users & Permissions end users (contract §26.3–26.4): register → login (email or username) → /users/me →
 * change password; a blocked or deleted user's JWT refused; the users routes each behind their own action; no
 * password, hash or JWT in any answer or log line (trace level, SQL parameters included).
 */
import t, { type Test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import { sql } from 'drizzle-orm'
import vellum, { type VellumOptions } from '../../lib/index.js'
import { articleDefinition } from '../helpers/app.js'
import { createTestDatabase, databaseOption } from '../helpers/db.js'
import { isError, sender, type Send } from '../http/rest/helpers.js'

const SECRET = 'users-test-jwt-secret-never-logged'
const A = 'api::article.article'
const PASSWORD = 'Sup3r-secret-pw'

async function upApp (t: Test, options: VellumOptions = {}, lines: string[] = []): Promise<{ app: FastifyInstance, send: Send, lines: string[] }> {
  const app = Fastify({ logger: { level: 'trace', stream: { write: (line: string) => { lines.push(line) } } }, pluginTimeout: 120_000 })
  t.teardown(() => app.close())
  await app.register(vellum, {
    contentTypes: [articleDefinition],
    database: databaseOption(await createTestDatabase(t)),
    logSqlParams: true,
    apiToken: { salt: 'users-test-salt' },
    ...options,
    usersPermissions: { jwtSecret: SECRET, bcryptRounds: 4, ...options.usersPermissions }
  })
  await app.ready()
  return { app, send: sender(app), lines }
}

const bearer = (jwt: string): Record<string, string> => ({ authorization: `Bearer ${jwt}` })

const USER_KEYS = ['id', 'documentId', 'username', 'email', 'provider', 'confirmed', 'blocked', 'createdAt', 'updatedAt', 'publishedAt'].sort()

t.test('register → login by email and by username → /users/me → change password → the new password logs in', async (t) => {
  const { app, send, lines } = await upApp(t)
  const registered = await send('POST', '/api/auth/local/register', { username: 'alice', email: 'Alice@Example.com', password: PASSWORD })
  t.equal(registered.status, 200)
  t.match(registered.body.jwt, /^[\w-]+\.[\w-]+\.[\w-]+$/)
  t.same(Object.keys(registered.body.user).sort(), USER_KEYS, 'the sanitized user: no password, tokens nor role')
  t.match(registered.body.user, { username: 'alice', email: 'alice@example.com', provider: 'local', confirmed: true, blocked: false })
  t.match(registered.body.user.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  const [stored] = await app.vellum.db.execute(sql`
    select u.password, r.type as role from up_users u join up_users_role_lnk l on l.user_id = u.id join up_roles r on r.id = l.role_id`) as Array<{ password: string, role: string }>
  t.match(stored!.password, /^\$2a\$04\$/, "a bcrypt hash in Strapi's $2a$ form at the configured cost")
  t.equal(stored!.role, 'authenticated', 'the default role, through the link table')

  const payload = JSON.parse(Buffer.from(registered.body.jwt.split('.')[1], 'base64url').toString()) as Record<string, number>
  t.same(Object.keys(payload).sort(), ['exp', 'iat', 'id'], 'the payload is exactly { id, iat, exp }')
  t.equal(payload.exp! - payload.iat!, 30 * 86_400, 'Strapi\'s default expiry: 30 days')

  for (const identifier of ['ALICE@example.com', 'alice']) {
    const login = await send('POST', '/api/auth/local', { identifier, password: PASSWORD })
    t.equal(login.status, 200, `login with ${identifier}`)
    t.equal(login.body.user.id, registered.body.user.id)
  }
  isError(t, await send('POST', '/api/auth/local', { identifier: 'Alice', password: PASSWORD }), 400, 'ValidationError', 'Invalid identifier or password', {})
  const jwt = (await send('POST', '/api/auth/local', { identifier: 'alice', password: PASSWORD })).body.jwt as string

  const me = await send('GET', '/api/users/me', undefined, bearer(jwt))
  t.equal(me.status, 200)
  t.same(Object.keys(me.body).sort(), USER_KEYS)
  t.notOk('role' in (await send('GET', '/api/users/me?populate=role', undefined, bearer(jwt))).body, 'role hidden: the authenticated role may not read roles')
  isError(t, await send('GET', '/api/users/me'), 403, 'ForbiddenError', 'Forbidden', {})

  const change = (body: Record<string, string>): Promise<Awaited<ReturnType<Send>>> => send('POST', '/api/auth/change-password', body, bearer(jwt))
  const NEW = 'An0ther-secret-pw'
  isError(t, await change({ currentPassword: 'wrong-password', password: NEW, passwordConfirmation: NEW }), 400, 'ValidationError', 'The provided current password is invalid', {})
  isError(t, await change({ currentPassword: PASSWORD, password: PASSWORD, passwordConfirmation: PASSWORD }), 400, 'ValidationError', 'Your new password must be different than your current password', {})
  t.equal((await change({ currentPassword: PASSWORD, password: NEW, passwordConfirmation: 'other-pw-123' })).body.error.message, 'Passwords do not match')
  const changed = await change({ currentPassword: PASSWORD, password: NEW, passwordConfirmation: NEW })
  t.equal(changed.status, 200)
  t.ok(changed.body.jwt, 'a fresh JWT')
  isError(t, await send('POST', '/api/auth/local', { identifier: 'alice', password: PASSWORD }), 400, 'ValidationError', 'Invalid identifier or password', {})
  t.equal((await send('POST', '/api/auth/local', { identifier: 'alice', password: NEW })).status, 200)
  t.equal((await send('GET', '/api/users/me', undefined, bearer(jwt))).status, 200, 'earlier JWTs stay valid, as in Strapi')
  isError(t, await send('POST', '/api/auth/change-password', { currentPassword: NEW, password: PASSWORD, passwordConfirmation: PASSWORD }), 403, 'ForbiddenError', 'Forbidden', {})

  const everything = lines.join('\n')
  for (const secret of [PASSWORD, NEW, SECRET, jwt, changed.body.jwt as string, registered.body.jwt as string, stored!.password]) {
    t.notOk(everything.includes(secret), 'no password, hash, JWT or secret in any log line')
  }
  t.ok(lines.some(line => line.includes('user created')), 'the log did record the work')
})

t.test('login and register refuse bad bodies as Strapi does, without echoing a password', async (t) => {
  const { send } = await upApp(t)
  const missing = await send('POST', '/api/auth/local', {})
  isError(t, missing, 400, 'ValidationError', '2 errors occurred')
  t.same(missing.body.error.details.errors.map((e: { path: string[] }) => e.path), [['identifier'], ['password']])
  isError(t, await send('POST', '/api/auth/local', { identifier: 'x' }), 400, 'ValidationError', 'password is a required field')
  isError(t, await send('POST', '/api/auth/local', { identifier: 'nobody', password: 'whatever-pw' }), 400, 'ValidationError', 'Invalid identifier or password', {})
  const extra = await send('POST', '/api/auth/local/register', { username: 'bob', email: 'bob@example.com', password: PASSWORD, role: 1, confirmed: true })
  isError(t, extra, 400, 'ValidationError', 'Invalid parameters: role, confirmed')
  const short = await send('POST', '/api/auth/local/register', { username: 'bob', email: 'bob@example.com', password: 'abc' })
  isError(t, short, 400, 'ValidationError', 'password must be at least 6 characters')
  t.notOk(short.text.includes('"abc"'), 'the rejected password is not echoed')
  isError(t, await send('POST', '/api/auth/local/register', { username: 'bob', email: 'not-an-email', password: PASSWORD }), 400, 'ValidationError', 'email must be a valid email')
  isError(t, await send('POST', '/api/auth/local/register', { username: 'bob', email: 'bob@example.com', password: 'x'.repeat(73) }), 400, 'ValidationError', 'password must be at most 72 bytes')
  t.equal((await send('POST', '/api/auth/local/register', { username: 'bob', email: 'bob@example.com', password: PASSWORD })).status, 200)
  isError(t, await send('POST', '/api/auth/local/register', { username: 'bobby', email: 'BOB@example.com', password: PASSWORD }), 400, 'ApplicationError', 'Email or Username are already taken')
  isError(t, await send('POST', '/api/auth/local/register', { username: 'bob@example.com', email: 'b2@example.com', password: PASSWORD }), 400, 'ApplicationError', 'Email or Username are already taken')
})

t.test('registration closed, and extra fields allowed only through register.allowedFields', async (t) => {
  const closed = await upApp(t, { usersPermissions: { register: { allow: false, allowedFields: [] } } })
  isError(t, await closed.send('POST', '/api/auth/local/register', { username: 'carol', email: 'carol@example.com', password: PASSWORD }), 400, 'ApplicationError', 'Register action is currently disabled')
  const open = await upApp(t, { usersPermissions: { register: { allow: true, allowedFields: ['nickname'] } } })
  t.equal((await open.send('POST', '/api/auth/local/register', { username: 'carol', email: 'carol@example.com', password: PASSWORD, nickname: 'C' })).status, 200)
})

t.test('a blocked or deleted user\'s JWT is 401; an invalid, expired or foreign-secret JWT is 401, never public', async (t) => {
  const { app, send } = await upApp(t, { permissions: { public: [`${A}.find`] }, usersPermissions: { cacheTtlMs: 0 } })
  const users = app.vellum.auth.users
  const dave = await users.create({ username: 'dave', email: 'dave@example.com', password: PASSWORD, confirmed: true })
  const jwt = users.issue(dave)
  t.equal((await send('GET', '/api/users/me', undefined, bearer(jwt))).status, 200)
  await users.block(dave.id)
  isError(t, await send('GET', '/api/users/me', undefined, bearer(jwt)), 401, 'UnauthorizedError', 'Invalid credentials', {})
  isError(t, await send('POST', '/api/auth/local', { identifier: 'dave', password: PASSWORD }), 400, 'ApplicationError', 'Your account has been blocked by an administrator')
  await users.block(dave.id, false)
  t.equal((await send('GET', '/api/users/me', undefined, bearer(jwt))).status, 200, 'unblocked')
  await users.remove(dave.id)
  isError(t, await send('GET', '/api/users/me', undefined, bearer(jwt)), 401, 'UnauthorizedError', 'Invalid credentials', {})

  const { createSigner } = await import('fast-jwt')
  const expired = createSigner({ key: SECRET, algorithm: 'HS256' })({ id: 1, iat: 1_000_000, exp: 1_000_060 })
  const foreign = createSigner({ key: 'another-secret', algorithm: 'HS256' })({ id: 1 })
  const noId = createSigner({ key: SECRET, algorithm: 'HS256' })({ sub: 'x' })
  for (const [what, token] of [['expired', expired], ['foreign secret', foreign], ['no id', noId], ['garbage', 'a.b.c']] as const) {
    isError(t, await send('GET', '/api/articles', undefined, bearer(token)), 401, 'UnauthorizedError', 'Missing or invalid credentials', {})
    t.pass(`${what}: 401 although the public role may find articles`)
  }
  t.equal((await send('GET', '/api/articles')).status, 200, 'no credentials: public')
})

t.test('users routes: each behind its action; API tokens by type; private fields never answered', async (t) => {
  const { app, send } = await upApp(t)
  const full = (await app.vellum.auth.tokens.create({ name: 'full', type: 'full-access' })).accessKey
  const readOnly = (await app.vellum.auth.tokens.create({ name: 'ro', type: 'read-only' })).accessKey
  const roles = await app.vellum.auth.roles.list()
  const authenticated = roles.find(role => role.type === 'authenticated')!
  const created = await send('POST', '/api/users', { username: 'erin', email: 'erin@example.com', password: PASSWORD, role: authenticated.id }, bearer(full))
  t.equal(created.status, 201)
  t.match(created.body, { username: 'erin', confirmed: false, role: { id: authenticated.id, type: 'authenticated' } }, 'the role populated on create')
  isError(t, await send('POST', '/api/users', { username: 'fay', email: 'fay@example.com', password: PASSWORD }, bearer(full)), 400, 'ValidationError', 'role is a required field')
  const id = created.body.id as number

  t.same((await send('GET', '/api/users', undefined, bearer(full))).body.map((u: { username: string }) => u.username), ['erin'], 'a bare array')
  t.equal((await send('GET', '/api/users/count', undefined, bearer(full))).body, 1, 'a bare number')
  t.equal((await send('GET', `/api/users/${id}`, undefined, bearer(readOnly))).body.email, 'erin@example.com', 'read-only may findOne')
  isError(t, await send('GET', '/api/users/count', undefined, bearer(readOnly)), 403, 'ForbiddenError', 'Forbidden', {})
  isError(t, await send('GET', '/api/users/me', undefined, bearer(readOnly)), 403, 'ForbiddenError', 'Forbidden', {})
  isError(t, await send('GET', '/api/users/me', undefined, bearer(full)), 401, 'UnauthorizedError', 'Unauthorized', {})
  t.equal((await send('GET', '/api/users/999', undefined, bearer(full))).status, 204, 'an unknown id: 204 as Strapi')
  isError(t, await send('GET', '/api/users?filters[password][$startsWith]=$2a', undefined, bearer(full)), 400, 'ValidationError', 'Invalid key password')
  t.match((await send('GET', `/api/users/${id}?populate=role`, undefined, bearer(full))).body.role, { type: 'authenticated' }, 'full access may read the role')

  const updated = await send('PUT', `/api/users/${id}`, { username: 'erin2', blocked: true }, bearer(full))
  t.match(updated.body, { username: 'erin2', blocked: true, role: { type: 'authenticated' } })
  isError(t, await send('PUT', '/api/users/999', { username: 'x' }, bearer(full)), 404, 'NotFoundError', 'User not found')
  const removed = await send('DELETE', `/api/users/${id}`, undefined, bearer(full))
  t.equal(removed.status, 200)
  t.equal(removed.body.username, 'erin2')
  t.equal((await send('DELETE', `/api/users/${id}`, undefined, bearer(full))).status, 204)

  for (const reply of [created, updated, removed]) {
    t.notOk(/password|resetPasswordToken|confirmationToken|\$2[ab]\$/.test(reply.text), 'no private field in the answer')
  }
  isError(t, await send('GET', '/api/users'), 403, 'ForbiddenError', 'Forbidden', {})
  const jwt = app.vellum.auth.users.issue(await app.vellum.auth.users.create({ username: 'gil', email: 'gil@example.com', password: PASSWORD }))
  isError(t, await send('GET', '/api/users', undefined, bearer(jwt)), 403, 'ForbiddenError', 'Forbidden', {})
})

t.test('two registrations of one email at once: one account, the other "Email or Username are already taken"', async (t) => {
  const { app, send } = await upApp(t)
  const attempts = await Promise.all(['one', 'two', 'three'].map(async name =>
    await send('POST', '/api/auth/local/register', { username: `racer-${name}`, email: 'race@example.com', password: PASSWORD })))
  t.same(attempts.map(reply => reply.status).sort(), [200, 400, 400])
  for (const reply of attempts.filter(r => r.status === 400)) t.equal(reply.body.error.message, 'Email or Username are already taken')
  t.equal(await app.vellum.auth.users.count(), 1)
})

t.test('the optional strength rule: passwordCharacterClasses refuses a password that mixes too few kinds of characters', async (t) => {
  const { send } = await upApp(t, { usersPermissions: { passwordCharacterClasses: 3 } })
  const weak = await send('POST', '/api/auth/local/register', { username: 'wes', email: 'wes@example.com', password: 'alllowercase1' })
  isError(t, weak, 400, 'ValidationError', 'password must mix at least 3 of: lower-case letters, upper-case letters, digits, other characters')
  t.notOk(weak.text.includes('alllowercase1'), 'the rejected password is not echoed')
  t.equal((await send('POST', '/api/auth/local/register', { username: 'wes', email: 'wes@example.com', password: 'Mixed-case1' })).status, 200)
})

t.test('Document Service middlewares see the caller through vellum.requestContext (Strapi\'s strapi.requestContext)', async (t) => {
  const { app, send } = await upApp(t, { permissions: { authenticated: [`${A}.find`, `${A}.findOne`, `${A}.create`] } })
  const seen: unknown[][] = []
  app.vellum.documents.use(async (context, next) => {
    const ctx = app.vellum.requestContext.get()
    seen.push([context.action, (ctx?.state.user as { username?: string } | undefined)?.username, (ctx?.state.auth as { strategy?: string } | undefined)?.strategy])
    return await next()
  })
  const users = app.vellum.auth.users
  const jwt = users.issue(await users.create({ username: 'hana', email: 'hana@example.com', password: PASSWORD }))
  const created = await send('POST', '/api/articles', { data: { title: 'By Hana' } }, bearer(jwt))
  t.equal(created.status, 201)
  await app.vellum.documents(A).findMany({})
  t.same(seen.splice(0), [['create', 'hana', 'users-permissions'], ['findMany', undefined, undefined]], 'the request\'s user inside its controller; nothing outside a request')
  // The core reads leave the pass-through for the listening middleware and enter the request's context then.
  t.equal((await send('GET', '/api/articles', undefined, bearer(jwt))).status, 200)
  t.equal((await send('GET', `/api/articles/${created.body.data.documentId as string}`, undefined, bearer(jwt))).status, 200)
  t.same(seen.map(([action, user]) => [action, user]), [['findMany', 'hana'], ['count', 'hana'], ['findOne', 'hana']], 'core find and findOne see the caller too')
})
