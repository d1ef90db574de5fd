import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import t, { type Test } from 'tap'
import { createEnv, loadProjectCode, loadSchema } from '../../lib/project/index.js'
import type { ControllerFactory, CoreRouter, CustomRouter, ServiceFactory } from '../../lib/http/types.js'
import { deps } from '../http/middlewares/helpers.js'
import { entry } from '../helpers/custom-recorder.js'
import { fixture } from '../helpers/paths.js'

const FIXTURE = fixture('projects', 'custom') + '/'

/** A throwaway project: `files` maps paths to contents; ES modules unless a file says otherwise. */
async function project (t: Test, files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vellum-project-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n')
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true })
    await writeFile(join(dir, path), content)
  }
  return dir
}

t.test('the fixture project: every kind of file, by full name, in code-point order', async (t) => {
  const code = await loadProjectCode(FIXTURE)

  t.same(code.routers.map(({ apiName, source }) => [apiName, source]), [
    ['homepage', 'src/api/homepage/routes/homepage.ts'],
    ['item', 'src/api/item/routes/custom.ts'],
    ['item', 'src/api/item/routes/item.ts']
  ])
  const [homepage, custom, item] = code.routers.map(entry => entry.router)
  t.match(homepage, { kind: 'core-router', uid: 'api::homepage.homepage', config: { except: ['delete'] } })
  t.match(item, { kind: 'core-router', uid: 'api::item.item', config: { only: ['find', 'findOne', 'create', 'update'] } })
  const routes = (custom as CustomRouter).routes
  t.same(routes.map(route => [route.method, route.path, typeof route.handler === 'string' ? route.handler : 'function']), [
    ['GET', '/items/featured', 'api::item.item.featured'],
    ['GET', '/items/count', 'item.count'],
    ['GET', '/ping', 'function']
  ])
  t.equal((item as CoreRouter).config.config?.find?.auth, false)

  t.same([...code.controllers.keys()], ['api::item.item'])
  t.match(code.controllers.get('api::item.item'), { kind: 'controller-factory', uid: 'api::item.item' })
  t.type((code.controllers.get('api::item.item') as ControllerFactory).extend, 'function')
  t.same([...code.services.keys()], ['api::item.item'])
  const service = (code.services.get('api::item.item') as ServiceFactory).extend?.(deps)
  t.equal((service?.label as (item: { title: string, rank: number }) => string)({ title: 'Pen', rank: 3 }), 'Pen (#3)')

  t.same([...code.policies.keys()], ['api::item.is-allowed', 'global::require-header'])
  t.same([...code.middlewares.keys()], ['api::item.tag-response', 'global::request-tag'])
  t.same(code.globalMiddlewares, [
    'strapi::logger', 'strapi::errors', 'strapi::security', 'strapi::cors', 'strapi::poweredBy',
    'strapi::query', 'strapi::body', 'strapi::session', 'strapi::favicon', 'strapi::public',
    { name: 'global::request-tag', config: { header: 'x-request-tag' } }
  ], 'config/middlewares.js, CommonJS as Strapi writes it')

  t.type(code.entry.register, 'function')
  t.type(code.entry.bootstrap, 'function')
  t.type(code.entry.destroy, 'function')
  await code.entry.register?.(deps)
  t.equal(entry.register, 1)
  t.equal(entry.vellum, deps.vellum)
})

t.test('the fixture\'s model loads too', async (t) => {
  const schema = await loadSchema({ dir: FIXTURE })
  t.same([...schema.contentTypes.keys()].sort(), ['api::homepage.homepage', 'api::item.item', 'plugin::upload.file', 'plugin::upload.folder', 'plugin::users-permissions.permission', 'plugin::users-permissions.role', 'plugin::users-permissions.user'], 'the project\'s types and the built-in upload and users-permissions types')
  t.equal(schema.contentTypes.get('api::homepage.homepage')?.kind, 'singleType')
})

t.test('a project without code loads empty', async (t) => {
  const dir = await project(t, { 'src/api/thing/content-types/thing/schema.json': '{}' })
  const code = await loadProjectCode(dir)
  t.same(code.routers, [])
  t.equal(code.controllers.size + code.services.size + code.policies.size + code.middlewares.size, 0)
  t.equal(code.globalMiddlewares, undefined)
  t.same(code.entry, {})
  const missing = await loadProjectCode(join(dir, 'nowhere'))
  t.same(missing.routers, [])
})

