/**
 * Paths of the repository, the same whether a test runs compiled (`.build/test/…`, what `npm test` runs) or from
 * its TypeScript source through tsx (`test/…`): found from the repository's package.json, not from where the
 * test file happens to be.
 */
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

function findRoot (): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir
  }
  throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`)
}

/** The repository's root: package.json, README.md, bin/, examples/. */
export const root = findRoot()

/** A path under the repository's root. */
export const fromRoot = (...segments: string[]): string => join(root, ...segments)

/** A path under test/fixtures/ (fixtures stay in the source tree: they are not compiled). */
export const fixture = (...segments: string[]): string => join(root, 'test', 'fixtures', ...segments)
