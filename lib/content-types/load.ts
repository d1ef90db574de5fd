import { readdir, readFile, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Problems } from './problems.js'

/** A schema as read, before any check: where it came from and its parsed JSON (or inline object). */
export interface RawEntry {
  modelType: 'contentType' | 'component'
  /** Absolute file path; for inline definitions `inline:contentTypes[<i>]` until the uid is known. */
  source: string
  data: unknown
  /** Content types from files: the `<api>` directory. */
  apiDir?: string
  /** Content types from files: the directory holding schema.json (used for the uid when singularName is missing). */
  typeDir?: string
  /** Inline definitions: the uid as given. */
  uid?: string
  /** Components from files: `<category>` and `<name>` of `src/components/<category>/<name>.json`. */
  category?: string
  name?: string
  /** Inline content types: the `lifecycles` object, checked later. */
  lifecycles?: unknown
}

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

async function readJson (file: string, problems: Problems): Promise<{ ok: true, data: unknown } | { ok: false }> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    problems.add(file, `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`)
    return { ok: false }
  }
  try {
    return { ok: true, data: JSON.parse(text) }
  } catch (err) {
    problems.add(file, `is not valid JSON (${(err as Error).message})`)
    return { ok: false }
  }
}

export function projectRoot (dir: string | URL): string {
  return resolve(dir instanceof URL ? fileURLToPath(dir) : dir)
}

/**
 * Reads a Strapi project's schemas: `src/api/<api>/content-types/<type>/schema.json` and
 * `src/components/<category>/<name>.json`. A missing `src/api` or `src/components` means none of that kind.
 */
export async function readProject (root: string, problems: Problems): Promise<RawEntry[]> {
  const info = await stat(root).catch(() => undefined)
  if (info === undefined || !info.isDirectory()) {
    problems.add(root, 'project directory does not exist')
    return []
  }
  const entries: RawEntry[] = []
  const apiRoot = join(root, 'src', 'api')
  for (const api of await sortedEntries(apiRoot)) {
    if (!api.isDirectory) continue
    const typesRoot = join(apiRoot, api.name, 'content-types')
    for (const type of await sortedEntries(typesRoot)) {
      if (!type.isDirectory) continue
      const file = join(typesRoot, type.name, 'schema.json')
      problems.declare(file)
      const exists = await stat(file).then(s => s.isFile(), () => false)
      if (!exists) {
        problems.add(join(typesRoot, type.name), 'has no schema.json')
        continue
      }
      const json = await readJson(file, problems)
      if (json.ok) entries.push({ modelType: 'contentType', source: file, data: json.data, apiDir: api.name, typeDir: type.name })
    }
  }
  const componentsRoot = join(root, 'src', 'components')
  for (const category of await sortedEntries(componentsRoot)) {
    if (!category.isDirectory) continue
    for (const file of await sortedEntries(join(componentsRoot, category.name))) {
      if (!file.isFile || !file.name.endsWith('.json')) continue
      const path = join(componentsRoot, category.name, file.name)
      problems.declare(path)
      const json = await readJson(path, problems)
      if (json.ok) {
        entries.push({ modelType: 'component', source: path, data: json.data, category: category.name, name: file.name.slice(0, -'.json'.length) })
      }
    }
  }
  return entries
}
