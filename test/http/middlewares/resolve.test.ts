import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import {
  DEFAULT_GLOBAL_MIDDLEWARES, findBuiltin, resolveGlobalMiddlewares, resolveRouteMiddleware, resolveRouteMiddlewares
} from '../../../lib/http/middlewares/index.js'
import type { FactoryDeps, MiddlewareFactory, MiddlewareReference } from '../../../lib/http/types.js'
import { build, deps, recorder, recordingLogger } from './helpers.js'

function recording (steps: string[], ...names: string[]): Map<string, MiddlewareFactory> {
  return new Map(names.map(name => [name, () => recorder(steps, name)]))
}

t.test('Strapi\'s default list is used when no list is given', async (t) => {
  t.same(DEFAULT_GLOBAL_MIDDLEWARES, [
    'strapi::logger', 'strapi::errors', 'strapi::security', 'strapi::cors', 'strapi::poweredBy',
    'strapi::query', 'strapi::body', 'strapi::session', 'strapi::favicon', 'strapi::public'
  ])
  const resolved = await resolveGlobalMiddlewares(undefined, { registry: new Map(), deps })
  t.same(resolved.plugins.map(plugin => plugin.name), ['strapi::security', 'strapi::cors'])
  t.equal(resolved.middlewares.length, 3)
})

t.test('every built-in answers to strapi:: and vellum::; nothing else does', async (t) => {
  for (const name of ['errors', 'security', 'cors', 'poweredBy', 'logger', 'query', 'body', 'session', 'favicon', 'public', 'compression', 'ip', 'responseTime']) {
    t.ok(findBuiltin(`strapi::${name}`), `strapi::${name}`)
    t.equal(findBuiltin(`vellum::${name}`), findBuiltin(`strapi::${name}`), `vellum::${name}`)
  }
  t.equal(findBuiltin('strapi::responses'), undefined)
  t.equal(findBuiltin('strapi::toString'), undefined, 'no prototype keys')
  t.equal(findBuiltin('errors'), undefined)
})

t.test('a global list runs in its order on the way in and in reverse on the way out', async (t) => {
  const steps: string[] = []
  const inline = recorder(steps, 'inline')
  const { app } = await build(t, {
    list: ['global::b', 'global::a', inline, 'vellum::poweredBy', 'global::c'],
    registry: recording(steps, 'global::a', 'global::b', 'global::c'),
    controller: () => { steps.push('controller'); return { data: 1 } }
  })
  const response = await app.inject('/thing')
  t.equal(response.statusCode, 200)
  t.equal(response.headers['x-powered-by'], 'vellum')
  t.same(steps, [
    'global::b in', 'global::a in', 'inline in', 'global::c in', 'controller',
    'global::c out', 'inline out', 'global::a out', 'global::b out'
  ])
})

t.test('{ name, config } hands the config and { vellum } to the factory; a string entry gets {}', async (t) => {
  const calls: Array<{ config: Record<string, unknown>, deps: FactoryDeps }> = []
  const factory: MiddlewareFactory = (config, factoryDeps) => {
    calls.push({ config, deps: factoryDeps })
    return async (ctx, next) => {
      await next()
      ctx.set('x-label', String(config.label ?? 'none'))
    }
  }
  const { app } = await build(t, {
    list: [{ name: 'global::label', config: { label: 'configured' } }, 'global::label'],
    registry: new Map([['global::label', factory]])
  })
  t.same(calls.map(call => call.config), [{ label: 'configured' }, {}])
  t.equal(calls[0]?.deps, deps)
  t.equal((await app.inject('/thing')).headers['x-label'], 'configured', 'the outer one sets it last')
})

t.test('an async factory works; a factory returning nothing is skipped', async (t) => {
  const steps: string[] = []
  const bootLog = recordingLogger()
  const { app, resolved } = await build(t, {
    list: ['global::async', { name: 'global::optional', config: { enabled: false } }, 'global::after'],
    bootLog,
    registry: new Map<string, MiddlewareFactory>([
      ['global::async', async () => recorder(steps, 'async')],
      ['global::optional', (config) => config.enabled === true ? recorder(steps, 'optional') : undefined],
      ['global::after', () => recorder(steps, 'after')]
    ])
  })
  t.equal(resolved.middlewares.length, 2)
  await app.inject('/thing')
  t.same(steps, ['async in', 'after in', 'after out', 'async out'])
  t.ok(bootLog.entries.some(entry => entry.level === 'debug' && (entry.obj as { middleware?: string }).middleware === 'global::optional'))
})

