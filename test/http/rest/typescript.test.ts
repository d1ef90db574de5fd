/**
 * Customization from TypeScript, with the factories imported from the package root: a core router with route
 * config, custom routes, a controller and a service extending the core ones, named and inline policies, global
 * and route middlewares from options. Covers a short-circuit at each stage, errors caught by an upstream
 * middleware, the ctx helpers, and a 500 that never leaks its message.
 */
import t from 'tap'
import {
  ApplicationError, createCoreController, createCoreRouter, createCoreService, type MiddlewareFactory, type RequestContext
} from '../../../lib/index.js'
import { isError, sender } from './helpers.js'
import { buildApp } from '../../helpers/app.js'

const widget = {
  uid: 'api::widget.widget',
  kind: 'collectionType' as const,
  collectionName: 'widgets',
  info: { singularName: 'widget', pluralName: 'widgets', displayName: 'Widget' },
  options: { draftAndPublish: false },
  attributes: {
    name: { type: 'string', required: true },
    rank: { type: 'integer' },
    note: { type: 'string', private: true }
  }
}
const setting = {
  uid: 'api::setting.setting',
  kind: 'singleType' as const,
  collectionName: 'settings',
  info: { singularName: 'setting', pluralName: 'settings', displayName: 'Setting' },
  options: { draftAndPublish: false },
  attributes: { theme: { type: 'string' } }
}

const steps: string[] = []
type Find = (ctx: RequestContext) => Promise<{ data: unknown, meta: Record<string, unknown> }>
type ServiceFind = (params: Record<string, unknown>) => Promise<{ results: Array<Record<string, unknown>>, pagination: unknown }>

/** Global middlewares: `gate` answers at once on `x-gate: closed`; `catcher` turns errors into 409s on `x-catch`. */
const middlewareFactories: Record<string, MiddlewareFactory> = {
  gate: (config) => async (ctx, next) => {
    steps.push('gate in')
    if (ctx.get('x-gate') === 'throw') throw new ApplicationError('The gate is stuck')
    if (ctx.get('x-gate') === 'closed') {
      ctx.status = 423
      ctx.body = { data: null, meta: { gate: config.label } }
      return
    }
    await next()
    steps.push('gate out')
    if (ctx.get('x-gate') === 'throw-after') throw new Error('The gate broke on the way out')
    ctx.set('x-gate-status', String(ctx.status))
  },
  catcher: () => async (ctx, next) => {
    try {
      await next()
    } catch (error) {
      if (ctx.get('x-catch') === '') throw error
      steps.push('caught')
      ctx.status = 409
      ctx.body = { data: null, meta: { caught: (error as Error).message } }
    }
  },
  'api::widget.stamp': (config) => async (ctx, next) => {
    steps.push('stamp in')
    if (ctx.get('x-stamp') === 'short') {
      ctx.body = { data: 'stamped early' }
      return
    }
    await next()
    steps.push('stamp out')
    ctx.set('x-stamp', String(config.value))
  }
}

