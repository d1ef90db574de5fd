import { ValidationError } from '../errors.js'
import { isPlainObject, splitList } from './forms.js'

/**
 * The configured size limits of an untrusted read (REST's `rest.*` options), as data the parsers apply while
 * they walk: list lengths, populate depth and filter depth. Errors name the limit exceeded.
 */
export interface ReadLimits {
  /** Longest array (or comma-separated list) any parameter may hold. */
  maxArrayLength: number
  /** Deepest populate nesting (relations, components, dynamic zones). */
  maxPopulateDepth: number
  /** Deepest filter nesting: each attribute key and each `$and`/`$or`/`$not` is one level. */
  maxFilterDepth: number
}

/** A ValidationError naming the configured limit that was exceeded. */
export function limitError (message: string, limit: string, max: number, where: { param?: string, key?: string, path?: readonly string[] } = {}): ValidationError {
  return new ValidationError(message, {
    ...(where.key !== undefined && { key: where.key }),
    ...(where.path !== undefined && { path: where.path.join('.') }),
    source: 'query',
    ...(where.param !== undefined && { param: where.param }),
    limit,
    max
  })
}

/** A comma-separated list (`sort=a,b`, `fields=a,b`, `populate=a,b`) counts as an array. */
export function checkList (text: string, maxArrayLength: number, param: string, path: readonly string[]): string[] {
  const items = splitList(text)
  if (items.length > maxArrayLength) {
    throw limitError(`Too many items in ${[param, ...path].join('.')}: at most ${maxArrayLength} allowed (rest.maxArrayLength)`,
      'rest.maxArrayLength', maxArrayLength, { param, path })
  }
  return items
}

const LOGICAL = new Set(['$and', '$or', '$not'])

/**
 * Each attribute key (a relation or component hop, or the field compared) and each `$and`/`$or`/`$not` is
 * one level; comparison operators and array indexes are not. `filters[category][name][$eq]=x` is 2 levels.
 */
export function checkFilterDepth (filters: unknown, maxFilterDepth: number, param: string, prefix: readonly string[] = []): void {
  const walk = (value: unknown, level: number, path: string[]): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item, level, path)
      return
    }
    if (!isPlainObject(value)) return
    for (const [key, item] of Object.entries(value)) {
      const counts = !key.startsWith('$') || LOGICAL.has(key)
      const next = counts ? level + 1 : level
      if (next > maxFilterDepth) {
        throw limitError(`Filters are nested too deeply: at most ${maxFilterDepth} levels allowed (rest.maxFilterDepth)`,
          'rest.maxFilterDepth', maxFilterDepth, { param, key, path: [...prefix, ...path, key] })
      }
      walk(item, next, counts && !key.startsWith('$') ? [...path, key] : path)
    }
  }
  walk(filters, 0, [])
}

/** `populate` nested deeper than the limit (`level` is 1 at the root; `names` are the level's entries). */
export function checkPopulateDepth (level: number, maxPopulateDepth: number, names: readonly string[], path: readonly string[]): void {
  if (level <= maxPopulateDepth) return
  throw limitError(`Populate is nested too deeply: at most ${maxPopulateDepth} levels allowed (rest.maxPopulateDepth)`,
    'rest.maxPopulateDepth', maxPopulateDepth, { param: 'populate', key: names[0], path: [...path, names[0] ?? ''] })
}
