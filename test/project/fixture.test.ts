import t, { type Test } from 'tap'
import type { Controller } from '../../lib/hooks/index.js'
import { resolveRouteMiddlewares } from '../../lib/http/middlewares/index.js'
import { resolvePolicies } from '../../lib/http/policies/index.js'
import { loadProjectCode } from '../../lib/project/index.js'
import type { CoreRouter, CustomRouter, ProjectCode, RouteConfig } from '../../lib/http/types.js'
import { record, resetSteps, steps } from '../helpers/custom-recorder.js'
import { build, deps } from '../http/middlewares/helpers.js'
import { fixture } from '../helpers/paths.js'
import '../helpers/typescript.js'

/**
 * The fixture's policies and middlewares through the pipeline, with a stand-in controller: the request flow of
 * the seeds for everything this part owns (global list from config/middlewares.js, route policies and
 * middlewares from the route files, names resolved in the route's API).
 */

const FIXTURE = fixture('projects', 'custom') + '/'

async function serve (t: Test, code: ProjectCode, config: RouteConfig, controller: Controller) {
  return await build(t, {
    list: code.globalMiddlewares ?? [],
    registry: code.middlewares,
    projectDir: FIXTURE,
    policies: resolvePolicies(config.policies, { apiName: 'item' }, code.policies, deps),
    route: await resolveRouteMiddlewares(config.middlewares, { apiName: 'item', registry: code.middlewares, deps, projectDir: FIXTURE }),
    controller
  })
}

const controller: Controller = () => {
  record('controller')
  return { data: [] }
}

t.test('GET /items as the fixture configures it: every step in the seeds\' order', async (t) => {
  const code = await loadProjectCode(FIXTURE)
  const router = code.routers.find(entry => entry.source === 'src/api/item/routes/item.ts')?.router as CoreRouter
  const { app } = await serve(t, code, router.config.config?.find ?? {}, controller)

  resetSteps()
  const response = await app.inject({ url: '/thing', headers: { origin: 'https://app.example' } })
  t.equal(response.statusCode, 200)
  t.same(steps, [
    'global middleware in', 'policy api::item.is-allowed', 'route middleware in', 'controller',
    'route middleware out', 'global middleware out'
  ])
  t.equal(response.headers['x-request-tag'], 'custom 200', 'global:: middleware with its config')
  t.equal(response.headers['x-item-tag'], 'item', 'api:: route middleware')
  t.equal(response.headers['x-powered-by'], 'vellum')
  t.equal(response.headers['x-frame-options'], 'SAMEORIGIN')
  t.equal(response.headers['access-control-allow-origin'], 'https://app.example')

  resetSteps()
  const denied = await app.inject({ url: '/thing', headers: { 'x-policy': 'deny' } })
  t.equal(denied.statusCode, 403)
  t.same(denied.json(), { data: null, error: { status: 403, name: 'PolicyError', message: 'Policy Failed', details: {} } })
  // Koa's meaning: the PolicyError rejects global::request-tag's `await next()`, so its code after it is skipped;
  // strapi::errors, further up, turns it into the envelope.
  t.same(steps, ['global middleware in', 'policy api::item.is-allowed'])
  t.notOk(denied.headers['x-request-tag'])
  t.equal(denied.headers['x-powered-by'], undefined, 'strapi::poweredBy sits below strapi::errors too, as in Strapi')

  const thrown = await app.inject({ url: '/thing', headers: { 'x-policy': 'throw' } })
  t.same(thrown.json().error, { status: 403, name: 'PolicyError', message: 'Items are closed', details: { policy: 'is-allowed' } })

  resetSteps()
  const short = await app.inject({ url: '/thing', headers: { 'x-route-middleware': 'short' } })
  t.equal(short.statusCode, 202)
  t.same(short.json(), { data: null, meta: { shortCircuit: 'route middleware' } })
  t.same(steps, ['global middleware in', 'policy api::item.is-allowed', 'route middleware in', 'global middleware out'])
})

t.test('the custom route: bare names in the item API, an inline policy, { name, config } route middleware', async (t) => {
  const code = await loadProjectCode(FIXTURE)
  const router = code.routers.find(entry => entry.source === 'src/api/item/routes/custom.ts')?.router as CustomRouter
  const featured = router.routes.find(route => route.path === '/items/featured')
  const { app } = await serve(t, code, featured?.config ?? {}, controller)
  resetSteps()
  const response = await app.inject('/thing')
  t.equal(response.statusCode, 200)
  t.equal(response.headers['x-item-tag'], 'featured')
  t.same(steps, [
    'global middleware in', 'policy api::item.is-allowed', 'policy inline', 'route middleware in', 'controller',
    'route middleware out', 'global middleware out'
  ])
})

t.test('the core router\'s create: the global policy with its config', async (t) => {
  const code = await loadProjectCode(FIXTURE)
  const router = code.routers.find(entry => entry.source === 'src/api/item/routes/item.ts')?.router as CoreRouter
  const { app } = await serve(t, code, router.config.config?.create ?? {}, controller)
  t.equal((await app.inject({ method: 'POST', url: '/thing', payload: {} })).statusCode, 403)
  t.equal((await app.inject({ method: 'POST', url: '/thing', payload: {}, headers: { 'x-editor': 'yes' } })).statusCode, 200)
})