const app = await buildApp(t, {
  contentTypes: [widget, setting],
  permissions: { public: ['api::widget.widget.find', 'api::widget.widget.findOne', 'api::setting.setting.find'] },
  middlewares: ['strapi::errors', { name: 'global::gate', config: { label: 'closed' } }, 'global::catcher'],
  middlewareFactories,
  policies: {
    'has-rank': (ctx, config) => {
      steps.push('policy has-rank')
      if (ctx.get('x-rank-policy') === 'throw') throw new ApplicationError('Rank policy broke', { why: 'asked' })
      return ctx.get('x-rank') !== '' || config.optional === true
    }
  },
  routes: [
    createCoreRouter('api::widget.widget', {
      config: {
        find: { policies: [{ name: 'has-rank', config: { optional: true } }], middlewares: [{ name: 'api::widget.stamp', config: { value: 'find' } }] },
        findOne: { policies: ['global::has-rank'] },
        create: { auth: false },
        delete: { auth: false, policies: [() => { steps.push('policy inline false'); return false }] }
      }
    }),
    createCoreRouter('api::setting.setting', { prefix: '/v2' }),
    {
      prefix: '/extra',
      routes: [
        { method: 'get', path: '/hello', handler: () => ({ data: 'extra hello' }), config: { auth: false } } as never,
        { method: 'GET', path: '/bypass', handler: () => ({ data: 'no file prefix' }), config: { auth: false, prefix: '' } }
      ]
    },
    {
      routes: [
        { method: 'GET', path: '/widgets/stats', handler: 'api::widget.widget.stats', config: { auth: false } },
        { method: 'GET', path: '/widgets/top', handler: 'api::widget.widget.top', config: { auth: false } },
        { method: 'GET', path: '/boom', handler: () => { throw new Error('database password is hunter2') }, config: { auth: false } },
        { method: 'GET', path: '/app-error', handler: () => { throw new ApplicationError('Widgets are tired', { retry: true }) }, config: { auth: false } },
        { method: 'GET', path: '/helpers/bad', handler: (ctx) => { ctx.badRequest('Nope', { field: 'name' }) }, config: { auth: false } },
        { method: 'GET', path: '/helpers/missing', handler: (ctx) => { ctx.notFound('No widget here') }, config: { auth: false } },
        { method: 'GET', path: '/helpers/throw', handler: (ctx) => ctx.throw(429, 'Slow down'), config: { auth: false } },
        { method: 'GET', path: '/helpers/created', handler: (ctx) => { ctx.created({ data: 'made' }) }, config: { auth: false } },
        { method: 'GET', path: '/helpers/body', handler: (ctx) => { ctx.body = { data: 'set' }; ctx.status = 203 }, config: { auth: false } },
        { method: 'GET', path: '/helpers/nothing', handler: () => undefined, config: { auth: false } },
        { method: 'GET', path: '/helpers/deleted', handler: (ctx) => { ctx.deleted() }, config: { auth: false } },
        { method: 'GET', path: '/helpers/state', handler: (ctx) => ({ data: { route: ctx.state.route, params: ctx.params, query: ctx.query } }), config: { auth: false } },
        { method: 'GET', path: '/helpers/state/:slug', handler: (ctx) => ({ data: { params: ctx.params, query: ctx.query } }), config: { auth: false } },
        { method: 'POST', path: '/echo', handler: (ctx) => ({ data: ctx.request.body }), config: { auth: false } },
        { method: 'GET', path: '/scoped', handler: () => ({ data: 'scoped' }), config: { auth: { scope: ['api::widget.widget.find'] } } },
        { method: 'GET', path: '/unscoped', handler: () => ({ data: 'never' }) }
      ]
    }
  ],
  controllers: [
    createCoreController('api::widget.widget', ({ vellum }) => ({
      async find (ctx: RequestContext) {
        steps.push('controller find')
        if (ctx.get('x-controller') === 'short') return { data: [], meta: { short: true } }
        const response = await (super.find as Find)(ctx)
        return { ...response, meta: { ...response.meta, extended: true } }
      },
      async stats () {
        const service = vellum.service('api::widget.widget') as { summary: () => Promise<unknown> }
        return { data: await service.summary() }
      },
      async top (this: { sanitizeOutput: (data: unknown, ctx: RequestContext) => Promise<unknown>, transformResponse: (data: unknown) => unknown }, ctx: RequestContext) {
        const service = vellum.service('api::widget.widget') as { find: ServiceFind }
        const { results } = await service.find({ sort: 'rank:desc', pagination: { pageSize: 1 } })
        return this.transformResponse(await this.sanitizeOutput(results[0], ctx))
      }
    }))
  ],
  services: [
    createCoreService('api::widget.widget', ({ vellum }) => ({
      async find (params: Record<string, unknown>) {
        steps.push('service find')
        const result = await (super.find as ServiceFind)(params)
        return { ...result, results: result.results.map(entry => ({ ...entry, label: `${String(entry.name)}!` })) }
      },
      async summary () {
        return { widgets: await vellum.db.query('api::widget.widget').count() }
      }
    }))
  ]
})
const send = sender(app)
for (const [name, rank] of [['Small', 1], ['Big', 5]] as const) {
  await app.vellum.documents('api::widget.widget').create({ data: { name, rank, note: 'private-note' } })
}

async function traced (...args: Parameters<typeof send>): Promise<Awaited<ReturnType<typeof send>>> {
  steps.length = 0
  return await send(...args)
}

t.test('a controller and a service extending the core, from the package root factories', async (t) => {
  const res = await traced('GET', '/api/widgets?sort=rank')
  t.equal(res.status, 200)
  t.same(res.body.data.map((w: { name: string, label: string }) => [w.name, w.label]), [['Small', 'Small!'], ['Big', 'Big!']])
  t.same(res.body.meta, { pagination: { page: 1, pageSize: 25, pageCount: 1, total: 2 }, extended: true })
  t.notMatch(res.text, /private-note/)
  t.same(steps, ['gate in', 'policy has-rank', 'stamp in', 'controller find', 'service find', 'stamp out', 'gate out'])
  t.equal(res.headers['x-stamp'], 'find')
  t.equal(res.headers['x-gate-status'], '200')
})

t.test('custom actions beside the core ones, using vellum.service and this.sanitizeOutput', async (t) => {
  t.same((await send('GET', '/api/widgets/stats')).body, { data: { widgets: 2 } })
  const top = await send('GET', '/api/widgets/top')
  t.match(top.body, { data: { name: 'Big', rank: 5, label: 'Big!' }, meta: {} })
  t.notOk('note' in top.body.data, 'the custom action sanitized through the core helper')
})

