/**
 * Paths of the repository, the same whether a test runs compiled (`.build/test/…`, what `npm test` runs) or from
 * its TypeScript source through tsx (`test/…`): found from vellum's package.json, not from where the
 * test file happens to be.
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { findPackage } from '../../lib/package-json.js'

/** The repository's root: package.json, README.md, bin/, examples/. */
export const root = findPackage(dirname(fileURLToPath(import.meta.url)), 'vellum').dir

/** A path under the repository's root. */
export const fromRoot = (...segments: string[]): string => join(root, ...segments)

/** A path under test/fixtures/ (fixtures stay in the source tree: they are not compiled). */
export const fixture = (...segments: string[]): string => join(root, 'test', 'fixtures', ...segments)
