/**
 * API tokens on the content API (contract §21, §26.1–26.2): the type × action matrix, expiry, revocation,
 * credentials that are not a Bearer value (public), a key nobody knows (401, never public), ctx.state.auth,
 * config.auth.scope, lastUsedAt and the in-process cache.
 */
import t, { type Test } from 'tap'
import { sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../helpers/app.js'
import { isError, sender, type Send } from '../http/rest/helpers.js'
import type { ApiTokenWithKey, CreateApiToken } from '../../lib/auth/index.js'
import type { RequestContext } from '../../lib/index.js'

const SALT = 'tokens-test-salt'
const A = 'api::article.article'
const whoami = {
  routes: [{
    method: 'GET' as const,
    path: '/whoami',
    handler: (ctx: RequestContext) => ({ auth: ctx.state.auth, isAuthenticated: ctx.state.isAuthenticated }),
    config: { auth: { scope: [`${A}.find`, `${A}.findOne`] } }
  }]
}

async function tokenApp (t: Test, options: { public?: string[], cacheTtlMs?: number } = {}): Promise<{ app: FastifyInstance, send: Send, create: (input: CreateApiToken) => Promise<ApiTokenWithKey> }> {
  const app = await buildApp(t, {
    apiToken: { salt: SALT, ...(options.cacheTtlMs !== undefined && { cacheTtlMs: options.cacheTtlMs }) },
    permissions: { public: options.public ?? [] },
    routes: [whoami]
  })
  return { app, send: sender(app), create: async (input) => await app.vellum.auth.tokens.create(input) }
}

const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` })

type Action = 'find' | 'findOne' | 'create' | 'update' | 'delete'
const ACTIONS: Action[] = ['find', 'findOne', 'create', 'update', 'delete']

/** Runs one core action of the article type with a credential; the status it answered. */
async function run (app: FastifyInstance, send: Send, action: Action, headers: Record<string, string>): Promise<{ status: number, body: any }> {
  const { documentId } = await app.vellum.documents(A).create({ data: { title: 'Target' }, status: 'published' })
  switch (action) {
    case 'find': return await send('GET', '/api/articles', undefined, headers)
    case 'findOne': return await send('GET', `/api/articles/${documentId}`, undefined, headers)
    case 'create': return await send('POST', '/api/articles', { data: { title: 'New' } }, headers)
    case 'update': return await send('PUT', `/api/articles/${documentId}`, { data: { title: 'Changed' } }, headers)
    case 'delete': return await send('DELETE', `/api/articles/${documentId}`, undefined, headers)
  }
}

const OK: Record<Action, number> = { find: 200, findOne: 200, create: 201, update: 200, delete: 204 }

t.test('the token type × action matrix: 200 when granted, 403 ForbiddenError when not, 401 for a key nobody issued', async (t) => {
  const { app, send, create } = await tokenApp(t)
  const full = await create({ name: 'full', type: 'full-access' })
  const readOnly = await create({ name: 'read', type: 'read-only' })
  const custom = await create({ name: 'custom', type: 'custom', permissions: [`${A}.find`, `${A}.create`, `${A}.delete`] })
  const expected: Array<[string, string, Record<Action, 'ok' | 403 | 401>]> = [
    ['full-access', full.accessKey, { find: 'ok', findOne: 'ok', create: 'ok', update: 'ok', delete: 'ok' }],
    ['read-only', readOnly.accessKey, { find: 'ok', findOne: 'ok', create: 403, update: 403, delete: 403 }],
    ['custom', custom.accessKey, { find: 'ok', findOne: 403, create: 'ok', update: 403, delete: 'ok' }],
    ['unknown key', 'f'.repeat(256), { find: 401, findOne: 401, create: 401, update: 401, delete: 401 }]
  ]
  for (const [type, key, answers] of expected) {
    for (const action of ACTIONS) {
      const reply = await run(app, send, action, bearer(key))
      const answer = answers[action]
      if (answer === 'ok') t.equal(reply.status, OK[action], `${type} ${action}: ${OK[action]}`)
      else if (answer === 403) isError(t, reply as never, 403, 'ForbiddenError', 'Forbidden', {})
      else isError(t, reply as never, 401, 'UnauthorizedError', 'Missing or invalid credentials', {})
    }
  }
  t.equal((await send('GET', '/api/articles', undefined, { authorization: `bearer ${full.accessKey}` })).status, 200, 'the scheme is case-insensitive')
})

t.test('a key nobody issued is 401 even where the public may act: never downgraded to public access', async (t) => {
  const { send } = await tokenApp(t, { public: [`${A}.find`, `${A}.create`] })
  t.equal((await send('GET', '/api/articles')).status, 200, 'public without credentials')
  isError(t, await send('GET', '/api/articles', undefined, bearer('nope')), 401, 'UnauthorizedError', 'Missing or invalid credentials', {})
  isError(t, await send('POST', '/api/articles', { data: { title: 'x' } }, bearer('nope')), 401, 'UnauthorizedError', 'Missing or invalid credentials', {})
})

t.test('a header that is not one Bearer value counts as no credentials: the public role answers', async (t) => {
  const { send, create } = await tokenApp(t, { public: [`${A}.find`] })
  const { accessKey } = await create({ name: 'full', type: 'full-access' })
  for (const authorization of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', 'x', `Token ${accessKey}`, `Bearer ${accessKey} extra`]) {
    t.equal((await send('GET', '/api/articles', undefined, { authorization })).status, 200, `${authorization.slice(0, 20)}: public find`)
    isError(t, await send('POST', '/api/articles', { data: { title: 'x' } }, { authorization }), 403, 'ForbiddenError', 'Forbidden', {})
  }
})

t.test('a custom token never falls back to the public role\'s permissions', async (t) => {
  const { send, create } = await tokenApp(t, { public: [`${A}.find`] })
  const { accessKey } = await create({ name: 'writer', type: 'custom', permissions: [`${A}.create`] })
  isError(t, await send('GET', '/api/articles', undefined, bearer(accessKey)), 403, 'ForbiddenError', 'Forbidden', {})
  t.equal((await send('POST', '/api/articles', { data: { title: 'x' } }, bearer(accessKey))).status, 201)
})

t.test('an expired token: 401 "Token expired" on every route; an unexpired one with a lifespan works', async (t) => {
  const { app, send, create } = await tokenApp(t, { cacheTtlMs: 0 })
  const week = await create({ name: 'week', type: 'full-access', lifespan: 7 * 86_400_000 })
  t.ok(week.expiresAt !== null && Math.abs(Date.parse(week.expiresAt) - Date.now() - 7 * 86_400_000) < 60_000, 'expiresAt = now + 7 days')
  t.equal((await send('GET', '/api/articles', undefined, bearer(week.accessKey))).status, 200)
  await executeSql(app, `update strapi_api_tokens set expires_at = (now() at time zone 'utc') - interval '1 minute' where id = ${week.id}`)
  for (const action of ACTIONS) {
    isError(t, await run(app, send, action, bearer(week.accessKey)) as never, 401, 'UnauthorizedError', 'Token expired', {})
  }
  isError(t, await send('GET', '/api/whoami', undefined, bearer(week.accessKey)), 401, 'UnauthorizedError', 'Token expired', {})
})

t.test('a revoked token is refused at once; a regenerated token\'s old key too', async (t) => {
  const { app, send, create } = await tokenApp(t)
  const revoked = await create({ name: 'gone', type: 'full-access' })
  t.equal((await send('GET', '/api/articles', undefined, bearer(revoked.accessKey))).status, 200, 'works, and is now cached')
  t.match(await app.vellum.auth.tokens.revoke(revoked.id), { id: revoked.id, name: 'gone' })
  isError(t, await send('GET', '/api/articles', undefined, bearer(revoked.accessKey)), 401, 'UnauthorizedError', 'Missing or invalid credentials', {})
  t.equal(await app.vellum.auth.tokens.revoke(revoked.id), undefined, 'revoking twice finds nothing')

  const rotated = await create({ name: 'rotated', type: 'read-only' })
  t.equal((await send('GET', '/api/articles', undefined, bearer(rotated.accessKey))).status, 200)
  const fresh = await app.vellum.auth.tokens.regenerate(rotated.id)
  t.not(fresh.accessKey, rotated.accessKey)
  isError(t, await send('GET', '/api/articles', undefined, bearer(rotated.accessKey)), 401, 'UnauthorizedError', 'Missing or invalid credentials', {})
  t.equal((await send('GET', '/api/articles', undefined, bearer(fresh.accessKey))).status, 200)
})

t.test('ctx.state.auth is { strategy, credentials } with the token without its hash; isAuthenticated; config.auth.scope', async (t) => {
  const { send, create } = await tokenApp(t, { public: [`${A}.find`] })
  const custom = await create({ name: 'reader', type: 'custom', description: 'reads', permissions: [`${A}.find`, `${A}.findOne`] })
  const reply = await send('GET', '/api/whoami', undefined, bearer(custom.accessKey))
  t.equal(reply.status, 200)
  t.equal(reply.body.isAuthenticated, true)
  t.equal(reply.body.auth.strategy, 'api-token')
  t.match(reply.body.auth.credentials, { id: custom.id, name: 'reader', description: 'reads', type: 'custom', kind: 'content-api', permissions: [`${A}.find`, `${A}.findOne`] })
  t.notOk('accessKey' in reply.body.auth.credentials, 'no key')
  t.notOk(JSON.stringify(reply.body).includes(custom.accessKey), 'the key is nowhere')
  // Both scopes are needed: the public has find only, a token with find only neither.
  isError(t, await send('GET', '/api/whoami'), 403, 'ForbiddenError', 'Forbidden', {})
  const findOnly = await create({ name: 'find only', type: 'custom', permissions: [`${A}.find`] })
  isError(t, await send('GET', '/api/whoami', undefined, bearer(findOnly.accessKey)), 403, 'ForbiddenError', 'Forbidden', {})
})

t.test('lastUsedAt: written on first use, not rewritten within the hour, rewritten after it', async (t) => {
  const { app, send, create } = await tokenApp(t, { cacheTtlMs: 0 })
  const token = await create({ name: 'used', type: 'full-access' })
  t.equal(token.lastUsedAt, null, 'never used')
  const lastUsed = async (): Promise<number> => Date.parse((await app.vellum.auth.tokens.get(token.id))!.lastUsedAt!)
  const before = Date.now()
  await send('GET', '/api/articles', undefined, bearer(token.accessKey))
  t.ok(Math.abs(await lastUsed() - before) < 60_000, 'written on first use, in UTC')
  await executeSql(app, `update strapi_api_tokens set last_used_at = (now() at time zone 'utc') - interval '30 minutes' where id = ${token.id}`)
  const halfHour = await lastUsed()
  await send('GET', '/api/articles', undefined, bearer(token.accessKey))
  t.equal(await lastUsed(), halfHour, 'a value 30 minutes old stays')
  await executeSql(app, `update strapi_api_tokens set last_used_at = (now() at time zone 'utc') - interval '2 hours' where id = ${token.id}`)
  await send('GET', '/api/articles', undefined, bearer(token.accessKey))
  t.ok(Math.abs(await lastUsed() - Date.now()) < 60_000, 'a value 2 hours old is replaced')
})

t.test('validated tokens are cached in process for cacheTtlMs: a row deleted by SQL stops working after the window', async (t) => {
  const { app, send, create } = await tokenApp(t, { cacheTtlMs: 300 })
  const token = await create({ name: 'cached', type: 'full-access' })
  t.equal((await send('GET', '/api/articles', undefined, bearer(token.accessKey))).status, 200)
  await executeSql(app, `delete from strapi_api_tokens where id = ${token.id}`)
  t.equal((await send('GET', '/api/articles', undefined, bearer(token.accessKey))).status, 200, 'within the window: answered from the cache, no lookup')
  await new Promise(resolve => setTimeout(resolve, 350))
  isError(t, await send('GET', '/api/articles', undefined, bearer(token.accessKey)), 401, 'UnauthorizedError', 'Missing or invalid credentials', {})
})

t.test('creation is checked: name, type, lifespan, permissions; keys are 256 hex characters, stored as HMAC-SHA512 only', async (t) => {
  const { app, create } = await tokenApp(t)
  const made = await create({ name: 'one', type: 'custom', permissions: [`${A}.find`] })
  t.match(made.accessKey, /^[0-9a-f]{256}$/)
  const rows = await executeSql(app, `select access_key, encrypted_key from strapi_api_tokens where id = ${made.id}`)
  t.same(rows, [{ access_key: app.vellum.auth.tokens.hash(made.accessKey), encrypted_key: null }], 'only the hash is stored')
  await t.rejects(create({ name: 'one', type: 'read-only' }), { name: 'ValidationError', message: 'Name already taken' })
  await t.rejects(create({ name: ' ', type: 'read-only' }), { name: 'ValidationError' })
  await t.rejects(create({ name: 'x', type: 'admin' as never }), { name: 'ValidationError' })
  await t.rejects(create({ name: 'x', type: 'read-only', lifespan: 1000 }), { name: 'ValidationError' })
  await t.rejects(create({ name: 'x', type: 'custom', permissions: ['drop table'] }), { name: 'ValidationError' })
  t.same((await app.vellum.auth.tokens.list()).map(token => token.name), ['one'])
  t.notOk('accessKey' in (await app.vellum.auth.tokens.list())[0]!, 'list never shows a key')
})

async function executeSql (app: FastifyInstance, text: string): Promise<Array<Record<string, unknown>>> {
  return await app.vellum.db.execute(sql.raw(text))
}
