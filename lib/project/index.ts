/**
 * Everything read from a project folder (style guide §2.6): schemas with their lifecycles files, API code
 * (routes, controllers, services, policies, middlewares, `src/index`), `config/middlewares` with `env`, and
 * vellum.config.*. The only place with dynamic imports of project files. It returns data; the plugin composes it.
 */
import { buildSchema, type ComponentDefinition, type ContentTypeDefinition, type Schema } from '../content-types/index.js'
import { silentLogger, type Logger } from '../logger.js'
import { projectRoot, readProjectSchemas } from './schemas.js'

import { resolveStrapiModules } from '../compat/modules.js'
export { loadProjectCode } from './code.js'
export { loadProjectOptions } from './config.js'
export { createEnv, type Env } from './env.js'
export { isRecord } from './import.js'
export { loadMiddlewareModule } from './middleware.js'
export { middlewareReferenceProblem, referenceName } from './reference.js'

export interface LoadSchemaInput {
  /** A Strapi project root: `src/api/*\/content-types/*\/schema.json` and `src/components/<category>/<name>.json`. */
  dir?: string | URL
  /** Inline content types, added after the project's. */
  contentTypes?: readonly ContentTypeDefinition[]
  /** Inline components, added after the project's. */
  components?: readonly ComponentDefinition[]
  /** Accept `regex` patterns that safe-regex2 flags as catastrophic. */
  allowUnsafeRegex?: boolean
  log?: Logger
}

/**
 * Reads a project's schemas and lifecycles files, then validates and normalizes them with the inline
 * definitions. Schema problems reject first (one InvalidContentTypeError listing them all), then a lifecycles
 * file that failed to import.
 */
export async function loadSchema ({ dir, contentTypes, components, allowUnsafeRegex, log = silentLogger }: LoadSchemaInput): Promise<Schema> {
  // Lifecycles files, like the rest of a Strapi project's code, may import @strapi/strapi or @strapi/utils.
  if (dir !== undefined) resolveStrapiModules(projectRoot(dir))
  const read = dir === undefined ? undefined : await readProjectSchemas(projectRoot(dir), log)
  const schema = buildSchema({
    ...(read !== undefined && { project: read.schemas }),
    ...(contentTypes !== undefined && { contentTypes }),
    ...(components !== undefined && { components }),
    ...(allowUnsafeRegex !== undefined && { allowUnsafeRegex })
  })
  if (read?.lifecyclesError !== undefined) throw read.lifecyclesError.error
  return schema
}
