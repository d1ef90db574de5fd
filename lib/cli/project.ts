import { readdir, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { OptionSpec } from './args.js'
import { loadProjectOptions } from '../project/index.js'
import type { Vellum } from '../types.js'
import { CliError } from './errors.js'

/** `--dir`: shared by every command that works on a project. */
export const DIR_OPTION: OptionSpec = {
  name: 'dir',
  short: 'd',
  type: 'string',
  value: '<project>',
  default: '.',
  description: 'the Strapi-layout project directory'
}

/** The environment every command that opens a project reads. */
export const PROJECT_ENVIRONMENT: ReadonlyArray<readonly [string, string]> = [
  ['HOST', 'address to listen on (default 0.0.0.0)'],
  ['PORT', 'port to listen on (default 1337)'],
  ['DATABASE_URL', 'PostgreSQL URL; when unset, embedded PGlite in <project>/.vellum/data (one process at a time)'],
  ['LOG_LEVEL', 'fatal, error, warn, info (default), debug, trace or silent'],
  ['LOG_PRETTY', '1 for human-readable logs through pino-pretty (when installed)'],
  ['JWT_SECRET', 'signs users-permissions JWTs (else the usersPermissions.jwtSecret option; generated into .vellum/ outside production)']
]

/** The project's absolute path; a missing directory is one clear line, not a stack. */
export async function projectDir (dir: string): Promise<string> {
  const absolute = resolve(dir)
  const stats = await stat(absolute).catch(() => undefined)
  if (stats === undefined) throw new CliError(`project directory ${absolute} does not exist`)
  if (!stats.isDirectory()) throw new CliError(`project directory ${absolute} is not a directory`)
  return absolute
}

const TYPESCRIPT = /\.[cm]?ts$/
const DECLARATION = /\.d\.[cm]?ts$/

function isTypeScript (name: string): boolean {
  return TYPESCRIPT.test(name) && !DECLARATION.test(name)
}

async function containsTypeScript (dir: string): Promise<boolean> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue
    if (entry.isDirectory() ? await containsTypeScript(join(dir, entry.name)) : entry.isFile() && isTypeScript(entry.name)) return true
  }
  return false
}

/** Whether loading the project imports TypeScript: vellum.config.(ts|mts|cts), or any under src/ or config/. */
export async function hasTypeScript (dir: string): Promise<boolean> {
  const root = await readdir(dir).catch(() => [])
  if (root.some(name => name.startsWith('vellum.config.') && isTypeScript(name))) return true
  return await containsTypeScript(join(dir, 'src')) || await containsTypeScript(join(dir, 'config'))
}

let typescriptLoader: Promise<void> | undefined

/**
 * tsx's loaders, registered once per process and only when asked: the library itself never needs them. Both: a
 * Strapi TypeScript project's package is CommonJS (no "type": "module"), so its .ts files load as CommonJS.
 */
async function registerTypeScript (): Promise<void> {
  typescriptLoader ??= Promise.all([import('tsx/esm/api'), import('tsx/cjs/api')]).then(([esm, cjs]) => {
    esm.register()
    cjs.register()
  })
  await typescriptLoader
}

export interface Project {
  /** Absolute path. */
  dir: string
  /** tsx was registered to load the project's TypeScript files. */
  typescript: boolean
}

/** The one way commands open a project: the directory checked, and a TypeScript loader only if it has .ts files. */
export async function openProject (dir: string): Promise<Project> {
  const absolute = await projectDir(dir)
  const typescript = await hasTypeScript(absolute)
  if (typescript) await registerTypeScript()
  return { dir: absolute, typescript }
}

/**
 * The one way commands open a project's database: the project's server built (options, schema sync, the
 * embedded database's owner lock: it works when no server holds it), made ready, given to `work`, then closed.
 * Logs stay off unless LOG_LEVEL asks for them, so stdout carries only the command's answer.
 */
export async function withProjectApp<T> (dir: string, env: NodeJS.ProcessEnv, work: (vellum: Vellum) => Promise<T>): Promise<T> {
  const project = await openProject(dir)
  const { buildServer, loadServerConfig } = await import('../server.js')
  const config = await loadServerConfig(project.dir, { ...env, LOG_LEVEL: env.LOG_LEVEL === undefined || env.LOG_LEVEL === '' ? 'silent' : env.LOG_LEVEL })
  const app = await buildServer(config)
  try {
    await app.ready()
    const decorator = (await loadProjectOptions<{ decorator?: string }>(project.dir)).decorator ?? 'vellum'
    return await work((app as unknown as Record<string, Vellum>)[decorator]!)
  } finally {
    await app.close()
  }
}
