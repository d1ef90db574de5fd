import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

export interface FoundPackage {
  /** The folder holding the package.json. */
  dir: string
  version: string | undefined
}

/**
 * The nearest folder at or above `start` whose package.json names the package `name`: where an installed package's
 * root is, found from one of its own files (its depth below the root differs between layouts).
 */
export function findPackage (start: string, name: string): FoundPackage {
  for (let dir = start; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json')
    if (!existsSync(file)) continue
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown, version?: unknown }
    if (manifest.name === name) return { dir, version: typeof manifest.version === 'string' ? manifest.version : undefined }
  }
  throw new Error(`no package.json of ${name} found above ${start}`)
}
