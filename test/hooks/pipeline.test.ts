import t, { type Test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import { PolicyError } from '../../lib/errors.js'
import {
  createGlobalHook, createRouteHandlers, releaseSuspended, type BoundPolicy, type ContextMiddleware, type Controller
} from '../../lib/hooks/index.js'
import { handleNotFound, handlePipelineError } from '../../lib/http/errors.js'

interface Setup {
  global?: ContextMiddleware[]
  policies?: BoundPolicy[]
  route?: ContextMiddleware[]
  controller?: Controller
}

/** A scope wired like vellum's: global middlewares on onRequest, one route with policies and middlewares. */
async function build (t: Test, setup: Setup): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, pluginTimeout: 120_000 })
  t.teardown(() => app.close())
  await app.register(async (scope) => {
    scope.addHook('onRequest', createGlobalHook(setup.global ?? []))
    scope.addHook('onResponse', async (request) => { releaseSuspended(request) })
    scope.setErrorHandler(handlePipelineError)
    scope.setNotFoundHandler(handleNotFound)
    const { preHandler, handler } = createRouteHandlers({
      policies: setup.policies ?? [],
      middlewares: setup.route ?? [],
      controller: setup.controller ?? (() => ({ ok: true }))
    })
    scope.post('/thing', { preHandler }, handler)
  })
  await app.ready()
  return app
}

const recorder = (steps: string[]) => ({
  middleware: (name: string): ContextMiddleware => async (ctx, next) => {
    steps.push(`${name} in`)
    await next()
    steps.push(`${name} out`)
  }
})

t.test('a request walks the seeds\' flow in order, in and back out', async (t) => {
  const steps: string[] = []
  const { middleware } = recorder(steps)
  const app = await build(t, {
    global: [middleware('global A'), middleware('global B')],
    policies: [() => { steps.push('policy 1'); return true }, () => { steps.push('policy 2') }],
    route: [middleware('route A'), middleware('route B')],
    controller: (ctx) => { steps.push(`controller ${JSON.stringify(ctx.request.body)}`); return { data: 1 } }
  })
  const response = await app.inject({ method: 'POST', url: '/thing', payload: { a: 1 } })
  t.equal(response.statusCode, 200)
  t.same(response.json(), { data: 1 })
  t.same(steps, [
    'global A in', 'global B in', 'policy 1', 'policy 2', 'route A in', 'route B in',
    'controller {"a":1}', 'route B out', 'route A out', 'global B out', 'global A out'
  ])
})

t.test('code after await next() can change status, headers and body before serialization', async (t) => {
  const app = await build(t, {
    global: [async (ctx, next) => {
      await next()
      ctx.set('x-seen-status', String(ctx.status))
      ctx.body = { wrapped: ctx.body }
    }],
    route: [async (ctx, next) => {
      await next()
      ctx.status = 202
    }],
    controller: () => ({ inner: true })
  })
  const response = await app.inject({ method: 'POST', url: '/thing', payload: {} })
  t.equal(response.statusCode, 202)
  t.equal(response.headers['x-seen-status'], '202')
  t.same(response.json(), { wrapped: { inner: true } })
})

t.test('a global middleware returning without next() answers at once; upstream code after next() still runs', async (t) => {
  const steps: string[] = []
  const { middleware } = recorder(steps)
  const app = await build(t, {
    global: [middleware('global A'), (ctx) => { steps.push('global B answers'); ctx.status = 418; ctx.body = { short: 'global' } }, middleware('global C')],
    policies: [() => { steps.push('policy'); return true }],
    controller: () => { steps.push('controller') }
  })
  const response = await app.inject({ method: 'POST', url: '/thing', payload: {} })
  t.equal(response.statusCode, 418)
  t.same(response.json(), { short: 'global' })
  t.same(steps, ['global A in', 'global B answers', 'global A out'])
})

t.test('a route middleware returning without next() skips the controller; upstream middlewares unwind', async (t) => {
  const steps: string[] = []
  const { middleware } = recorder(steps)
  const app = await build(t, {
    global: [middleware('global')],
    route: [middleware('route A'), (ctx) => { steps.push('route B answers'); ctx.body = { short: 'route' } }],
    controller: () => { steps.push('controller') }
  })
  const response = await app.inject({ method: 'POST', url: '/thing', payload: {} })
  t.equal(response.statusCode, 200)
  t.same(response.json(), { short: 'route' })
  t.same(steps, ['global in', 'route A in', 'route B answers', 'route A out', 'global out'])
})

