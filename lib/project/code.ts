import { resolveStrapiModules } from '../compat/modules.js'
import { join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { messageOf, ProjectCodeError } from '../errors.js'
import type {
  Controller, ControllerFactory, CoreRouter, CustomRouter, FactoryDeps, MiddlewareFactory, MiddlewareReference, Policy,
  ProjectCode, ProjectEntry, RouteDefinition, Router, Service, ServiceFactory
} from '../http/index.js'
import { createEnv } from './env.js'
import { findCodeFile, importFile, isRecord, listCodeFiles, listDirectories } from './import.js'
import { middlewareReferenceProblem } from './reference.js'

/**
 * Loads the code of a Strapi-layout project (contract §1): routers, controllers, services, policies and
 * middlewares per API, global policies and middlewares, `config/middlewares` and `src/index`. Files are
 * imported with `import()` (TypeScript works wherever a loader such as tsx is active), in code-point order, one
 * at a time, so the result and the first error reported never depend on the file system. Nothing is
 * instantiated here: factories run once the decorator exists.
 */
export async function loadProjectCode (dir: string | URL): Promise<ProjectCode> {
  const root = resolve(dir instanceof URL ? fileURLToPath(dir) : dir)
  resolveStrapiModules(root)
  // Messages name files as the user sees them in the project.
  const label = (file: string): string => relative(root, file).split(sep).join('/')
  const code: ProjectCode = {
    routers: [],
    controllers: new Map(),
    services: new Map(),
    policies: new Map(),
    middlewares: new Map(),
    entry: {}
  }

  const apiRoot = join(root, 'src', 'api')
  for (const apiName of await listDirectories(apiRoot)) {
    const apiDir = join(apiRoot, apiName)
    for (const { file } of await listCodeFiles(join(apiDir, 'routes'), label)) {
      const router = checkRouter(await importFile(file, label(file)), label(file))
      code.routers.push({ apiName, source: label(file), router })
    }
    for (const { name, file } of await listCodeFiles(join(apiDir, 'controllers'), label)) {
      const uid = `api::${apiName}.${name}`
      code.controllers.set(uid, checkExtension(await importFile(file, label(file)), 'controller', uid, label(file)) as ControllerFactory | Controller)
    }
    for (const { name, file } of await listCodeFiles(join(apiDir, 'services'), label)) {
      const uid = `api::${apiName}.${name}`
      code.services.set(uid, checkExtension(await importFile(file, label(file)), 'service', uid, label(file)) as ServiceFactory | Service)
    }
    for (const { name, file } of await listCodeFiles(join(apiDir, 'policies'), label)) {
      code.policies.set(`api::${apiName}.${name}`, checkPolicy(await importFile(file, label(file)), label(file)))
    }
    for (const { name, file } of await listCodeFiles(join(apiDir, 'middlewares'), label)) {
      code.middlewares.set(`api::${apiName}.${name}`, checkMiddlewareFactory(await importFile(file, label(file)), label(file)))
    }
  }

  for (const { name, file } of await listCodeFiles(join(root, 'src', 'policies'), label)) {
    code.policies.set(`global::${name}`, checkPolicy(await importFile(file, label(file)), label(file)))
  }
  for (const { name, file } of await listCodeFiles(join(root, 'src', 'middlewares'), label)) {
    code.middlewares.set(`global::${name}`, checkMiddlewareFactory(await importFile(file, label(file)), label(file)))
  }

  const middlewaresFile = await findCodeFile(join(root, 'config'), 'middlewares', label)
  if (middlewaresFile !== undefined) {
    code.globalMiddlewares = await loadMiddlewareList(middlewaresFile, label(middlewaresFile))
  }

  const entryFile = await findCodeFile(join(root, 'src'), 'index', label)
  if (entryFile !== undefined) code.entry = checkEntry(await importFile(entryFile, label(entryFile)), label(entryFile))

  return code
}

function fail (where: string, message: string): never {
  throw new ProjectCodeError(`${where}: ${message}`, { file: where })
}

function describe (value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : typeof value
}

const METHODS = new Set<string>(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'])
const CORE_ACTIONS = new Set<string>(['find', 'findOne', 'create', 'update', 'delete'])

function checkRouter (value: unknown, where: string): Router {
  if (!isRecord(value)) {
    fail(where, `a route file must export createCoreRouter(...) or { routes: [...] }, got ${describe(value)}`)
  }
  if (value.kind === 'core-router') return checkCoreRouter(value, where)
  if (!Array.isArray(value.routes)) {
    fail(where, 'a route file must export createCoreRouter(...) or { routes: [...] } ("routes" is missing or not an array)')
  }
  if (value.type !== undefined && value.type !== 'content-api') fail(where, `router type "${String(value.type)}" is not supported (only "content-api")`)
  if (value.prefix !== undefined && typeof value.prefix !== 'string') fail(where, '"prefix" must be a string')
  value.routes.forEach((route: unknown, index: number) => { checkRoute(route, `${where}: routes[${index}]`) })
  return value as unknown as CustomRouter
}

function checkCoreRouter (value: Record<string, unknown>, where: string): CoreRouter {
  if (typeof value.uid !== 'string' || value.uid === '') fail(where, 'createCoreRouter needs a content-type uid')
  if (!isRecord(value.config)) fail(where, 'createCoreRouter: the config must be an object')
  for (const key of ['only', 'except'] as const) {
    const actions = value.config[key]
    if (actions === undefined) continue
    if (!Array.isArray(actions) || actions.some(action => typeof action !== 'string' || !CORE_ACTIONS.has(action))) {
      fail(where, `createCoreRouter: "${key}" must list core actions (${[...CORE_ACTIONS].join(', ')})`)
    }
  }
  if (value.config.config !== undefined && !isRecord(value.config.config)) fail(where, 'createCoreRouter: "config" must be an object keyed by action')
  return value as unknown as CoreRouter
}

function checkRoute (route: unknown, where: string): asserts route is RouteDefinition {
  if (!isRecord(route)) throw new ProjectCodeError(`${where} must be an object, got ${describe(route)}`)
  if (typeof route.method !== 'string' || !METHODS.has(route.method)) {
    throw new ProjectCodeError(`${where}.method must be one of ${[...METHODS].join(', ')}`)
  }
  if (typeof route.path !== 'string' || !route.path.startsWith('/')) throw new ProjectCodeError(`${where}.path must be a string starting with "/"`)
  if (!((typeof route.handler === 'string' && route.handler !== '') || typeof route.handler === 'function')) {
    throw new ProjectCodeError(`${where}.handler must be "<api>.<controller>.<action>", "<controller>.<action>" or a function`)
  }
  const config = route.config
  if (config === undefined) return
  if (!isRecord(config)) throw new ProjectCodeError(`${where}.config must be an object`)
  if (config.policies !== undefined && !Array.isArray(config.policies)) throw new ProjectCodeError(`${where}.config.policies must be an array`)
  if (config.middlewares !== undefined && !Array.isArray(config.middlewares)) throw new ProjectCodeError(`${where}.config.middlewares must be an array`)
  if (config.auth !== undefined && config.auth !== false && !isRecord(config.auth)) throw new ProjectCodeError(`${where}.config.auth must be false or an object`)
}

/** What a controller or service file may export besides a factory function. */
const EXTENSIONS = {
  controller: { kind: 'controller-factory', expected: 'createCoreController(...), an object of actions' },
  service: { kind: 'service-factory', expected: 'createCoreService(...), an object of methods' }
} as const

/**
 * `createCoreController(...)` / `createCoreService(...)`, a plain object, or Strapi's plain `({ strapi }) => ({ ... })`
 * factory, kept as a factory (its result gets the core one as prototype when the uid is a content type).
 */
function checkExtension (value: unknown, role: keyof typeof EXTENSIONS, uid: string, where: string): object {
  const { kind, expected } = EXTENSIONS[role]
  if (typeof value === 'function') return { kind, uid, extend: value }
  if (isRecord(value)) {
    if (value.kind === kind || value.kind === undefined) return value
    fail(where, `expected a ${role}, got a ${String(value.kind)}`)
  }
  fail(where, `a ${role} file must export ${expected} or a factory function, got ${describe(value)}`)
}

/** A function, or Strapi's `createPolicy({ name, handler })` object. */
function checkPolicy (value: unknown, where: string): Policy {
  if (typeof value === 'function') return value as Policy
  if (isRecord(value) && typeof value.handler === 'function') return value.handler as Policy
  fail(where, `a policy file must export a function (policyContext, config, { vellum }), got ${describe(value)}`)
}

function checkMiddlewareFactory (value: unknown, where: string): MiddlewareFactory {
  if (typeof value === 'function') return value as MiddlewareFactory
  fail(where, `a middleware file must export a factory (config, { vellum }) => (ctx, next) => ..., got ${describe(value)}`)
}

/** An array, or Strapi's `({ env }) => [...]`. */
async function loadMiddlewareList (file: string, where: string): Promise<MiddlewareReference[]> {
  let value = await importFile(file, where)
  if (typeof value === 'function') {
    try {
      value = await (value as (helpers: { env: ReturnType<typeof createEnv> }) => unknown)({ env: createEnv() })
    } catch (error) {
      throw new ProjectCodeError(`${where}: the exported function threw: ${messageOf(error)}`, { file }, error)
    }
  }
  if (!Array.isArray(value)) fail(where, `must export an array of middlewares, got ${describe(value)}`)
  value.forEach((entry: unknown, index: number) => {
    const problem = middlewareReferenceProblem(entry)
    if (problem !== undefined) fail(where, `entry ${index}: ${problem}`)
  })
  return value as MiddlewareReference[]
}

const ENTRY_HOOKS = ['register', 'bootstrap', 'destroy'] as const

function checkEntry (value: unknown, where: string): ProjectEntry {
  if (!isRecord(value)) fail(where, `must export an object with register, bootstrap or destroy, got ${describe(value)}`)
  const entry: ProjectEntry = {}
  for (const hook of ENTRY_HOOKS) {
    const fn = value[hook]
    if (fn === undefined) continue
    if (typeof fn !== 'function') fail(where, `"${hook}" must be a function`)
    // Bound: `this` inside the user's method stays the exported object.
    entry[hook] = (fn as (deps: FactoryDeps) => unknown).bind(value)
  }
  return entry
}
