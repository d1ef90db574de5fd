import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { findPackage } from '../package-json.js'

let root: string | undefined

/**
 * vellum's own package folder (package.json, bin/), found above this module rather than assumed two levels up:
 * lib/cli/ and dist/cli/ are, the suite's compiled copy is not.
 */
export function packageRoot (): string {
  root ??= findPackage(dirname(fileURLToPath(import.meta.url)), 'vellum').dir
  return root
}
