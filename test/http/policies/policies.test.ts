import t, { type Test } from 'tap'
import { ApplicationError, PolicyError } from '../../../lib/errors.js'
import type { BoundPolicy } from '../../../lib/hooks/index.js'
import { createPolicyContext, findPolicy, resolvePolicies, resolvePolicy } from '../../../lib/http/policies/index.js'
import type { FactoryDeps, Policy, PolicyContext } from '../../../lib/http/types.js'
import { build, deps } from '../middlewares/helpers.js'

interface Call {
  name: string
  config: Record<string, unknown>
  deps: FactoryDeps
  context: PolicyContext
}

function registryOf (calls: Call[], ...names: string[]): Map<string, Policy> {
  return new Map(names.map(name => [name, (context: PolicyContext, config: Record<string, unknown>, factoryDeps: FactoryDeps) => {
    calls.push({ name, config, deps: factoryDeps, context })
    return true
  }]))
}

/** Runs bound policies through a real request; returns the response. */
async function run (t: Test, policies: BoundPolicy[], controller?: () => unknown) {
  const { app } = await build(t, { list: [], policies, ...(controller !== undefined && { controller }) })
  return await app.inject('/thing')
}

t.test('every reference form resolves to its policy, with its config and { vellum }', async (t) => {
  const calls: Call[] = []
  const registry = registryOf(calls, 'global::is-owner', 'global::shared', 'api::shop.shared', 'api::shop.in-stock', 'api::blog.in-stock')
  const inline: Policy = (context, config, factoryDeps) => {
    calls.push({ name: 'inline', config, deps: factoryDeps, context })
  }
  const policies = resolvePolicies([
    'global::is-owner',
    'api::blog.in-stock',
    'in-stock',
    'shared',
    'is-owner',
    { name: 'api::shop.in-stock', config: { min: 2 } },
    { name: 'shared' },
    inline
  ], { apiName: 'shop' }, registry, deps)
  const response = await run(t, policies)
  t.equal(response.statusCode, 200)
  t.same(calls.map(call => [call.name, call.config]), [
    ['global::is-owner', {}],
    ['api::blog.in-stock', {}],
    ['api::shop.in-stock', {}],
    ['api::shop.shared', {}],
    ['global::is-owner', {}],
    ['api::shop.in-stock', { min: 2 }],
    ['api::shop.shared', {}],
    ['inline', {}]
  ])
  t.ok(calls.every(call => call.deps === deps))
})

t.test('a bare name without an API is a global one', async (t) => {
  const calls: Call[] = []
  const registry = registryOf(calls, 'global::shared', 'api::shop.shared')
  t.equal(findPolicy('shared', {}, registry), registry.get('global::shared'))
  t.equal(findPolicy('shared', { apiName: 'blog' }, registry), registry.get('global::shared'))
  t.equal(findPolicy('shared', { apiName: 'shop' }, registry), registry.get('api::shop.shared'))
  t.equal(findPolicy('api::blog.shared', { apiName: 'shop' }, registry), undefined, 'a full name is never reinterpreted')
  const bare = new Map<string, Policy>([['open', () => true]])
  t.equal(findPolicy('open', { apiName: 'shop' }, bare), bare.get('open'), 'a global policy registered under its bare name (options)')
  t.equal(findPolicy('global::open', {}, bare), undefined)
})

t.test('unknown names fail at boot with Strapi\'s message', async (t) => {
  const registry = new Map<string, Policy>([['api::shop.in-stock', () => true]])
  t.throws(() => resolvePolicy('global::nope', {}, registry, deps), { name: 'ProjectCodeError', message: 'Policy global::nope not found.' })
  t.throws(() => resolvePolicy('in-stock', { apiName: 'blog' }, registry, deps), { message: 'Policy in-stock not found.' })
  t.throws(() => resolvePolicy({ name: 'api::shop.nope', config: {} }, {}, registry, deps), { message: 'Policy api::shop.nope not found.' })
  t.throws(() => resolvePolicy('plugin::users-permissions.isAuthenticated', {}, registry, deps), { message: 'Policy plugin::users-permissions.isAuthenticated not found.' })
  t.throws(() => resolvePolicy({ name: 'api::shop.in-stock', config: 'x' as never }, {}, registry, deps), { message: 'Policy api::shop.in-stock: "config" must be an object' })
  t.throws(() => resolvePolicy(42 as never, {}, registry, deps), { message: /^A policy must be a name, \{ name, config \} or a function/ })
  t.throws(() => resolvePolicy({ name: '' }, {}, registry, deps), { message: /^A policy must be/ })
  t.throws(() => resolvePolicies('in-stock' as never, {}, registry, deps), { message: 'Route policies must be an array' })
  t.same(resolvePolicies(undefined, {}, registry, deps), [])
})