t.test('the shapes Strapi projects use', async (t) => {
  const dir = await project(t, {
    // CommonJS, as a JavaScript Strapi project writes its files.
    'src/api/shop/routes/shop.cjs': 'module.exports = { routes: [{ method: "POST", path: "/shop/checkout", handler: "shop.checkout", config: { policies: [], middlewares: [] } }] }\n',
    'src/api/shop/controllers/shop.cjs': 'module.exports = ({ vellum }) => ({ async checkout () { return { data: vellum.name } } })\n',
    'src/api/shop/controllers/plain.js': 'export default { async hello () { return "hi" } }\n',
    'src/api/shop/services/shop.js': 'export default ({ vellum }) => ({ total: () => 3 })\n',
    'src/api/shop/services/named.js': 'export function total () { return 4 }\n',
    // Strapi's createPolicy({ name, handler }) shape.
    'src/api/shop/policies/open.js': 'export default { name: "open", handler: () => true }\n',
    // TypeScript compiled to CommonJS: the value sits behind __esModule.
    'src/api/shop/middlewares/compiled.cjs': 'Object.defineProperty(exports, "__esModule", { value: true }); exports.default = (config) => async (ctx, next) => next()\n',
    'src/middlewares/README.md': 'not code',
    'src/middlewares/types.d.ts': 'export type X = 1\n',
    'src/middlewares/.hidden.js': 'throw new Error("never loaded")\n',
    'config/middlewares.js': 'export default ({ env }) => ["strapi::errors", { name: "strapi::poweredBy", config: { poweredBy: env("VELLUM_TEST_POWERED_BY", "fallback") } }]\n',
    'src/index.js': 'export function register () { return "registered" }\nexport async function bootstrap () {}\n'
  })
  const code = await loadProjectCode(new URL(`file://${dir}/`))
  t.same(code.routers.map(entry => entry.source), ['src/api/shop/routes/shop.cjs'])
  const controller = code.controllers.get('api::shop.shop') as ControllerFactory
  t.match(controller, { kind: 'controller-factory', uid: 'api::shop.shop' }, 'a plain factory function is kept as a factory')
  t.same(await (controller.extend?.(deps).checkout as () => Promise<unknown>)(), { data: 'test vellum' })
  t.type((code.controllers.get('api::shop.plain') as Record<string, unknown>).hello, 'function', 'a plain object stays an object of actions')
  t.match(code.services.get('api::shop.shop'), { kind: 'service-factory', uid: 'api::shop.shop' })
  t.type((code.services.get('api::shop.named') as Record<string, unknown>).total, 'function', 'named exports only: the namespace')
  t.equal(await code.policies.get('api::shop.open')?.({} as never, {}, deps), true)
  t.type(code.middlewares.get('api::shop.compiled'), 'function')
  t.same([...code.middlewares.keys()], ['api::shop.compiled'], 'only code files, no hidden ones, no declarations')
  t.same(code.globalMiddlewares, ['strapi::errors', { name: 'strapi::poweredBy', config: { poweredBy: 'fallback' } }])
  t.equal(code.entry.register?.(deps), 'registered')
  t.type(code.entry.bootstrap, 'function')
  t.equal(code.entry.destroy, undefined)
})

