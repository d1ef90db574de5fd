/**
 * Forgot/reset password and email confirmation (contract §26.3), the parts that need no mail: codes come from
 * the user service (the same calls the routes make before mailing), so the routes that spend them are shown
 * here; the mails themselves are tested with the email module. Also: with confirmation on, an unconfirmed user
 * neither logs in nor uses a JWT; codes are stored only as digests; the answers never hold a code.
 */
import t from 'tap'
import { sql } from 'drizzle-orm'
import type { RequestContext } from '../../lib/index.js'
import { buildApp } from '../helpers/app.js'
import { isError, sender } from '../http/rest/helpers.js'

const PASSWORD = 'password-one'
const NEW = 'password-two'
const up = { jwtSecret: 'account-test-secret', bcryptRounds: 4 }

t.test('reset password: a code resets once, a wrong or spent code is "Incorrect code provided", mismatches refused', async (t) => {
  const app = await buildApp(t, { usersPermissions: up })
  const send = sender(app)
  const users = app.vellum.auth.users
  const user = await users.create({ username: 'rita', email: 'rita@example.com', password: PASSWORD, confirmed: true })
  t.equal(await users.issueResetCode('nobody@example.com'), undefined, 'no code for an unknown email')
  const { code } = (await users.issueResetCode('RITA@example.com'))!
  t.match(code, /^[0-9a-f]{128}$/, '64 random bytes in hex, as Strapi')
  const [stored] = await app.vellum.db.execute(sql`select reset_password_token as token from up_users where id = ${user.id}`)
  t.not(stored!.token, code, 'only a digest of the code is stored')

  isError(t, await send('POST', '/api/auth/reset-password', { code, password: NEW, passwordConfirmation: 'other-pw' }), 400, 'ValidationError', 'Passwords do not match')
  isError(t, await send('POST', '/api/auth/reset-password', { code: 'f'.repeat(128), password: NEW, passwordConfirmation: NEW }), 400, 'ValidationError', 'Incorrect code provided', {})
  isError(t, await send('POST', '/api/auth/reset-password', { password: NEW }), 400, 'ValidationError', '2 errors occurred')
  const reset = await send('POST', '/api/auth/reset-password', { code, password: NEW, passwordConfirmation: NEW })
  t.equal(reset.status, 200)
  t.equal(reset.body.user.username, 'rita')
  t.ok(reset.body.jwt)
  t.notOk(reset.text.includes(code), 'the code is not answered')
  isError(t, await send('POST', '/api/auth/reset-password', { code, password: 'password-3', passwordConfirmation: 'password-3' }), 400, 'ValidationError', 'Incorrect code provided', {})
  t.equal((await send('POST', '/api/auth/local', { identifier: 'rita', password: NEW })).status, 200, 'the new password logs in')

  await users.block(user.id)
  t.equal(await users.issueResetCode('rita@example.com'), undefined, 'no code for a blocked user')
})

t.test('forgot-password and send-email-confirmation answer the same for unknown emails, and check their body', async (t) => {
  const app = await buildApp(t, { usersPermissions: up })
  const send = sender(app)
  t.same((await send('POST', '/api/auth/forgot-password', { email: 'nobody@example.com' })).body, { ok: true })
  isError(t, await send('POST', '/api/auth/forgot-password', { email: 'nobody@example.com', x: 1 }), 400, 'ValidationError', 'this field has unspecified keys: x')
  isError(t, await send('POST', '/api/auth/forgot-password', { email: 'not-an-email' }), 400, 'ValidationError', 'email must be a valid email')
  t.same((await send('POST', '/api/auth/send-email-confirmation', { email: 'Nobody@example.com' })).body, { email: 'nobody@example.com', sent: true })
  const users = app.vellum.auth.users
  await users.create({ username: 'cole', email: 'cole@example.com', password: PASSWORD, confirmed: true })
  isError(t, await send('POST', '/api/auth/send-email-confirmation', { email: 'cole@example.com' }), 400, 'ApplicationError', 'Already confirmed')
  const blocked = await users.create({ username: 'blake', email: 'blake@example.com', password: PASSWORD, blocked: true })
  t.equal(blocked.blocked, true)
  isError(t, await send('POST', '/api/auth/send-email-confirmation', { email: 'blake@example.com' }), 400, 'ApplicationError', 'User blocked')
})

