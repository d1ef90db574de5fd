import build from 'fast-json-stringify'
import type { JsonSchema } from './schemas.js'

export type Serializer = (data: unknown) => string

/**
 * A serializer for one response schema that can never lose data: fast-json-stringify where the data fits
 * the schema, JSON.stringify where it does not (the schemas' strict type lists make fast-json-stringify
 * throw rather than coerce, e.g. when a custom controller reshapes an entry). Fastify's own compiler has no
 * such fallback and answers 500 there.
 */
export function compileSerializer (schema: JsonSchema, shared: readonly JsonSchema[] = []): Serializer {
  const external: Record<string, build.Schema> = {}
  for (const item of shared) if (item.$id !== undefined) external[item.$id] = item as build.Schema
  const fast: Serializer = build(schema as build.Schema, { schema: external })
  return function serialize (data) {
    try {
      return fast(data)
    } catch {
      return JSON.stringify(data)
    }
  }
}

/**
 * For `app.setSerializerCompiler(...)` in vellum's scope: every response schema compiled with
 * `compileSerializer` against the shared schemas.
 */
export function createSerializerCompiler (shared: readonly JsonSchema[]): (route: { schema: unknown }) => Serializer {
  return ({ schema }) => compileSerializer(schema as JsonSchema, shared)
}
