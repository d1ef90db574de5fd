import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * vellum's own package folder (package.json, bin/): the nearest folder above this module whose package.json names
 * vellum. Found, not assumed two levels up: lib/cli/ and dist/cli/ are, the suite's compiled copy is not.
 */
function findPackageRoot (): string {
  const here = dirname(fileURLToPath(import.meta.url))
  for (let dir = here; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json')
    if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'vellum') return dir
  }
  throw new Error(`vellum's package.json was not found above ${here}`)
}

let root: string | undefined

export function packageRoot (): string {
  root ??= findPackageRoot()
  return root
}
