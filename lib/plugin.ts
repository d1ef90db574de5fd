import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { createApiTokens, createRoles, createUsers, ensureTokenTables, ensureUsersPermissions, resolveJwtSecret, resolveSalt } from './auth/index.js'
import { createEmailService } from './email/index.js'
import { createStrapiFacade, type StrapiFacade } from './compat/facade.js'
import { createEvents } from './events/index.js'
import { createMediaLibrary, createUploadService } from './upload/index.js'
import { NotFoundError } from './errors.js'
import type { Component, ContentType, Schema } from './content-types/types.js'
import { buildPhysicalModel, createDatabase, syncSchema, type PhysicalModel } from './db/index.js'
import { createDocumentService } from './document/index.js'
import { createRequestContextStore } from './hooks/index.js'
import { cutSlowBodies, httpScope, watchRequestEnd } from './http/index.js'
import { loadProjectCode, loadSchema } from './project/index.js'
import type { Controller, FactoryDeps, ProjectCode, Service } from './http/types.js'
import { resolveOptions, type RawOptions, type ResolvedOptions } from './options.js'
import { createQueryEngine } from './query/index.js'
import type { Vellum } from './types.js'

/** Options whose nested settings all have defaults: any subset of them may be given. */
type NestedDefaults = 'rest' | 'i18n' | 'permissions' | 'bounds' | 'input' | 'apiToken' | 'email' | 'upload' | 'usersPermissions'
/** Any subset of a block of settings with defaults, at every depth (`usersPermissions.ratelimit.account.max`). */
type Defaulted<T> = T extends readonly unknown[] | ((...args: never[]) => unknown) ? T : T extends object ? { [K in keyof T]?: Defaulted<T[K]> } : T
export type VellumOptions = Partial<Omit<RawOptions, NestedDefaults>> & { [K in Exclude<NestedDefaults, 'permissions'>]?: Defaulted<RawOptions[K]> } & {
  prefix?: string
  /** Actions by role type: `public` (or '*'), `authenticated`, and more roles. */
  permissions?: { public?: '*' | string[], [role: string]: '*' | string[] | undefined }
}

/** A project's code plus what the options add in TypeScript: one set of registries for the HTTP layer. */
async function collectCode (config: ResolvedOptions): Promise<ProjectCode> {
  const code: ProjectCode = config.dir !== undefined
    ? await loadProjectCode(config.dir)
    : { routers: [], controllers: new Map(), services: new Map(), policies: new Map(), middlewares: new Map(), entry: {} }
  for (const router of config.routes ?? []) code.routers.push({ apiName: apiOfRouter(router), source: 'options.routes', router })
  for (const controller of config.controllers ?? []) code.controllers.set(controller.uid, controller)
  for (const service of config.services ?? []) code.services.set(service.uid, service)
  for (const [name, policy] of Object.entries(config.policies ?? {})) code.policies.set(qualifyName(name), policy)
  for (const [name, factory] of Object.entries(config.middlewareFactories ?? {})) code.middlewares.set(qualifyName(name), factory)
  if (config.middlewares !== undefined) code.globalMiddlewares = config.middlewares
  return code
}

function apiOfRouter (router: unknown): string {
  const uid = (router as { uid?: unknown }).uid
  return typeof uid === 'string' ? /^api::([^.]+)\./.exec(uid)?.[1] ?? '' : ''
}

/** The roles the options declare (only those given: a role left out stays the database's), '*' aside. */
function declaredRoles (permissions: VellumOptions['permissions']): Record<string, string[]> {
  return Object.fromEntries(Object.entries(permissions ?? {}).filter((entry): entry is [string, string[]] => Array.isArray(entry[1])))
}

/** A bare name in the options is global, as a file in `src/policies` or `src/middlewares` would be. */
function qualifyName (name: string): string {
  return name.includes('::') ? name : `global::${name}`
}

/**
 * The composition root: options → model → database → sync → Query Engine → Document Service → project code
 * → decorator → register → HTTP scope; bootstrap at ready, destroy at close. The outer plugin only decorates,
 * adds onReady/onClose hooks and registers the encapsulated child (style guide §2.5), so nothing leaks into
 * the host.
 */