t.test('a file that cannot load, or exports the wrong shape, is named in the error', async (t) => {
  const cases: Array<[Record<string, string>, string | RegExp]> = [
    [{ 'src/api/shop/routes/broken.js': 'export default {\n' }, /^src\/api\/shop\/routes\/broken\.js: cannot be loaded: /],
    [{ 'src/api/shop/routes/throws.js': 'throw new Error("boom at import")\n' }, 'src/api/shop/routes/throws.js: cannot be loaded: boom at import'],
    [{ 'src/api/shop/routes/number.js': 'export default 42\n' }, 'src/api/shop/routes/number.js: a route file must export createCoreRouter(...) or { routes: [...] }, got number'],
    [{ 'src/api/shop/routes/object.js': 'export default { paths: [] }\n' }, /^src\/api\/shop\/routes\/object\.js: .*"routes" is missing/],
    [{ 'src/api/shop/routes/method.js': 'export default { routes: [{ method: "get", path: "/x", handler: "a.b" }] }\n' }, /^src\/api\/shop\/routes\/method\.js: routes\[0\]\.method must be one of GET, POST/],
    [{ 'src/api/shop/routes/path.js': 'export default { routes: [{ method: "GET", path: "x", handler: "a.b" }] }\n' }, 'src/api/shop/routes/path.js: routes[0].path must be a string starting with "/"'],
    [{ 'src/api/shop/routes/handler.js': 'export default { routes: [{ method: "GET", path: "/x" }] }\n' }, /^src\/api\/shop\/routes\/handler\.js: routes\[0\]\.handler must be/],
    [{ 'src/api/shop/routes/policies.js': 'export default { routes: [{ method: "GET", path: "/x", handler: "a.b", config: { policies: "p" } }] }\n' }, 'src/api/shop/routes/policies.js: routes[0].config.policies must be an array'],
    [{ 'src/api/shop/routes/auth.js': 'export default { routes: [{ method: "GET", path: "/x", handler: "a.b", config: { auth: true } }] }\n' }, 'src/api/shop/routes/auth.js: routes[0].config.auth must be false or an object'],
    [{ 'src/api/shop/routes/type.js': 'export default { type: "admin", routes: [] }\n' }, 'src/api/shop/routes/type.js: router type "admin" is not supported (only "content-api")'],
    [{ 'src/api/shop/routes/core.js': 'export default { kind: "core-router", uid: "api::shop.shop", config: { only: ["list"] } }\n' }, /^src\/api\/shop\/routes\/core\.js: createCoreRouter: "only" must list core actions/],
    [{ 'src/api/shop/controllers/shop.js': 'export default "shop"\n' }, /^src\/api\/shop\/controllers\/shop\.js: a controller file must export/],
    [{ 'src/api/shop/controllers/shop.js': 'export default { kind: "service-factory", uid: "api::shop.shop" }\n' }, 'src/api/shop/controllers/shop.js: expected a controller, got a service-factory'],
    [{ 'src/api/shop/services/shop.js': 'export default null\n' }, /^src\/api\/shop\/services\/shop\.js: a service file must export .*got null/],
    [{ 'src/api/shop/policies/p.js': 'export default { name: "p" }\n' }, /^src\/api\/shop\/policies\/p\.js: a policy file must export a function/],
    [{ 'src/policies/p.js': 'export default []\n' }, /^src\/policies\/p\.js: a policy file must export a function .*got an array/],
    [{ 'src/api/shop/middlewares/m.js': 'export default { handler () {} }\n' }, /^src\/api\/shop\/middlewares\/m\.js: a middleware file must export a factory/],
    [{ 'src/middlewares/m.js': 'export default 1\n' }, /^src\/middlewares\/m\.js: a middleware file must export a factory/],
    [{ 'src/middlewares/a.js': 'export default () => {}\n', 'src/middlewares/a.ts': 'export default () => {}\n' }, 'src/middlewares/a.ts: src/middlewares/a.js has the same name; keep one of them'],
    [{ 'config/middlewares.js': 'export default { list: [] }\n' }, 'config/middlewares.js: must export an array of middlewares, got an object'],
    [{ 'config/middlewares.js': 'export default ["strapi::errors", { name: "global::x", enabled: true }]\n' }, 'config/middlewares.js: entry 1: unknown key "enabled" (expected name, resolve, config)'],
    [{ 'config/middlewares.js': 'export default () => { throw new Error("no env") }\n' }, 'config/middlewares.js: the exported function threw: no env'],
    [{ 'config/middlewares.js': 'export default []\n', 'config/middlewares.ts': 'export default []\n' }, 'config/middlewares.ts: config/middlewares.js has the same name; keep one of them'],
    [{ 'src/index.js': 'export default { register: true }\n' }, 'src/index.js: "register" must be a function'],
    [{ 'src/index.js': 'export default 7\n' }, 'src/index.js: must export an object with register, bootstrap or destroy, got number']
  ]
  for (const [files, message] of cases) {
    const dir = await project(t, files)
    await t.rejects(loadProjectCode(dir), { name: 'ProjectCodeError', message }, Object.keys(files).join(' + '))
  }
})

t.test('the error keeps the file and the cause', async (t) => {
  const dir = await project(t, { 'src/api/shop/routes/throws.js': 'throw new TypeError("bad import")\n' })
  const error = await loadProjectCode(dir).catch((thrown: unknown) => thrown) as Error & { details: { file: string }, cause: unknown, code: string }
  t.equal(error.code, 'VELLUM_ERR_PROJECT_CODE')
  t.equal(error.details.file, join(dir, 'src/api/shop/routes/throws.js'))
  t.type(error.cause, TypeError)
})

t.test('createEnv reads variables as Strapi\'s env helper does', async (t) => {
  const env = createEnv({ NAME: 'vellum', PORT: '1337', RATIO: '0.5', ON: 'true', OFF: 'no', JSON: '{"a":1}', BAD: '{', LIST: '[a, "b"]', CSV: 'x,y', WHEN: '2024-01-02T00:00:00Z', MODE: 'dev' })
  t.equal(env('NAME'), 'vellum')
  t.equal(env('MISSING', 'default'), 'default')
  t.equal(env.int('PORT'), 1337)
  t.equal(env.int('MISSING', 3), 3)
  t.equal(env.float('RATIO'), 0.5)
  t.equal(env.bool('ON'), true)
  t.equal(env.bool('OFF'), false)
  t.equal(env.bool('MISSING', true), true)
  t.same(env.json('JSON'), { a: 1 })
  t.throws(() => env.json('BAD'), { name: 'InvalidOptionsError', message: /^Invalid json environment variable BAD/ })
  t.same(env.array('LIST'), ['a', 'b'])
  t.same(env.array('CSV'), ['x', 'y'])
  t.equal(env.date('WHEN')?.toISOString(), '2024-01-02T00:00:00.000Z')
  t.equal(env.oneOf('MODE', ['dev', 'prod']), 'dev')
  t.throws(() => env.oneOf('NAME', ['dev', 'prod']), { name: 'InvalidOptionsError', message: /must be one of dev, prod/ })
})
