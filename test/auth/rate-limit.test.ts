/**
 * The auth routes' rate limits (contract §26.6, issue 15): Strapi's 10 per minute per path and address, the 11th
 * answered 429 in the envelope with X-RateLimit-* headers; failed and successful requests both count; varying the
 * identifier or the email never escapes an address's count; beyond Strapi, one account is limited across addresses.
 */
import t, { type Test } from 'tap'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { buildApp } from '../helpers/app.js'
import type { VellumOptions } from '../../lib/index.js'

const PASSWORD = 'rate-limit-password'

async function limitedApp (t: Test, ratelimit: NonNullable<VellumOptions['usersPermissions']>['ratelimit'] = {}): Promise<FastifyInstance> {
  return await buildApp(t, {
    apiToken: { salt: 'rate-limit-salt' },
    usersPermissions: { jwtSecret: 'rate-limit-secret', bcryptRounds: 4, ratelimit }
  })
}

async function post (app: FastifyInstance, url: string, payload: object, remoteAddress = '203.0.113.1'): Promise<LightMyRequestResponse> {
  return await app.inject({ method: 'POST', url, payload, remoteAddress })
}

function isRateLimited (t: Test, reply: LightMyRequestResponse, limit: number): void {
  t.equal(reply.statusCode, 429)
  t.same(reply.json(), { data: null, error: { status: 429, name: 'RateLimitError', message: 'Too many requests, please try again later.', details: {} } })
  t.equal(reply.headers['x-ratelimit-limit'], String(limit))
  t.equal(reply.headers['x-ratelimit-remaining'], '0')
  const reset = Number(reply.headers['x-ratelimit-reset'])
  t.ok(reset > Date.now() / 1000 && reset <= Date.now() / 1000 + 61, 'X-RateLimit-Reset: the window\'s end, in epoch seconds')
  t.match(reply.headers['retry-after'], /^\d+$/)
}

t.test('login: 10 attempts per minute from one address, wrong or right, whatever the identifier; the 11th is 429', async (t) => {
  const app = await limitedApp(t)
  await app.vellum.auth.users.create({ username: 'ada', email: 'ada@example.com', password: PASSWORD })
  const first = await post(app, '/api/auth/local', { identifier: 'ada', password: PASSWORD })
  t.equal(first.statusCode, 200, 'a successful login counts too')
  t.same([first.headers['x-ratelimit-limit'], first.headers['x-ratelimit-remaining']], ['10', '9'])
  for (let i = 1; i < 10; i++) {
    const reply = await post(app, '/api/auth/local', { identifier: `someone-${i}`, password: 'wrong' })
    t.equal(reply.statusCode, 400, `attempt ${i + 1} with another identifier is still answered`)
  }
  isRateLimited(t, await post(app, '/api/auth/local', { identifier: 'ada', password: PASSWORD }), 10)
  isRateLimited(t, await post(app, '/api/auth/local', { identifier: 'brand-new', password: 'x' }), 10)
  t.equal((await post(app, '/api/auth/local', { identifier: 'ada', password: PASSWORD }, '203.0.113.2')).statusCode, 200, 'another address has its own count')
  const register = await post(app, '/api/auth/local/register', { username: 'bob', email: 'bob@example.com', password: PASSWORD })
  t.equal(register.statusCode, 200, 'another path has its own count')
})

t.test('one account from rotating addresses: limited per account too (beyond Strapi)', async (t) => {
  const app = await limitedApp(t, { account: { max: 3, interval: 60_000 } })
  await app.vellum.auth.users.create({ username: 'ada', email: 'ada@example.com', password: PASSWORD })
  for (let i = 1; i <= 3; i++) t.equal((await post(app, '/api/auth/local', { identifier: 'ADA', password: 'wrong' }, `198.51.100.${i}`)).statusCode, 400)
  isRateLimited(t, await post(app, '/api/auth/local', { identifier: 'ada', password: PASSWORD }, '198.51.100.9'), 3)
  t.equal((await post(app, '/api/auth/local', { identifier: 'ada@example.com', password: PASSWORD }, '198.51.100.9')).statusCode, 200,
    'the email is another identifier, with its own count')
})

t.test('register, forgot-password: per address whatever the email, and per email from any address', async (t) => {
  const app = await limitedApp(t, { max: 3, account: { max: 2, interval: 60_000 } })
  for (let i = 1; i <= 3; i++) {
    const reply = await post(app, '/api/auth/local/register', { username: `user${i}`, email: `user${i}@example.com`, password: PASSWORD })
    t.equal(reply.statusCode, 200, `register ${i}`)
  }
  isRateLimited(t, await post(app, '/api/auth/local/register', { username: 'user4', email: 'user4@example.com', password: PASSWORD }), 3)
  t.equal((await post(app, '/api/auth/forgot-password', { email: 'Nobody@example.com' }, '192.0.2.1')).statusCode, 200)
  t.equal((await post(app, '/api/auth/forgot-password', { email: 'nobody@example.com' }, '192.0.2.2')).statusCode, 200)
  isRateLimited(t, await post(app, '/api/auth/forgot-password', { email: 'nobody@example.com' }, '192.0.2.3'), 2)
})

t.test('routes Strapi does not limit carry no rate-limit header; enabled: false turns the limits off', async (t) => {
  const limited = await limitedApp(t)
  const me = await limited.inject({ method: 'GET', url: '/api/users/me' })
  t.equal(me.headers['x-ratelimit-limit'], undefined)
  const off = await limitedApp(t, { enabled: false, max: 1 })
  for (let i = 0; i < 3; i++) {
    const reply = await post(off, '/api/auth/local', { identifier: 'nobody', password: 'wrong' })
    t.equal(reply.statusCode, 400)
    t.equal(reply.headers['x-ratelimit-limit'], undefined)
  }
})