const vellumPlugin: FastifyPluginAsync<VellumOptions> = async function vellum (app: FastifyInstance, rawOptions) {
  const config = resolveOptions(rawOptions)
  const log = app.log.child({ plugin: config.decorator })
  // Before anything opens: production without a salt is refused at once.
  const salt = await resolveSalt({ option: config.apiToken.salt, env: process.env, dir: config.dir, log })
  const jwtSecret = await resolveJwtSecret({ option: config.usersPermissions.jwtSecret, env: process.env, dir: config.dir, log })
  // Checks its settings and opens nothing until the first message: safe to build before the database.
  const email = await createEmailService({ ...config.email, dir: config.dir, env: process.env, log })
  const { provider: uploadProvider, providerOptions: uploadProviderOptions, maxFiles: _maxFiles, ...uploadSettings } = config.upload
  const upload = await createUploadService({ provider: uploadProvider, providerOptions: uploadProviderOptions, settings: uploadSettings, dir: config.dir, log })

  // The database opens while the project loads: starting embedded PGlite is the longest step of a cold start.
  const opening = createDatabase({ ...config.database, logParams: config.logSqlParams, statementTimeout: config.bounds.statementTimeout }, log)
  // Handled below, after the project loaded: not an unhandled rejection if it fails meanwhile.
  opening.catch(() => {})
  let schema: Schema
  let physical: PhysicalModel
  let code: ProjectCode
  try {
    schema = await loadSchema({
      ...(config.dir !== undefined && { dir: config.dir }),
      contentTypes: config.contentTypes,
      components: config.components,
      allowUnsafeRegex: config.allowUnsafeRegex,
      log
    })
    physical = buildPhysicalModel(schema)
    code = await collectCode(config)
  } catch (error) {
    // The project's problem is the one to report; the database, if it opened, is released.
    await opening.then(async database => { await database.close() }, () => {})
    throw error
  }
  const database = await opening
  const up = config.usersPermissions
  const roles = createRoles({ database, publicWildcard: config.permissions.public === '*', cacheTtlMs: up.cacheTtlMs, cacheSize: up.cacheSize, log })
  try {
    // Roles declared in the options are owned by them; '*' (everything public) stays in memory. Before sync: a
    // project's relation to users gets a link table whose foreign key points at up_users.
    await ensureUsersPermissions(database, log, declaredRoles(rawOptions.permissions))
    if (config.sync.enabled) {
      await syncSchema(database, physical, { allowDestructive: config.sync.allowDestructive, log })
      await ensureTokenTables(database, log)
    }
    await roles.load()
  } catch (error) {
    // Registration failed: release what we opened, or an embedded database keeps the process alive.
    await database.close()
    throw error
  }
  // close() is a no-op for a client the host owns. The project's destroy runs first, with the database open.
  app.addHook('onClose', async () => {
    try {
      await code.entry.destroy?.({ vellum: decorator, strapi: decorator.strapi })
    } finally {
      await email.close()
      await upload.close()
      await database.close()
    }
  })

  const db = createQueryEngine({ database, schema, physical, log, maxPopulatedRows: config.bounds.maxPopulatedRows })
  const documents = createDocumentService({ db, schema, i18n: config.i18n, log, bounds: config.bounds })
  const tokens = createApiTokens({ database, salt, cacheTtlMs: config.apiToken.cacheTtlMs, cacheSize: config.apiToken.cacheSize, log })
  const users = createUsers({
    database,
    roles,
    jwtSecret,
    expiresIn: up.jwt.expiresIn,
    bcryptRounds: up.bcryptRounds,
    emailConfirmation: up.emailConfirmation,
    passwordMinLength: up.passwordMinLength,
    passwordCharacterClasses: up.passwordCharacterClasses,
    cacheTtlMs: up.cacheTtlMs,
    cacheSize: up.cacheSize,
    log
  })

  const events = createEvents(log)
  const media = createMediaLibrary({ db, documents, upload, schema, physical, events, log })

  const controllers = new Map<string, Controller>()
  const services = new Map<string, Service>()
  const requestContext = createRequestContextStore()
  const decorator: Vellum = {
    contentTypes: Object.fromEntries(schema.contentTypes) as Record<string, ContentType>,
    components: Object.fromEntries(schema.components) as Record<string, Component>,
    schema,
    physical,
    db,
    documents,
    auth: { tokens, users, roles, strategies: [tokens.strategy, users.strategy] },
    email: { send: email.send },
    upload,
    media,
    events,
    requestContext: { get: requestContext.get },
    controller (uid) {
      const controller = controllers.get(uid)
      if (controller === undefined) throw new NotFoundError(`No controller ${uid}`, { uid })
      return controller
    },
    service (uid) {
      const service = services.get(uid)
      if (service === undefined) throw new NotFoundError(`No service ${uid}`, { uid })
      return service
    },
    config,
    get strapi () {
      return (facade ??= createStrapiFacade(decorator, log, code))
    }
  }
  let facade: StrapiFacade | undefined
  // A standalone server (lib/server.ts) offers the global `strapi` Strapi projects' code may use.
  if (config.strapiGlobal) {
    const global = globalThis as { strapi?: StrapiFacade }
    global.strapi = decorator.strapi
    app.addHook('onClose', async () => { if (global.strapi === facade) delete global.strapi })
  }
  app.decorate(config.decorator, decorator)
  const deps: FactoryDeps = { vellum: decorator, strapi: decorator.strapi }

  for (const register of [code.entry.register, config.register]) await register?.(deps)
  for (const contentType of schema.contentTypes.values()) {
    log.info({ uid: contentType.uid, kind: contentType.kind, table: contentType.collectionName }, 'content type loaded')
  }
  // Requests whose client goes away cancel their statements and release their middlewares, slow bodies are cut
  // off: vellum's routes only.
  await app.register(async function vellumRequests (scope) {
    watchRequestEnd(scope)
    cutSlowBodies(scope, config.bounds.bodyTimeout)
    await scope.register(httpScope, { prefix: rawOptions.prefix ?? '', vellum: decorator, code, controllers, services, requestContext })
  })

  app.addHook('onReady', async () => {
    for (const bootstrap of [code.entry.bootstrap, config.bootstrap]) await bootstrap?.(deps)
    // A bootstrap may grant permissions (Strapi projects seed their roles through strapi.db.query): served at once.
    if (code.entry.bootstrap !== undefined || config.bootstrap !== undefined) await roles.load()
  })
}

export default fp(vellumPlugin, { name: 'vellum', fastify: '5.x' })
