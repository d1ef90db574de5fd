import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import Fastify, { type FastifyInstance } from 'fastify'
import vellum, { type VellumOptions } from './plugin.js'
import { InvalidOptionsError } from './errors.js'

/** Settings of the standalone service; the environment wins over vellum.config.*. */
export interface ServerConfig {
  /** A Strapi-layout project root. */
  dir: string
  host: string
  port: number
  /** PostgreSQL URL; when absent, embedded PGlite persisted in `<dir>/.vellum/data`. */
  databaseUrl?: string
  logLevel: string
}

export function configFromEnv (dir: string, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const port = env.PORT === undefined || env.PORT === '' ? 1337 : Number(env.PORT)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidOptionsError(`PORT must be a port number, got "${env.PORT}"`)
  return {
    dir: resolve(dir),
    host: env.HOST !== undefined && env.HOST !== '' ? env.HOST : '0.0.0.0',
    port,
    ...(env.DATABASE_URL !== undefined && env.DATABASE_URL !== '' && { databaseUrl: env.DATABASE_URL }),
    logLevel: env.LOG_LEVEL !== undefined && env.LOG_LEVEL !== '' ? env.LOG_LEVEL : 'info'
  }
}

const CONFIG_FILES = ['vellum.config.json', 'vellum.config.js', 'vellum.config.mjs', 'vellum.config.ts']

/** The plugin options kept in the project's optional `vellum.config.(json|js|ts)`. */
export async function loadProjectOptions (dir: string): Promise<VellumOptions> {
  for (const name of CONFIG_FILES) {
    const file = join(dir, name)
    if (!existsSync(file)) continue
    if (name.endsWith('.json')) {
      try {
        return JSON.parse(await readFile(file, 'utf8')) as VellumOptions
      } catch (error) {
        throw new InvalidOptionsError(`${file}: ${(error as Error).message}`)
      }
    }
    const module = await import(pathToFileURL(file).href) as { default?: VellumOptions }
    if (module.default === undefined || typeof module.default !== 'object') throw new InvalidOptionsError(`${file}: expected a default export holding the plugin options`)
    return module.default
  }
  return {}
}

/** Builds the standalone service (no listen): a Fastify app with vellum registered at the root. */
export async function buildServer (config: ServerConfig): Promise<FastifyInstance> {
  const app = Fastify({
    // A first boot on embedded PGlite initializes a whole cluster (seconds on a busy machine).
    pluginTimeout: 120_000,
    logger: {
      level: config.logLevel,
      // Credentials never reach the logs.
      redact: ['req.headers.authorization', 'req.headers.cookie']
    }
  })
  const projectOptions = await loadProjectOptions(config.dir)
  app.addHook('onRoute', (route) => {
    if (route.method === 'HEAD') return
    app.log.info({ method: route.method, url: route.url }, 'route')
  })
  await app.register(vellum, {
    ...projectOptions,
    dir: config.dir,
    database: config.databaseUrl !== undefined
      ? { url: config.databaseUrl }
      : projectOptions.database ?? { pglite: join(config.dir, '.vellum', 'data') }
  })
  return app
}
