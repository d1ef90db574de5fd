import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from '../logger.js'
import { MissingApiTokenSaltError } from './errors.js'

export interface SaltSources {
  /** The `apiToken.salt` option. */
  option?: string | undefined
  env: NodeJS.ProcessEnv
  /** The project folder: a development salt is kept in its `.vellum/` folder. */
  dir?: string | undefined
  log: Logger
}

const SALT_FILE = 'api-token-salt'

/**
 * The salt API-token keys are hashed with: the option, else `API_TOKEN_SALT`. In production none is an error at
 * boot. In development one is generated once and kept in `<dir>/.vellum/api-token-salt` (so tokens survive a
 * restart and the two-command start keeps working); without a project folder it lives as long as the process.
 * The salt itself is never logged.
 */
export async function resolveSalt ({ option, env, dir, log }: SaltSources): Promise<string> {
  if (option !== undefined && option !== '') return option
  if (env.API_TOKEN_SALT !== undefined && env.API_TOKEN_SALT !== '') return env.API_TOKEN_SALT
  if (env.NODE_ENV === 'production') {
    throw new MissingApiTokenSaltError('Missing apiToken.salt: set the apiToken.salt option or API_TOKEN_SALT (vellum generates one only outside production)')
  }
  if (dir === undefined) {
    log.warn('no API token salt configured: using one generated for this process only (set apiToken.salt or API_TOKEN_SALT to keep tokens valid across restarts)')
    return randomBytes(16).toString('base64')
  }
  const folder = join(dir, '.vellum')
  const file = join(folder, SALT_FILE)
  const kept = await readFile(file, 'utf8').then(text => text.trim(), () => '')
  if (kept !== '') return kept
  const salt = randomBytes(16).toString('base64')
  await mkdir(folder, { recursive: true })
  // `wx`: two processes starting at once keep the first one's salt.
  await writeFile(file, `${salt}\n`, { flag: 'wx', mode: 0o600 }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error
  })
  const written = (await readFile(file, 'utf8')).trim()
  log.info({ file }, 'no API token salt configured: generated one for development and kept it in .vellum/ (set apiToken.salt or API_TOKEN_SALT in production)')
  return written
}
