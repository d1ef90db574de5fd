/**
 * A Strapi project's files import `@strapi/strapi` and `@strapi/utils` without those packages installed (issue
 * 17): TypeScript route, controller and service files calling `factories`, a CommonJS policy requiring
 * `errors` and throwing `errors.PolicyError`, `({ strapi })` and the global `strapi`, served in process and by
 * the built CLI on plain node.
 */
import t from 'tap'
import { buildServer, loadServerConfig } from '../../lib/server.js'
import { cliEnv, collectionType, freePort, spawnCli, tempProject } from '../cli/helpers.js'
import '../helpers/typescript.js'

const PROJECT = {
  'vellum.config.json': { permissions: { public: '*' } },
  'src/api/shop/content-types/shop/schema.json': collectionType('shop', 'shops', { name: { type: 'string' } }),
  'src/api/shop/routes/shop.ts': `import { factories } from '@strapi/strapi'

export default factories.createCoreRouter('api::shop.shop', { config: { find: { policies: ['global::is-open'] } } })
`,
  'src/api/shop/controllers/shop.ts': `import { factories } from '@strapi/strapi'
import type { Core } from '@strapi/strapi'

export default factories.createCoreController('api::shop.shop', ({ strapi }: { strapi: Core.Strapi }) => ({
  async find (ctx: Parameters<Core.ControllerHandler>[0]) {
    const answer = await super.find(ctx)
    const count = await strapi.documents('api::shop.shop').count({})
    return { ...answer, meta: { ...answer.meta, open: true, count, limit: await strapi.service('api::shop.shop').limit() } }
  }
}))
`,
  'src/api/shop/services/shop.ts': `import { factories } from '@strapi/strapi'

// The global strapi, as Strapi's own services use it.
export default factories.createCoreService('api::shop.shop', () => ({
  async limit () { return strapi.config.get('api.rest.defaultLimit', 0) }
}))
`,
  'src/policies/is-open.js': `const { errors } = require('@strapi/utils')

module.exports = (policyContext) => {
  if (policyContext.request.headers['x-shop-closed'] !== undefined) throw new errors.PolicyError('The shop is closed', { policy: 'is-open' })
  return true
}
`,

  'src/middlewares/stamp.js': `module.exports = () => async (ctx, next) => { await next() }
`,
  'config/server.js': `module.exports = ({ env }) => ({ host: '127.0.0.1', port: env.int('SHOP_TEST_PORT', 1444) })
`
}

const CLOSED = { data: null, error: { status: 403, name: 'PolicyError', message: 'The shop is closed', details: { policy: 'is-open' } } }

t.test('in process: the factories and the errors are vellum\'s own', async (t) => {
  const dir = await tempProject(t, PROJECT)
  const app = await buildServer(await loadServerConfig(dir, { ...await cliEnv(t), LOG_LEVEL: 'silent' }))
  t.teardown(() => app.close())
  await app.vellum.documents('api::shop.shop').create({ data: { name: 'Corner' } })
  const open = await app.inject({ method: 'GET', url: '/api/shops' })
  t.equal(open.statusCode, 200)
  t.match(open.json(), { data: [{ name: 'Corner' }], meta: { open: true, count: 1, limit: 25, pagination: { total: 1 } } }, 'the controller extends the core one, with { strapi } and the global strapi')
  const closed = await app.inject({ method: 'GET', url: '/api/shops', headers: { 'x-shop-closed': '1' } })
  t.equal(closed.statusCode, 403)
  t.same(closed.json(), CLOSED, 'errors.PolicyError from @strapi/utils is answered in the envelope')
  const { strapi } = app.vellum
  t.equal(strapi.getModel('api::shop.shop'), app.vellum.contentTypes['api::shop.shop'])
  t.equal(strapi.plugin('upload').service('upload'), app.vellum.media)
  t.throws(() => (strapi as unknown as { cron: unknown }).cron, { name: 'NotImplementedError', message: 'strapi.cron is not supported by vellum' })
  t.throws(() => strapi.plugin('i18n'), { message: "strapi.plugin('i18n') is not supported by vellum" })
  t.type(strapi.policy('global::is-open'), 'function', 'a project policy by its full name')
  t.equal(strapi.policy('is-open'), strapi.policy('global::is-open'), 'and by its bare name')
  t.equal(strapi.policy('nope'), undefined, 'an unknown policy is undefined, as in Strapi')
  t.type(strapi.middleware('global::stamp'), 'function', 'a project middleware factory')
  t.equal(strapi.middleware('nope'), undefined)
  t.throws(() => strapi.middleware('strapi::logger'), { message: "strapi.middleware('strapi::logger') is not supported by vellum" })
  t.equal(strapi.get('config'), strapi.config)
  t.throws(() => strapi.get('webhookStore'), { name: 'NotImplementedError', message: "strapi.get('webhookStore') is not supported by vellum" })
  t.equal(strapi.config.get('server.port'), 1444, 'config/server as the project wrote it')
  t.equal(strapi.config.get('api.rest.defaultLimit'), 25, 'what vellum has in effect')
  t.equal(strapi.config.get('environment'), process.env.NODE_ENV ?? 'development')
  t.equal(strapi.config.get('server.nope', 'fallback'), 'fallback')
  const jwt = strapi.plugin('users-permissions').service('jwt') as {
    issue: (payload: { id: number }) => string
    verify: (token: string) => Promise<Record<string, unknown>>
    getToken: (ctx: { headers: Record<string, unknown> }) => Promise<Record<string, unknown> | null>
  }
  const token = jwt.issue({ id: 7 })
  t.match(await jwt.verify(token), { id: 7 }, 'jwt.verify gives the payload')
  await t.rejects(jwt.verify(`${token}x`), { name: 'UnauthorizedError', message: 'Invalid token.' })
  t.match(await jwt.getToken({ headers: { authorization: `Bearer ${token}` } }), { id: 7 }, 'jwt.getToken reads the request\'s bearer token')
  t.equal(await jwt.getToken({ headers: {} }), null)
})

t.test('the built CLI on plain node serves the same project', async (t) => {
  const dir = await tempProject(t, PROJECT)
  const port = await freePort()
  const server = spawnCli(t, ['start', '--dir', dir], { ...await cliEnv(t), PORT: String(port) })
  await server.waitFor(/listening on/)
  const open = await fetch(`http://127.0.0.1:${port}/api/shops`)
  t.equal(open.status, 200)
  t.match(await open.json(), { data: [], meta: { open: true, count: 0, limit: 25 } })
  const closed = await fetch(`http://127.0.0.1:${port}/api/shops`, { headers: { 'x-shop-closed': '1' } })
  t.equal(closed.status, 403)
  t.same(await closed.json(), CLOSED)
  server.child.kill('SIGTERM')
  t.equal(await server.exited, 0)
})
