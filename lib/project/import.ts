import { existsSync, type Dirent } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { messageOf, ProjectCodeError } from '../errors.js'

export function isRecord (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * A module's value: `export default x` and `module.exports = x` both arrive as `default`; TypeScript compiled to
 * CommonJS hides it one level down behind `__esModule`; a module with named exports only is its namespace.
 */
export function exportedValue (namespace: Record<string, unknown>): unknown {
  let value: unknown = 'default' in namespace ? namespace.default : namespace
  if (isRecord(value) && value.__esModule === true && 'default' in value) value = value.default
  return value
}

/** The one dynamic import of vellum's project loading: a file's module namespace, errors as they come. */
export async function importNamespace (file: string): Promise<Record<string, unknown>> {
  return await import(pathToFileURL(file).href) as Record<string, unknown>
}

/** Imports a project file; a failure names the file (`label`, usually its path inside the project). */
export async function importFile (file: string, label: string): Promise<unknown> {
  let namespace: Record<string, unknown>
  try {
    namespace = await importNamespace(file)
  } catch (error) {
    throw new ProjectCodeError(`${label}: cannot be loaded: ${messageOf(error)}`, { file }, error)
  }
  return exportedValue(namespace)
}

export const CODE_EXTENSIONS = ['.js', '.ts', '.mjs', '.cjs']

function isCodeFile (name: string): boolean {
  if (name.startsWith('.') || /\.d\.[cm]?ts$/.test(name)) return false
  return CODE_EXTENSIONS.includes(extname(name))
}

/** A directory's entries; none when it does not exist (or is a file). */
async function entriesOf (dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return []
    throw error
  }
}

export interface CodeFile {
  /** The file name without its extension: the last part of the uid. */
  name: string
  file: string
}

/**
 * The code files of a directory in code-point order, so loading never depends on the file system; none when
 * the directory does not exist. Two files with one name (`a.js` beside `a.ts`) would define one uid twice.
 */
export async function listCodeFiles (dir: string, label: (file: string) => string): Promise<CodeFile[]> {
  const files = (await entriesOf(dir))
    .filter(entry => entry.isFile() && isCodeFile(entry.name))
    .map(entry => entry.name)
    .sort((a, b) => a < b ? -1 : a > b ? 1 : 0)
  const byName = new Map<string, string>()
  const result: CodeFile[] = []
  for (const fileName of files) {
    const name = fileName.slice(0, -extname(fileName).length)
    const file = join(dir, fileName)
    const other = byName.get(name)
    if (other !== undefined) {
      throw new ProjectCodeError(`${label(file)}: ${label(other)} has the same name; keep one of them`, { file, other })
    }
    byName.set(name, file)
    result.push({ name, file })
  }
  return result
}

/** The sub-directories of a directory, sorted; none when it does not exist. */
export async function listDirectories (dir: string): Promise<string[]> {
  return (await entriesOf(dir))
    .filter(entry => entry.isDirectory() && !entry.name.startsWith('.'))
    .map(entry => entry.name)
    .sort((a, b) => a < b ? -1 : a > b ? 1 : 0)
}

/** `<dir>/<base>.(js|ts|mjs|cjs)` if it exists; two of them (`index.js` beside `index.ts`) is an error. */
export async function findCodeFile (dir: string, base: string, label: (file: string) => string): Promise<string | undefined> {
  const found = CODE_EXTENSIONS.map(ext => join(dir, base + ext)).filter(file => existsSync(file))
  if (found.length > 1) {
    throw new ProjectCodeError(`${label(found[1]!)}: ${label(found[0]!)} has the same name; keep one of them`, { file: found[1], other: found[0] })
  }
  return found[0]
}