t.test('a policy returning false answers 403 PolicyError; route middlewares and controller are skipped', async (t) => {
  const steps: string[] = []
  const { middleware } = recorder(steps)
  const app = await build(t, {
    global: [middleware('global')],
    policies: [() => false],
    route: [middleware('route')],
    controller: () => { steps.push('controller') }
  })
  const response = await app.inject({ method: 'POST', url: '/thing', payload: {} })
  t.equal(response.statusCode, 403)
  t.same(response.json(), { data: null, error: { status: 403, name: 'PolicyError', message: 'Policy Failed', details: {} } })
  t.same(steps, ['global in'], 'the global middleware sees the error rejecting next(), so its code after next() does not run')
})

t.test('a policy throwing keeps its status, name and message', async (t) => {
  const app = await build(t, { policies: [() => { throw new PolicyError('Only editors', { role: 'reader' }) }] })
  const response = await app.inject({ method: 'POST', url: '/thing', payload: {} })
  t.equal(response.statusCode, 403)
  t.same(response.json().error, { status: 403, name: 'PolicyError', message: 'Only editors', details: { role: 'reader' } })
})

t.test('an error thrown downstream rejects await next(): an upstream middleware catches it and answers', async (t) => {
  const app = await build(t, {
    global: [async (ctx, next) => {
      try {
        await next()
      } catch (error) {
        ctx.status = 409
        ctx.body = { caught: (error as Error).message }
      }
    }],
    route: [async (ctx, next) => { await next() }],
    controller: () => { throw new Error('controller failed') }
  })
  const response = await app.inject({ method: 'POST', url: '/thing', payload: {} })
  t.equal(response.statusCode, 409)
  t.same(response.json(), { caught: 'controller failed' })
})

t.test('an uncaught error gets the envelope, and a 500 hides its message', async (t) => {
  const app = await build(t, { controller: () => { throw new Error('secret database detail') } })
  const response = await app.inject({ method: 'POST', url: '/thing', payload: {} })
  t.equal(response.statusCode, 500)
  t.same(response.json(), { data: null, error: { status: 500, name: 'InternalServerError', message: 'Internal Server Error' } })
})

t.test('parsing errors travel up the global chain too', async (t) => {
  const seen: number[] = []
  const app = await build(t, {
    global: [async (ctx, next) => {
      try { await next() } catch (error) { seen.push((error as { statusCode: number }).statusCode); throw error }
    }]
  })
  const response = await app.inject({ method: 'POST', url: '/thing', headers: { 'content-type': 'application/json' }, payload: '{bad' })
  t.equal(response.statusCode, 400)
  t.equal(response.json().error.name, 'ValidationError')
  t.same(seen, [400])
})

t.test('a controller that returns null and sets nothing answers 404; an unknown path goes through the global middlewares', async (t) => {
  const steps: string[] = []
  const { middleware } = recorder(steps)
  const app = await build(t, { global: [middleware('global')], controller: () => null })
  const empty = await app.inject({ method: 'POST', url: '/thing', payload: {} })
  t.equal(empty.statusCode, 404)
  t.same(empty.json(), { data: null, error: { status: 404, name: 'NotFoundError', message: 'Not Found', details: {} } })
  const unknown = await app.inject('/nowhere')
  t.equal(unknown.statusCode, 404)
  t.equal(unknown.json().error.name, 'NotFoundError')
  t.same(steps, ['global in', 'global out', 'global in', 'global out'])
})

t.test('ctx helpers answer with the envelope and ctx exposes the Fastify request and reply', async (t) => {
  const app = await build(t, {
    controller: (ctx) => {
      t.equal(ctx.request.method, 'POST')
      t.type(ctx.reply.header, 'function')
      t.equal(ctx.get('X-Custom'), 'yes')
      ctx.badRequest('nope', { field: 'x' })
    }
  })
  const response = await app.inject({ method: 'POST', url: '/thing', headers: { 'x-custom': 'yes' }, payload: {} })
  t.equal(response.statusCode, 400)
  t.same(response.json(), { data: null, error: { status: 400, name: 'ValidationError', message: 'nope', details: { field: 'x' } } })
})

t.test('ctx.deleted() without a body answers 204 with an empty body', async (t) => {
  const app = await build(t, { controller: (ctx) => { ctx.deleted() } })
  const response = await app.inject({ method: 'POST', url: '/thing', payload: {} })
  t.equal(response.statusCode, 204)
  t.equal(response.body, '')
})
