import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify'
import vellum, { type VellumOptions } from './plugin.js'
import { InvalidOptionsError } from './errors.js'
import { handleClientError, handleError, handleFrameworkError, handleNotFound } from './http/errors.js'
import { resolveBounds } from './options.js'
import { hasAccessLine } from './http/middlewares/builtins/logger.js'
import { capLogObject, loggableError, loggableUrl, REDACTED_LOG_PATHS } from './logger.js'
import { isRecord, loadProjectOptions } from './project/index.js'
import { fromStrapiConfig, loadStrapiConfig, type StrapiDerived } from './project/strapi-config.js'
import type { Vellum } from './types.js'
import { isApiContentType } from './content-types/index.js'

/** Settings of the standalone service; the environment wins over vellum.config.*. */
export interface ServerConfig {
  /** A Strapi-layout project root. */
  dir: string
  host: string
  port: number
  /** PostgreSQL URL; when absent, embedded PGlite persisted in `<dir>/.vellum/data`. */
  databaseUrl?: string
  logLevel: string
  /** Human-readable logs through pino-pretty, when it can be resolved. */
  logPretty?: boolean
  /** Where log lines go instead of stdout (one JSON line per write). */
  logStream?: { write: (line: string) => void }
  /** What the project's Strapi config files say (loaded by buildServer when absent). */
  strapi?: StrapiDerived
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

function given (value: string | undefined): value is string {
  return value !== undefined && value !== ''
}

/** The standalone settings from the environment; `defaults` (a project's `config/server`) stand in for HOST and PORT. */
export function configFromEnv (dir: string, env: NodeJS.ProcessEnv = process.env, defaults: { host?: string, port?: number } = {}): ServerConfig {
  const port = given(env.PORT) ? Number(env.PORT) : defaults.port ?? 1337
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidOptionsError(`PORT must be a port number, got "${env.PORT}"`)
  const logLevel = given(env.LOG_LEVEL) ? env.LOG_LEVEL : 'info'
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new InvalidOptionsError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`)
  }
  const pretty = given(env.LOG_PRETTY) && !['0', 'false', 'no'].includes(env.LOG_PRETTY.toLowerCase())
  return {
    dir: resolve(dir),
    host: given(env.HOST) ? env.HOST : defaults.host ?? '0.0.0.0',
    port,
    ...(given(env.DATABASE_URL) && { databaseUrl: env.DATABASE_URL }),
    logLevel,
    ...(pretty && { logPretty: true })
  }
}

/**
 * The standalone settings of a project: its Strapi config files (with its `.env`) under the environment, which
 * wins (HOST, PORT, DATABASE_URL).
 */
export async function loadServerConfig (dir: string, env: NodeJS.ProcessEnv = process.env): Promise<ServerConfig> {
  const absolute = resolve(dir)
  const project = await loadStrapiConfig(absolute, env)
  const strapi = fromStrapiConfig(project)
  return { ...configFromEnv(absolute, project.env, strapi.server), strapi }
}

/** The plugin's options from the config files, each block overridden key by key by vellum.config.*. */
function mergeOptions (fromFiles: Record<string, unknown>, fromVellumConfig: Partial<VellumOptions>): Partial<VellumOptions> {
  const merged: Record<string, unknown> = { ...fromFiles }
  for (const [key, value] of Object.entries(fromVellumConfig)) {
    const base = merged[key]
    merged[key] = isRecord(base) && isRecord(value) ? { ...base, ...value } : value
  }
  return merged as Partial<VellumOptions>
}

/**
 * One access line per request, in strapi::logger's shape: strapi::logger writes it for the requests it sees (it
 * is in Strapi's default middleware list); this writes it for the others (a 404 outside vellum's routes, a
 * project whose middleware list leaves strapi::logger out), instead of Fastify's two lines per request.
 */
class AccessLogController extends LogController {
  override incomingRequest (): void {}

  override routeNotFound (): void {}

  override requestCompleted (error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (hasAccessLine(request)) return
    const responseTime = Math.ceil(reply.elapsedTime)
    const method = request.method
    const url = loggableUrl(request.url)
    const { statusCode } = reply
    const message = `${method} ${url} (${responseTime} ms) ${statusCode}`
    if (error === null || error === undefined) request.log.info({ method, url, statusCode, responseTime }, message)
    // The client went away while the answer was written: its doing, not a failure of ours.
    else if (request.raw.destroyed) request.log.info({ method, url, statusCode, responseTime, err: error }, `${message} (client gone)`)
    else request.log.error({ method, url, statusCode, responseTime, err: loggableError(error) }, message)
  }
}

/** pino-pretty's entry point, from the project first, then from vellum's own dependencies. */
function resolvePinoPretty (dir: string): string | undefined {
  for (const base of [join(dir, 'package.json'), fileURLToPath(import.meta.url)]) {
    try {
      return createRequire(base).resolve('pino-pretty')
    } catch {}
  }
  return undefined
}

interface ServerStats {
  contentTypes: number
  routes: number
}

const stats = new WeakMap<FastifyInstance, ServerStats>()

/**
 * Builds the standalone service (no listen): a Fastify app with vellum registered at the root, one access line
 * per request, routes logged at debug and a warning when the project has no content type.
 */
export async function buildServer (config: ServerConfig): Promise<FastifyInstance> {
  const strapiConfig = config.strapi ?? fromStrapiConfig(await loadStrapiConfig(config.dir))
  const projectOptions = mergeOptions(strapiConfig.options, await loadProjectOptions<VellumOptions>(config.dir))
  const pretty = config.logPretty === true ? resolvePinoPretty(config.dir) : undefined
  const { maxLogValueLength } = resolveBounds(projectOptions.bounds)
  const logger: FastifyServerOptions['logger'] = {
    level: config.logLevel,
    // Credentials never reach the logs.
    redact: [...REDACTED_LOG_PATHS],
    ...(config.logStream !== undefined && { stream: config.logStream }),
    // No value makes a line megabytes long (a failed statement's parameters, say).
    formatters: { log: (object: Record<string, unknown>) => capLogObject(object, maxLogValueLength) },
    ...(pretty !== undefined && { transport: { target: pretty, options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } })
  }
  const app = Fastify({
    // A first boot on embedded PGlite initializes a whole cluster (seconds on a busy machine).
    pluginTimeout: 120_000,
    logger,
    logController: new AccessLogController(),
    // The server is ours: Fastify's and Node's own answers (a malformed URL, an over-long parameter, headers
    // too large, invalid bytes) are in the envelope too. A host app keeps its own.
    frameworkErrors: handleFrameworkError,
    clientErrorHandler: handleClientError
  })
  // Outside vellum's scope (its routes have their own handlers): errors and unknown paths.
  app.setErrorHandler(handleError)
  app.setNotFoundHandler(handleNotFound)
  if (config.logPretty === true && pretty === undefined) {
    app.log.warn('LOG_PRETTY is set but pino-pretty is not installed (npm install --save-dev pino-pretty): logging JSON')
  }
  const counts: ServerStats = { contentTypes: 0, routes: 0 }
  app.addHook('onRoute', (route) => {
    if (route.method === 'HEAD') return
    counts.routes++
    app.log.debug({ method: route.method, url: route.url }, 'route')
  })
  const decorator = projectOptions.decorator ?? 'vellum'
  const embedded = { pglite: join(config.dir, '.vellum', 'data') }
  let database: VellumOptions['database'] = embedded
  if (config.databaseUrl !== undefined) database = { url: config.databaseUrl }
  else if (projectOptions.database !== undefined) database = projectOptions.database
  else if (strapiConfig.database !== undefined && 'url' in strapiConfig.database) database = strapiConfig.database
  else if (strapiConfig.database !== undefined) app.log.info(`config/database: client ${strapiConfig.database.client} is served by the embedded PGlite database in ${embedded.pglite}`)
  try {
    await app.register(vellum, { strapiGlobal: true, strapiConfig: strapiConfig.files, ...projectOptions, dir: config.dir, database })
  } catch (error) {
    // Whatever registration opened (the database) is released, so the process can report and exit.
    await app.close().catch(() => {})
    throw error
  }
  // The project's own types: the built-in ones (plugin::upload.*) are in every project.
  counts.contentTypes = Object.values((app as unknown as Record<string, Vellum>)[decorator]?.contentTypes ?? {}).filter(isApiContentType).length
  if (counts.contentTypes === 0) {
    app.log.warn({ dir: config.dir }, `no content types found in ${join(config.dir, 'src/api/*/content-types/*/schema.json')}`)
  }
  stats.set(app, counts)
  return app
}

/** Listens, logging one line per address: `5 content types, 27 routes, listening on http://127.0.0.1:1337`. */
export async function listen (app: FastifyInstance, config: Pick<ServerConfig, 'host' | 'port'>): Promise<string> {
  const counts = stats.get(app)
  const summary = counts === undefined ? '' : `${counts.contentTypes} content type${counts.contentTypes === 1 ? '' : 's'}, ${counts.routes} route${counts.routes === 1 ? '' : 's'}, `
  return await app.listen({ host: config.host, port: config.port, listenTextResolver: (address) => `${summary}listening on ${address}` })
}