t.test('the policy context is the ctx plus type "koa" and is(type); writes reach the ctx', async (t) => {
  let seen: { type?: string, isKoa?: boolean, isOther?: boolean, method?: string, header?: string, hasType?: boolean } = {}
  const policy = resolvePolicy((context) => {
    seen = {
      type: context.type,
      isKoa: context.is('koa'),
      isOther: context.is('http'),
      method: context.method,
      header: context.get('x-role'),
      hasType: 'type' in context
    }
    context.state.checkedBy = 'policy'
    context.query = { ...context.query, injected: true }
    context.set('x-policy', 'seen')
  }, {}, new Map(), deps)
  const { app } = await build(t, {
    list: [],
    policies: [policy],
    controller: (ctx) => ({ data: { state: ctx.state.checkedBy, query: ctx.query } })
  })
  const response = await app.inject({ url: '/thing?a=1', headers: { 'x-role': 'editor' } })
  t.same(seen, { type: 'koa', isKoa: true, isOther: false, method: 'GET', header: 'editor', hasType: true })
  t.same(response.json(), { data: { state: 'policy', query: { a: '1', injected: true } } })
  t.equal(response.headers['x-policy'], 'seen')
})

t.test('the policy context is made once per request', async (t) => {
  const contexts: PolicyContext[] = []
  const keep: Policy = (context) => { contexts.push(context) }
  const { app } = await build(t, { list: [], policies: resolvePolicies([keep, keep], {}, new Map(), deps), controller: (ctx) => ({ data: createPolicyContext(ctx) === contexts[0] }) })
  const response = await app.inject('/thing')
  t.equal(contexts.length, 2)
  t.equal(contexts[0], contexts[1])
  t.same(response.json(), { data: true })
})

t.test('results: true and undefined pass, anything else is 403 PolicyError; throws keep status, name and message', async (t) => {
  const results: unknown[] = [true, undefined, Promise.resolve(true), Promise.resolve(undefined)]
  for (const result of results) {
    const response = await run(t, [resolvePolicy(() => result, {}, new Map(), deps)])
    t.equal(response.statusCode, 200, `${String(result)} passes`)
  }
  const refusals: unknown[] = [false, null, 0, 'yes', {}, Promise.resolve(false)]
  for (const result of refusals) {
    let reached = false
    const response = await run(t, [resolvePolicy(() => result, {}, new Map(), deps)], () => { reached = true })
    t.equal(response.statusCode, 403, `${JSON.stringify(result)} refuses`)
    t.same(response.json(), { data: null, error: { status: 403, name: 'PolicyError', message: 'Policy Failed', details: {} } })
    t.notOk(reached, 'the controller is not reached')
  }
  const thrown = await run(t, [resolvePolicy(() => { throw new PolicyError('Only the owner may edit', { owner: 'someone' }) }, {}, new Map(), deps)])
  t.equal(thrown.statusCode, 403)
  t.same(thrown.json().error, { status: 403, name: 'PolicyError', message: 'Only the owner may edit', details: { owner: 'someone' } })
  const other = await run(t, [resolvePolicy(async () => { throw new ApplicationError('Come back tomorrow', { retry: true }, 409) }, {}, new Map(), deps)])
  t.equal(other.statusCode, 409)
  t.same(other.json().error, { status: 409, name: 'ApplicationError', message: 'Come back tomorrow', details: { retry: true } })
})

t.test('policies run in order and stop at the first refusal', async (t) => {
  const steps: string[] = []
  const step = (name: string, result: unknown): Policy => () => { steps.push(name); return result }
  const registry = new Map<string, Policy>([['global::first', step('first', true)], ['global::second', step('second', false)], ['global::third', step('third', true)]])
  const response = await run(t, resolvePolicies(['first', 'second', 'third'], {}, registry, deps))
  t.equal(response.statusCode, 403)
  t.same(steps, ['first', 'second'])
})
