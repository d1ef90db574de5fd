import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseEnv } from 'node:util'
import { resolveStrapiModules } from '../compat/modules.js'
import { InvalidOptionsError } from '../errors.js'
import { createEnv } from './env.js'
import { findCodeFile, importFile, isRecord } from './import.js'

/** The config files of a Strapi project that vellum reads (`config/middlewares` is loaded with the project's code). */
export const STRAPI_CONFIG_FILES = ['server', 'database', 'api', 'plugins', 'admin'] as const
export type StrapiConfigName = typeof STRAPI_CONFIG_FILES[number]

type Plain = Record<string, unknown>

export interface StrapiProjectConfig {
  /** Each file's value, `config/env/<NODE_ENV>/` merged over it; `{}` for a file the project does not have. */
  files: Record<StrapiConfigName, Plain>
  /** The environment the files saw: the project's `.env` under the process's own variables (which win). */
  env: NodeJS.ProcessEnv
}

/** `<dir>/.env`, parsed (Node's own parser): empty when there is none. */
export async function readDotEnv (dir: string): Promise<Record<string, string>> {
  const file = join(dir, '.env')
  if (!existsSync(file)) return {}
  return parseEnv(await readFile(file, 'utf8')) as Record<string, string>
}

/** Objects merged key by key; arrays and other values replaced. */
function mergeDeep (base: Plain, over: Plain): Plain {
  const merged: Plain = { ...base }
  for (const [key, value] of Object.entries(over)) {
    const current = merged[key]
    merged[key] = isRecord(current) && isRecord(value) ? mergeDeep(current, value) : value
  }
  return merged
}

async function readConfigFile (dir: string, name: string, env: NodeJS.ProcessEnv, label: (file: string) => string): Promise<Plain | undefined> {
  const file = await findCodeFile(dir, name, label)
  if (file === undefined) return undefined
  let value = await importFile(file, label(file))
  // Strapi's two forms: an object, or `({ env }) => ({ … })`.
  if (typeof value === 'function') value = await (value as (helpers: { env: ReturnType<typeof createEnv> }) => unknown)({ env: createEnv(env) })
  if (!isRecord(value)) throw new InvalidOptionsError(`${label(file)}: expected an object, or a function ({ env }) returning one`)
  return value
}

/**
 * A Strapi project's `config/{server,database,api,plugins,admin}` in .js, .ts, .mjs or .cjs, each an object or
 * `({ env }) => ({ … })` with Strapi's `env` helper, `config/env/<NODE_ENV>/<name>` merged over it, and the
 * project's `.env` loaded under the process's environment as Strapi loads it.
 */
export async function loadStrapiConfig (dir: string, processEnv: NodeJS.ProcessEnv = process.env): Promise<StrapiProjectConfig> {
  resolveStrapiModules(dir)
  const env: NodeJS.ProcessEnv = { ...await readDotEnv(dir), ...processEnv }
  const label = (file: string): string => file.slice(dir.length + 1)
  const configDir = join(dir, 'config')
  const overrides = env.NODE_ENV !== undefined && env.NODE_ENV !== '' ? join(configDir, 'env', env.NODE_ENV) : undefined
  const files = {} as Record<StrapiConfigName, Plain>
  for (const name of STRAPI_CONFIG_FILES) {
    const base = await readConfigFile(configDir, name, env, label) ?? {}
    const over = overrides === undefined ? undefined : await readConfigFile(overrides, name, env, label)
    files[name] = over === undefined ? base : mergeDeep(base, over)
  }
  return { files, env }
}

/** What a Strapi project's config files say about the standalone server and the plugin's options. */
export interface StrapiDerived {
  /** `config/server` `host` and `port`: where to listen when HOST and PORT are not set. */
  server: { host?: string, port?: number }
  /** `config/database`: a PostgreSQL URL (with `max`), or the embedded database for Strapi's sqlite default. */
  database?: { url: string, max?: number } | { embedded: true, client: string }
  /** Options the files set (rest, apiToken, upload, email, usersPermissions), for the plugin's own checks. */
  options: Plain
  /** The files as loaded, read through `strapi.config.get` (`server.port`, `database.connection.client`). */
  files: Readonly<Record<string, Plain>>
}

const PICK = <T extends Plain>(source: unknown, keys: readonly string[]): Partial<T> =>
  Object.fromEntries(keys.filter(key => isRecord(source) && source[key] !== undefined).map(key => [key, (source as Plain)[key]])) as Partial<T>

/** Strapi's provider package names (`@strapi/provider-upload-aws-s3`) → vellum's provider names. */
function providerName (value: unknown, kind: 'upload' | 'email'): unknown {
  if (typeof value !== 'string') return value
  const match = new RegExp(`^(?:@strapi/)?(?:strapi-)?provider-${kind}-(.+)$`).exec(value)
  return match === null ? value : match[1]
}