t.test('a short-circuit at each stage: global middleware, policy, route middleware, controller', async (t) => {
  const gate = await traced('GET', '/api/widgets', undefined, { 'x-gate': 'closed' })
  t.equal(gate.status, 423)
  t.same(gate.body, { data: null, meta: { gate: 'closed' } })
  t.same(steps, ['gate in'])

  const policy = await traced('GET', `/api/widgets/${(await send('GET', '/api/widgets')).body.data[0].documentId as string}`)
  isError(t, policy, 403, 'PolicyError', 'Policy Failed', {})
  t.same(steps, ['gate in', 'policy has-rank'], 'the named policy without its optional config refused')

  const route = await traced('GET', '/api/widgets', undefined, { 'x-stamp': 'short' })
  t.equal(route.status, 200)
  t.same(route.body, { data: 'stamped early' })
  t.same(steps, ['gate in', 'policy has-rank', 'stamp in', 'gate out'])
  t.equal(route.headers['x-gate-status'], '200', 'upstream code after next() saw the short answer')

  const controller = await traced('GET', '/api/widgets', undefined, { 'x-controller': 'short' })
  t.same(controller.body, { data: [], meta: { short: true } })
  t.same(steps, ['gate in', 'policy has-rank', 'stamp in', 'controller find', 'stamp out', 'gate out'])
})

t.test('an inline policy answering false on a route with auth false', async (t) => {
  const { documentId } = (await send('GET', '/api/widgets')).body.data[0]
  const res = await traced('DELETE', `/api/widgets/${documentId as string}`)
  isError(t, res, 403, 'PolicyError', 'Policy Failed', {})
  t.same(steps, ['gate in', 'policy inline false'])
  t.equal((await send('GET', `/api/widgets/${documentId as string}`, undefined, { 'x-rank': '1' })).status, 200, 'not deleted')
})

t.test('errors caught by an upstream middleware: from the controller, a policy, the service', async (t) => {
  const boom = await traced('GET', '/api/boom', undefined, { 'x-catch': 'yes' })
  t.equal(boom.status, 409)
  t.same(boom.body, { data: null, meta: { caught: 'database password is hunter2' } })
  t.same(steps, ['gate in', 'caught', 'gate out'])
  t.equal(boom.headers['x-gate-status'], '409')

  const policy = await traced('GET', '/api/widgets', undefined, { 'x-catch': 'yes', 'x-rank-policy': 'throw' })
  t.equal(policy.status, 409)
  t.same(policy.body, { data: null, meta: { caught: 'Rank policy broke' } })
  t.same(steps, ['gate in', 'policy has-rank', 'caught', 'gate out'])

  const validation = await traced('GET', '/api/widgets?filters[bogus]=1', undefined, { 'x-catch': 'yes' })
  t.equal(validation.status, 409)
  t.same(validation.body, { data: null, meta: { caught: 'Invalid key bogus' } })
})

t.test('errors nobody catches: the envelope with their status; a 500 never leaks its message', async (t) => {
  const boom = await send('GET', '/api/boom')
  isError(t, boom, 500, 'InternalServerError', 'Internal Server Error')
  t.same(boom.body.error, { status: 500, name: 'InternalServerError', message: 'Internal Server Error' }, 'no details')
  t.notMatch(boom.text, /hunter2/)
  isError(t, await send('GET', '/api/app-error'), 400, 'ApplicationError', 'Widgets are tired', { retry: true })
  const policy = await send('GET', '/api/widgets', undefined, { 'x-rank-policy': 'throw' })
  isError(t, policy, 400, 'ApplicationError', 'Rank policy broke', { why: 'asked' })
})

t.test('errors thrown by a global middleware, before or after next(): the envelope (strapi::errors upstream formats them)', async (t) => {
  isError(t, await traced('GET', '/api/widgets', undefined, { 'x-gate': 'throw' }), 400, 'ApplicationError', 'The gate is stuck', {})
  t.same(steps, ['gate in'])
  const after = await traced('GET', '/api/widgets', undefined, { 'x-gate': 'throw-after' })
  isError(t, after, 500, 'InternalServerError', 'Internal Server Error')
  t.same(steps, ['gate in', 'policy has-rank', 'stamp in', 'controller find', 'service find', 'stamp out', 'gate out'], 'the request had run')
  t.notMatch(after.text, /broke/)
  isError(t, await send('GET', '/api/nothing', undefined, { 'x-gate': 'throw' }), 400, 'ApplicationError', 'The gate is stuck', {})
})

