import type { MiddlewareReference } from '../http/index.js'

const OBJECT_KEYS = new Set(['name', 'resolve', 'config'])

/**
 * Why an entry of a middleware list is malformed, or undefined when it is fine. Strapi's own check: a name, an
 * object with `name` or `resolve` (and an optional `config`, nothing else), or a `(ctx, next)` function.
 */
export function middlewareReferenceProblem (entry: unknown): string | undefined {
  if (typeof entry === 'function') return undefined
  if (typeof entry === 'string') return entry === '' ? 'an empty name' : undefined
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    return 'not a name, { name, config }, { resolve, config } or a function'
  }
  const record = entry as Record<string, unknown>
  const unknown = Object.keys(record).filter(key => !OBJECT_KEYS.has(key))
  if (unknown.length > 0) return `unknown key ${unknown.map(key => `"${key}"`).join(', ')} (expected name, resolve, config)`
  const { name, resolve, config } = record
  if (name !== undefined && (typeof name !== 'string' || name === '')) return '"name" must be a non-empty string'
  if (resolve !== undefined && (typeof resolve !== 'string' || resolve === '')) return '"resolve" must be a non-empty string'
  if (name === undefined && resolve === undefined) return 'an object needs "name" or "resolve"'
  if (config !== undefined && (typeof config !== 'object' || config === null || Array.isArray(config))) return '"config" must be an object'
  return undefined
}

/** What a reference is called in messages. */
export function referenceName (entry: MiddlewareReference): string {
  if (typeof entry === 'string') return entry
  if (typeof entry === 'function') return entry.name === '' ? '<inline function>' : `<inline ${entry.name}>`
  return 'name' in entry ? entry.name : entry.resolve
}