function postgresUrl (connection: Plain): string {
  if (typeof connection.connectionString === 'string' && connection.connectionString !== '') return connection.connectionString
  const { host = 'localhost', port = 5432, database, user, password } = connection as { host?: string, port?: number | string, database?: string, user?: string, password?: string }
  if (typeof database !== 'string' || database === '') throw new InvalidOptionsError('config/database: connection.connection needs connectionString, or database (with host, port, user, password)')
  const auth = user === undefined || user === '' ? '' : `${encodeURIComponent(user)}${password === undefined || password === '' ? '' : `:${encodeURIComponent(password)}`}@`
  const url = new URL(`postgres://${auth}${host}:${port}/${encodeURIComponent(database)}`)
  const { ssl } = connection
  // Strapi passes `ssl` to pg: true or { rejectUnauthorized }; postgres.js reads the same wish from sslmode.
  if (ssl !== undefined && ssl !== false && ssl !== null) url.searchParams.set('sslmode', isRecord(ssl) && ssl.rejectUnauthorized === false ? 'require' : 'verify-full')
  return url.href
}

function databaseOf (file: Plain): StrapiDerived['database'] {
  const connection = file.connection
  if (!isRecord(connection)) return undefined
  const client = String(connection.client ?? '')
  if (client === 'sqlite' || client === 'better-sqlite3') return { embedded: true, client }
  if (client === 'mysql' || client === 'mysql2') {
    throw new InvalidOptionsError(`config/database: client ${client} is not supported: vellum stores content in PostgreSQL (or its embedded PGlite); set client 'postgres' or DATABASE_URL`)
  }
  if (client !== 'postgres' && client !== 'pg' && client !== 'postgresql') throw new InvalidOptionsError(`config/database: unknown client "${client}": expected postgres or sqlite`)
  const settings = isRecord(connection.connection) ? connection.connection : {}
  if (settings.schema !== undefined && settings.schema !== 'public') throw new InvalidOptionsError(`config/database: connection.schema "${String(settings.schema)}" is not supported yet: vellum uses the public schema`)
  const max = isRecord(connection.pool) && typeof connection.pool.max === 'number' ? connection.pool.max : undefined
  return { url: postgresUrl(settings), ...(max !== undefined && { max }) }
}

/**
 * Maps a Strapi project's config files onto vellum: `config/server` host and port, `config/database` (postgres
 * or sqlite), `config/api` `rest`, `config/admin` `apiToken.salt`, and `config/plugins` `upload`, `email` and
 * `users-permissions` (their `config`, Strapi's provider package names accepted). The plugin checks the values.
 */
export function fromStrapiConfig ({ files }: StrapiProjectConfig): StrapiDerived {
  const { server, database, api, plugins, admin } = files
  const options: Plain = {}
  const rest = PICK(api.rest, ['prefix', 'defaultLimit', 'maxLimit', 'withCount', 'strictParams'])
  if (Object.keys(rest).length > 0) options.rest = rest
  if (isRecord(admin.apiToken) && admin.apiToken.salt !== undefined) options.apiToken = { salt: admin.apiToken.salt }
  const pluginConfig = (name: string): Plain | undefined => {
    const entry = plugins[name]
    return isRecord(entry) && isRecord(entry.config) ? entry.config : undefined
  }
  const upload = pluginConfig('upload')
  if (upload !== undefined) {
    const providerOptions = isRecord(upload.providerOptions) ? upload.providerOptions : undefined
    // Strapi 4 kept sizeLimit among the local provider's options; Strapi 5 beside them.
    const sizeLimit = upload.sizeLimit ?? providerOptions?.sizeLimit
    const { sizeLimit: _kept, ...otherProviderOptions } = providerOptions ?? {}
    options.upload = {
      ...PICK(upload, ['breakpoints', 'security', 'responsiveDimensions', 'sizeOptimization', 'autoOrientation']),
      ...(upload.provider !== undefined && { provider: providerName(upload.provider, 'upload') }),
      ...(providerOptions !== undefined && { providerOptions: otherProviderOptions }),
      ...(sizeLimit !== undefined && { sizeLimit })
    }
  }
  const email = pluginConfig('email')
  if (email !== undefined) {
    options.email = {
      ...PICK(email, ['providerOptions', 'settings']),
      ...(email.provider !== undefined && { provider: providerName(email.provider, 'email') })
    }
  }
  const users = pluginConfig('users-permissions')
  if (users !== undefined) {
    const picked = PICK(users, ['jwtSecret', 'register'])
    if (isRecord(users.jwt) && users.jwt.expiresIn !== undefined) picked.jwt = { expiresIn: users.jwt.expiresIn }
    if (Object.keys(picked).length > 0) options.usersPermissions = picked
  }
  const db = databaseOf(database)
  return {
    files,
    server: {
      ...(typeof server.host === 'string' && server.host !== '' && { host: server.host }),
      ...(server.port !== undefined && { port: Number(server.port) })
    },
    ...(db !== undefined && { database: db }),
    options
  }
}