t.test('{ resolve, config } loads a factory relative to the project directory', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vellum-resolve-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }')
  await mkdir(join(dir, 'lib'))
  await writeFile(join(dir, 'lib', 'stamp.js'), `export default (config) => async (ctx, next) => {
    await next()
    ctx.set('x-stamp', config.value)
  }
`)
  await writeFile(join(dir, 'lib', 'not-a-factory.js'), 'export default 42\n')
  const { app } = await build(t, { list: [{ resolve: './lib/stamp', config: { value: 'resolved' } }], projectDir: dir })
  t.equal((await app.inject('/thing')).headers['x-stamp'], 'resolved')
  await t.rejects(resolveGlobalMiddlewares([{ resolve: './lib/missing.js' }], { registry: new Map(), deps, projectDir: dir }), {
    name: 'ProjectCodeError', message: /^Middleware \.\/lib\/missing\.js: no such file/
  })
  await t.rejects(resolveGlobalMiddlewares([{ resolve: './lib/not-a-factory.js' }], { registry: new Map(), deps, projectDir: dir }), {
    message: /^Middleware \.\/lib\/not-a-factory\.js: .*not-a-factory\.js must export a factory/
  })
  await t.rejects(resolveGlobalMiddlewares([{ resolve: 'no-such-package-here' }], { registry: new Map(), deps, projectDir: dir }), {
    message: /^Middleware no-such-package-here: cannot be resolved from/
  })
})

t.test('boot errors name the middleware', async (t) => {
  const registry = new Map<string, MiddlewareFactory>([
    ['global::throws', () => { throw new Error('needs an API key') }],
    ['global::returns-object', () => ({ nope: true }) as never]
  ])
  const cases: Array<[MiddlewareReference[], RegExp | string]> = [
    [['global::nope'], 'Middleware global::nope not found.'],
    [[{ name: 'api::shop.nope', config: {} }], 'Middleware api::shop.nope not found.'],
    [['strapi::nope'], 'Middleware strapi::nope not found.'],
    [['plugin::users-permissions.rateLimit'], 'Middleware plugin::users-permissions.rateLimit not found.'],
    [['global::throws'], 'Middleware global::throws: needs an API key'],
    [['global::returns-object'], 'Middleware global::returns-object: the factory must return a (ctx, next) function or nothing'],
    [['strapi::cors', 'vellum::cors'], 'Middleware vellum::cors is listed twice'],
    [[{ name: 'global::x', extra: 1 } as never], /^Global middlewares, entry 0: invalid middleware \(unknown key "extra"/],
    [['strapi::errors', 42 as never], /^Global middlewares, entry 1: invalid middleware/],
    [[{ config: {} } as never], /needs "name" or "resolve"/],
    [[{ name: 'global::x', config: 'on' } as never], /"config" must be an object/]
  ]
  for (const [list, message] of cases) {
    await t.rejects(resolveGlobalMiddlewares(list, { registry, deps }), { name: 'ProjectCodeError', message }, String(message))
  }
  await t.rejects(resolveGlobalMiddlewares('strapi::errors' as never, { registry, deps }), { message: 'The global middlewares must be an array' })
})

t.test('route middlewares: names (API first, then global), { name, config }, inline functions', async (t) => {
  const steps: string[] = []
  const registry = new Map<string, MiddlewareFactory>([
    ['api::shop.audit', () => recorder(steps, 'api::shop.audit')],
    ['global::audit', () => recorder(steps, 'global::audit')],
    ['global::only-global', (config) => recorder(steps, `global::only-global ${String(config.tag)}`)],
    ['global::skipped', () => undefined]
  ])
  const options = { apiName: 'shop', registry, deps }
  const chain = await resolveRouteMiddlewares([
    'audit',
    { name: 'only-global', config: { tag: 'x' } },
    'global::audit',
    'global::skipped',
    async (_ctx, next) => { steps.push('inline'); await next() },
    'strapi::responseTime'
  ], options)
  t.equal(chain.length, 5, 'the skipped one is left out')
  const { app } = await build(t, { list: [], route: chain })
  const response = await app.inject('/thing')
  t.equal(response.statusCode, 200)
  t.match(response.headers['x-response-time'], /ms$/)
  t.same(steps, [
    'api::shop.audit in', 'global::only-global x in', 'global::audit in', 'inline',
    'global::audit out', 'global::only-global x out', 'api::shop.audit out'
  ])

  t.equal(await resolveRouteMiddleware('global::skipped', options), undefined)
  const bare = await resolveRouteMiddleware('plain', { registry: new Map([['plain', () => recorder(steps, 'plain')]]), deps })
  t.type(bare, 'function', 'a global middleware registered under its bare name (options)')
  const outside = await resolveRouteMiddleware('audit', { registry, deps })
  t.ok(outside, 'without an API, a bare name is a global one')
  await t.rejects(resolveRouteMiddleware('api::blog.audit', options), { message: 'Middleware api::blog.audit not found.' })
  await t.rejects(resolveRouteMiddleware('missing', options), { message: 'Middleware missing not found.' })
  await t.rejects(resolveRouteMiddleware('strapi::cors', options), { message: /^Middleware strapi::cors works on the whole scope/ })
  await t.rejects(resolveRouteMiddlewares('audit' as never, options), { message: 'Route middlewares must be an array' })
  t.same(await resolveRouteMiddlewares(undefined, options), [])
})
