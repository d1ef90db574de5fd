/**
 * tsx in this test process, as a host application registers it to boot a TypeScript project: vellum's library
 * loads project files with import() and leaves TypeScript to the host's loader (its CLI registers tsx itself).
 * The suite runs compiled, so only the files that boot TypeScript fixtures pay for a loader. Both loaders, as the
 * CLI does: a Strapi project's package is CommonJS, so its .ts files load through require.
 */
import { register as registerCommonJs } from 'tsx/cjs/api'
import { register } from 'tsx/esm/api'

register()
registerCommonJs()
