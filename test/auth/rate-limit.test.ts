/**
 * Rate limits of the auth routes (contract §26.6): Strapi's 10 per minute by path and IP (register,
 * forgot-password, send-email-confirmation also by email), 429 RateLimitError in the envelope, and beyond
 * Strapi a separate limit per login identifier that rotating IPs does not escape.
 */
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../helpers/app.js'
import { isError } from '../http/rest/helpers.js'

const up = { jwtSecret: 'rate-limit-secret', bcryptRounds: 4 }

async function post (app: FastifyInstance, url: string, payload: object, ip = '10.0.0.1'): Promise<{ status: number, headers: Record<string, unknown>, body: any, text: string }> {
  const res = await app.inject({ method: 'POST', url, payload, remoteAddress: ip })
  return { status: res.statusCode, headers: res.headers, body: res.body === '' ? undefined : JSON.parse(res.body), text: res.body }
}

t.test('login: Strapi\'s default 10 per minute per path and IP, the 11th is 429 in the envelope; failures count', async (t) => {
  const app = await buildApp(t, { usersPermissions: up })
  for (let i = 0; i < 10; i++) {
    const reply = await post(app, '/api/auth/local', { identifier: `user${i}`, password: 'wrong-password' })
    t.equal(reply.status, 400)
    if (i === 0) t.equal(reply.headers['x-ratelimit-limit'], '10')
  }
  const limited = await post(app, '/api/auth/local', { identifier: 'someone-else', password: 'wrong-password' })
  isError(t, limited as never, 429, 'RateLimitError', 'Too many requests, please try again later.')
  t.equal((await post(app, '/api/auth/local', { identifier: 'user0', password: 'wrong-password' }, '10.0.0.2')).status, 400, 'another IP has its own bucket')
})

t.test('login: one identifier from rotating IPs is limited too; register is counted per email', async (t) => {
  const app = await buildApp(t, { usersPermissions: { ...up, ratelimit: { enabled: true, interval: 60_000, max: 3 } } })
  for (let i = 0; i < 3; i++) t.equal((await post(app, '/api/auth/local', { identifier: 'victim', password: `guess-${i}` }, `10.1.0.${i}`)).status, 400)
  isError(t, await post(app, '/api/auth/local', { identifier: 'VICTIM', password: 'guess-4' }, '10.1.0.9') as never, 429, 'RateLimitError', 'Too many requests, please try again later.')

  for (let i = 0; i < 3; i++) await post(app, '/api/auth/local/register', { username: 'x', email: 'same@example.com', password: 'password-1' })
  isError(t, await post(app, '/api/auth/local/register', { username: 'x', email: 'same@example.com', password: 'password-1' }) as never, 429, 'RateLimitError', 'Too many requests, please try again later.')
  t.equal((await post(app, '/api/auth/local/register', { username: 'fresh', email: 'fresh@example.com', password: 'password-1' })).status, 200, 'another email: a fresh bucket, as Strapi')
  t.equal((await app.inject({ method: 'GET', url: '/api/users-permissions/permissions' })).statusCode, 403, 'other routes are not limited')
})

t.test('ratelimit.enabled false turns the limits off', async (t) => {
  const app = await buildApp(t, { usersPermissions: { ...up, ratelimit: { enabled: false, interval: 60_000, max: 1 } } })
  for (let i = 0; i < 3; i++) t.equal((await post(app, '/api/auth/local', { identifier: 'a', password: 'wrong-password' })).status, 400)
})
