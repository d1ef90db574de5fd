import { access, readdir, readFile, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { LifecyclesFile, ProjectSchemas, RawEntry, UnreadSchema } from '../content-types/index.js'
import type { Logger } from '../logger.js'
import { importNamespace } from './import.js'

/** Directory entries sorted by name (code-point order), so the model does not depend on the file system. */
async function sortedEntries (dir: string): Promise<Array<{ name: string, isDirectory: boolean, isFile: boolean }>> {
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
  return entries
    .map(entry => ({ name: entry.name, isDirectory: entry.isDirectory(), isFile: entry.isFile() }))
    .sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
}

async function readJson (file: string): Promise<{ data: unknown } | UnreadSchema> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    return { source: file, problem: `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})` }
  }
  try {
    return { data: JSON.parse(text) }
  } catch (err) {
    return { source: file, problem: `is not valid JSON (${(err as Error).message})` }
  }
}

/** The `lifecycles.(ts|js|mjs|cjs)` file beside a content type's schema.json, if any. */
async function lifecyclesFileOf (typeDir: string): Promise<string | undefined> {
  for (const ext of ['ts', 'js', 'mjs', 'cjs']) {
    const file = join(typeDir, `lifecycles.${ext}`)
    try {
      await access(file)
      return file
    } catch {}
  }
  return undefined
}

/** A lifecycles file's hooks: `export default { … }`, `module.exports = { … }` or named exports (checked by the Query Engine). */
async function importLifecycles (file: string): Promise<LifecyclesFile> {
  const mod = await importNamespace(file)
  const hooks = typeof mod.default === 'object' && mod.default !== null ? mod.default as Record<string, unknown> : mod
  return { file, hooks: { ...hooks } }
}

export function projectRoot (dir: string | URL): string {
  return resolve(dir instanceof URL ? fileURLToPath(dir) : dir)
}

export interface ReadSchemas {
  schemas: ProjectSchemas
  /** A lifecycles file that failed to import: thrown once the schemas are found valid (their problems come first). */
  lifecyclesError?: { error: unknown }
}

/**
 * Reads a Strapi project's schemas: `src/api/<api>/content-types/<type>/schema.json` (with the `lifecycles.(ts|js)`
 * file beside it) and `src/components/<category>/<name>.json`. A missing `src/api` or `src/components` means none
 * of that kind.
 */
export async function readProjectSchemas (root: string, log: Logger): Promise<ReadSchemas> {
  const info = await stat(root).catch(() => undefined)
  if (info === undefined || !info.isDirectory()) return { schemas: [{ source: root, problem: 'project directory does not exist' }] }
  const entries: Array<RawEntry | UnreadSchema> = []
  let lifecyclesError: { error: unknown } | undefined
  const apiRoot = join(root, 'src', 'api')
  for (const api of await sortedEntries(apiRoot)) {
    if (!api.isDirectory) continue
    const typesRoot = join(apiRoot, api.name, 'content-types')
    for (const type of await sortedEntries(typesRoot)) {
      if (!type.isDirectory) continue
      const typeDir = join(typesRoot, type.name)
      const file = join(typeDir, 'schema.json')
      const exists = await stat(file).then(s => s.isFile(), () => false)
      if (!exists) {
        entries.push({ source: typeDir, problem: 'has no schema.json' })
        continue
      }
      const json = await readJson(file)
      if (!('data' in json)) {
        entries.push(json)
        continue
      }
      const hooksFile = await lifecyclesFileOf(typeDir)
      let lifecyclesFile: LifecyclesFile | undefined
      if (hooksFile !== undefined && lifecyclesError === undefined) {
        try {
          lifecyclesFile = await importLifecycles(hooksFile)
          log.debug({ file: hooksFile }, 'loaded lifecycles')
        } catch (error) {
          lifecyclesError = { error }
        }
      }
      entries.push({
        modelType: 'contentType', source: file, data: json.data, apiDir: api.name, typeDir: type.name, ...(lifecyclesFile !== undefined && { lifecyclesFile })
      })
    }
  }
  const componentsRoot = join(root, 'src', 'components')
  for (const category of await sortedEntries(componentsRoot)) {
    if (!category.isDirectory) continue
    for (const file of await sortedEntries(join(componentsRoot, category.name))) {
      if (!file.isFile || !file.name.endsWith('.json')) continue
      const path = join(componentsRoot, category.name, file.name)
      const json = await readJson(path)
      entries.push('data' in json
        ? { modelType: 'component', source: path, data: json.data, category: category.name, name: file.name.slice(0, -'.json'.length) }
        : json)
    }
  }
  return { schemas: entries, ...(lifecyclesError !== undefined && { lifecyclesError }) }
}