t.test('email confirmation on: an unconfirmed user cannot log in nor use a JWT; the link confirms and redirects', async (t) => {
  const app = await buildApp(t, {
    usersPermissions: { ...up, emailConfirmation: true, emailConfirmationRedirection: 'https://front.example.com/welcome' },
    routes: [{ routes: [{ method: 'GET', path: '/whoami', handler: (ctx: RequestContext) => ({ user: ctx.state.user, auth: ctx.state.auth, isAuthenticated: ctx.state.isAuthenticated }), config: { auth: { scope: ['plugin::users-permissions.user.me'] } } }] }]
  })
  const send = sender(app)
  const users = app.vellum.auth.users
  const user = await users.create({ username: 'una', email: 'una@example.com', password: PASSWORD })
  isError(t, await send('POST', '/api/auth/local', { identifier: 'una', password: PASSWORD }), 400, 'ApplicationError', 'Your account email is not confirmed')
  isError(t, await send('POST', '/api/auth/local', { identifier: 'una', password: 'wrong-pw' }), 400, 'ValidationError', 'Invalid identifier or password', {})
  const jwt = users.issue(user)
  isError(t, await send('GET', '/api/users/me', undefined, { authorization: `Bearer ${jwt}` }), 401, 'UnauthorizedError', 'Invalid credentials', {})

  isError(t, await send('GET', '/api/auth/email-confirmation'), 400, 'ValidationError', 'confirmation is a required field')
  isError(t, await send('GET', '/api/auth/email-confirmation?confirmation=nope'), 400, 'ValidationError', 'Invalid token', {})
  const code = await users.issueConfirmationCode(user.id)
  const confirmed = await send('GET', `/api/auth/email-confirmation?confirmation=${code}`)
  t.equal(confirmed.status, 302)
  t.equal(confirmed.headers.location, 'https://front.example.com/welcome')
  isError(t, await send('GET', `/api/auth/email-confirmation?confirmation=${code}`), 400, 'ValidationError', 'Invalid token', {})
  t.equal((await send('POST', '/api/auth/local', { identifier: 'una', password: PASSWORD })).status, 200, 'confirmed: logs in')

  const whoami = await send('GET', '/api/whoami', undefined, { authorization: `Bearer ${jwt}` })
  t.match(whoami.body, {
    user: { id: user.id, username: 'una', confirmed: true, role: { type: 'authenticated' } },
    auth: { strategy: 'users-permissions', credentials: { id: user.id } },
    isAuthenticated: true
  }, 'ctx.state.user (with its role), ctx.state.auth and isAuthenticated for routes and policies')
  t.notOk(/password|\$2a\$/.test(whoami.text), 'no hash in the state')
})

t.test('login costs one bcrypt compare whether or not the identifier exists', async (t) => {
  const app = await buildApp(t, { usersPermissions: { ...up, bcryptRounds: 11 } })
  const send = sender(app)
  await app.vellum.auth.users.create({ username: 'tim', email: 'tim@example.com', password: PASSWORD, confirmed: true })
  // This process's CPU time, not the wall clock: other processes on a busy machine do not count.
  const timed = async (identifier: string): Promise<number> => {
    const start = process.cpuUsage()
    isError(t, await send('POST', '/api/auth/local', { identifier, password: 'wrong-password' }), 400, 'ValidationError', 'Invalid identifier or password', {})
    const { user, system } = process.cpuUsage(start)
    return (user + system) / 1000
  }
  await timed('nobody') // the first unknown identifier also makes the stand-in hash
  const known = Math.min(await timed('tim'), await timed('tim'))
  const unknown = Math.min(await timed('nobody'), await timed('nobody'))
  t.ok(unknown > known / 2, `unknown ${unknown.toFixed(0)} ms vs known ${known.toFixed(0)} ms of CPU: the same work`)
})
