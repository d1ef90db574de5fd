import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from '../logger.js'
import { MissingApiTokenSaltError, MissingJwtSecretError } from './errors.js'

export interface SaltSources {
  /** The `apiToken.salt` option. */
  option?: string | undefined
  env: NodeJS.ProcessEnv
  /** The project folder: a development salt is kept in its `.vellum/` folder. */
  dir?: string | undefined
  log: Logger
}

/** One secret's sources and words: the option, the environment variable, the file kept in development. */
interface SecretSpec {
  option?: string | undefined
  envName: string
  file: string
  /** What the messages call it ("API token salt"). */
  label: string
  /** The option's name in messages ("apiToken.salt"). */
  optionName: string
  /** Random bytes of a generated one. */
  bytes: number
  missing: (message: string) => Error
}

/**
 * A secret: the option, else the environment variable. In production none is an error at boot. In development one
 * is generated once and kept in `<dir>/.vellum/<file>` (so what it signs survives a restart and the two-command
 * start keeps working); without a project folder it lives as long as the process. The secret is never logged.
 */
async function resolveSecret (spec: SecretSpec, { env, dir, log }: Omit<SaltSources, 'option'>): Promise<string> {
  if (spec.option !== undefined && spec.option !== '') return spec.option
  const fromEnv = env[spec.envName]
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv
  if (env.NODE_ENV === 'production') {
    throw spec.missing(`Missing ${spec.optionName}: set the ${spec.optionName} option or ${spec.envName} (vellum generates one only outside production)`)
  }
  if (dir === undefined) {
    log.warn(`no ${spec.label} configured: using one generated for this process only (set ${spec.optionName} or ${spec.envName} to keep it across restarts)`)
    return randomBytes(spec.bytes).toString('base64')
  }
  const folder = join(dir, '.vellum')
  const file = join(folder, spec.file)
  const kept = await readFile(file, 'utf8').then(text => text.trim(), () => '')
  if (kept !== '') return kept
  const secret = randomBytes(spec.bytes).toString('base64')
  await mkdir(folder, { recursive: true })
  // `wx`: two processes starting at once keep the first one's secret.
  await writeFile(file, `${secret}\n`, { flag: 'wx', mode: 0o600 }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error
  })
  const written = (await readFile(file, 'utf8')).trim()
  log.info({ file }, `no ${spec.label} configured: generated one for development and kept it in .vellum/ (set ${spec.optionName} or ${spec.envName} in production)`)
  return written
}

const SALT_FILE = 'api-token-salt'

/** The salt API-token keys are hashed with: the `apiToken.salt` option, else `API_TOKEN_SALT` (see resolveSecret). */
export async function resolveSalt ({ option, ...sources }: SaltSources): Promise<string> {
  return await resolveSecret({
    option,
    envName: 'API_TOKEN_SALT',
    file: SALT_FILE,
    label: 'API token salt',
    optionName: 'apiToken.salt',
    bytes: 16,
    missing: message => new MissingApiTokenSaltError(message)
  }, sources)
}

/** The secret users-permissions JWTs are signed with: `usersPermissions.jwtSecret`, else `JWT_SECRET` (see resolveSecret). */
export async function resolveJwtSecret ({ option, ...sources }: SaltSources): Promise<string> {
  return await resolveSecret({
    option,
    envName: 'JWT_SECRET',
    file: 'jwt-secret',
    label: 'JWT secret',
    optionName: 'usersPermissions.jwtSecret',
    bytes: 32,
    missing: message => new MissingJwtSecretError(message)
  }, sources)
}
