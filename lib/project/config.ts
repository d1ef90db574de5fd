import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { InvalidOptionsError } from '../errors.js'
import { importNamespace } from './import.js'

const CONFIG_FILES = ['vellum.config.json', 'vellum.config.js', 'vellum.config.mjs', 'vellum.config.ts', 'vellum.config.mts']

/** The plugin options kept in the project's optional `vellum.config.(json|js|ts)`: not checked here (the plugin does). */
export async function loadProjectOptions<T extends object> (dir: string): Promise<Partial<T>> {
  for (const name of CONFIG_FILES) {
    const file = join(dir, name)
    if (!existsSync(file)) continue
    if (name.endsWith('.json')) {
      try {
        return JSON.parse(await readFile(file, 'utf8')) as Partial<T>
      } catch (error) {
        throw new InvalidOptionsError(`${file}: ${(error as Error).message}`)
      }
    }
    const { default: options } = await importNamespace(file)
    if (options === undefined || typeof options !== 'object') throw new InvalidOptionsError(`${file}: expected a default export holding the plugin options`)
    return options as Partial<T>
  }
  return {}
}