t.test('concurrent requests keep their own context, state and answer', async (t) => {
  const replies = await Promise.all(Array.from({ length: 40 }, async (_, i) =>
    await send('GET', `/api/helpers/state?i=${i}`, undefined, i % 4 === 0 ? { 'x-gate': 'closed' } : {})))
  replies.forEach((reply, i) => {
    if (i % 4 === 0) t.equal(reply.status, 423, `#${i} closed`)
    else t.same(reply.body.data.query, { i: String(i) }, `#${i}`)
  })
})

t.test('ctx helpers: badRequest, notFound, throw, created, body + status, deleted, nothing set → 404', async (t) => {
  isError(t, await send('GET', '/api/helpers/bad'), 400, 'ValidationError', 'Nope', { field: 'name' })
  isError(t, await send('GET', '/api/helpers/missing'), 404, 'NotFoundError', 'No widget here', {})
  isError(t, await send('GET', '/api/helpers/throw'), 429, 'RateLimitError', 'Slow down', {})
  const created = await send('GET', '/api/helpers/created')
  t.equal(created.status, 201)
  t.same(created.body, { data: 'made' })
  const body = await send('GET', '/api/helpers/body')
  t.equal(body.status, 203)
  t.same(body.body, { data: 'set' })
  const deleted = await send('GET', '/api/helpers/deleted')
  t.equal(deleted.status, 204)
  t.equal(deleted.text, '')
  isError(t, await send('GET', '/api/helpers/nothing'), 404, 'NotFoundError', 'Not Found', {})
})

t.test('ctx: params, the qs-parsed query, state.route, the parsed body', async (t) => {
  const state = await send('GET', '/api/helpers/state?a[b]=1&list[0]=x&flag')
  t.same(state.body.data.query, { a: { b: '1' }, list: ['x'], flag: null }, "qs with Strapi's settings (strictNullHandling)")
  t.match(state.body.data.route, { method: 'GET', path: '/helpers/state', config: { auth: false } })
  t.same((await send('GET', '/api/helpers/state/hello')).body.data.params, { slug: 'hello' })
  t.same((await send('POST', '/api/echo', { any: ['json'] })).body, { data: { any: ['json'] } })
})

t.test('route auth: a scope names the action checked; a custom route without one is 401 for the public', async (t) => {
  t.same((await send('GET', '/api/scoped')).body, { data: 'scoped' }, 'scope api::widget.widget.find is public')
  isError(t, await send('GET', '/api/unscoped'), 401, 'UnauthorizedError', 'Missing or invalid credentials', {})
})

t.test('core router config: auth false on create opens it while the permission list does not', async (t) => {
  const res = await send('POST', '/api/widgets', { data: { name: 'Made', rank: 3, note: 'private-note' } })
  t.equal(res.status, 201)
  t.notOk('note' in res.body.data)
  isError(t, await send('PUT', `/api/widgets/${res.body.data.documentId as string}`, { data: { rank: 4 } }), 403, 'ForbiddenError', 'Forbidden', {})
  t.equal((await send('GET', '/api/v2/setting')).status, 404)
  isError(t, await send('PUT', '/api/v2/setting', { data: { theme: 'dark' } }), 403, 'ForbiddenError', 'Forbidden', {})
})

t.test('a route naming a handler or content type that does not exist fails the boot, naming it', async (t) => {
  await t.rejects(buildApp(t, { routes: [{ routes: [{ method: 'GET', path: '/x', handler: 'api::article.article.nope' }] }] }),
    { name: 'ProjectCodeError', code: 'VELLUM_ERR_PROJECT_CODE', message: 'options.routes: routes[0]: handler api::article.article.nope not found' })
  await t.rejects(buildApp(t, { routes: [createCoreRouter('api::nope.nope')] }),
    { name: 'ProjectCodeError', code: 'VELLUM_ERR_PROJECT_CODE', message: 'options.routes: createCoreRouter("api::nope.nope"): no such content type' })
  await t.rejects(buildApp(t, { routes: [{ routes: [{ method: 'GET', path: 'x', handler: 'api::article.article.find' }] }] }),
    { name: 'ProjectCodeError', message: 'options.routes: routes[0]: path must start with "/"' })
})

t.test('router prefixes: a core router prefix, a file-level prefix, and config.prefix bypassing it', async (t) => {
  isError(t, await send('POST', '/api/v2/setting', { data: {} }), 405, 'MethodNotAllowedError', 'Method Not Allowed', {})
  isError(t, await send('POST', '/api/setting', { data: {} }), 404, 'NotFoundError', 'Not Found', {})
  t.same((await send('GET', '/api/extra/hello')).body, { data: 'extra hello' }, 'a lower-case method works too')
  t.same((await send('GET', '/api/bypass')).body, { data: 'no file prefix' })
  isError(t, await send('GET', '/api/extra/bypass'), 404, 'NotFoundError', 'Not Found', {})
})
