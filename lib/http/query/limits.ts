import { limitError, type QueryParam } from './errors.js'
import { isPlainObject, splitList } from '../../query/index.js'

/**
 * Structural limits, checked on the raw query before any model work: array lengths (`rest.maxArrayLength`),
 * overall nesting, and filter depth (`rest.maxFilterDepth`). A query built in code (not parsed by
 * `parseQueryString`) gets the same limits.
 */

const PARAMS = new Set<string>(['filters', 'sort', 'fields', 'populate', 'pagination', 'status', 'locale', '_q'])

function paramOf (path: readonly string[]): QueryParam | undefined {
  const head = path[0]
  return head !== undefined && PARAMS.has(head) ? head as QueryParam : undefined
}

/** Every array in the query holds at most `maxArrayLength` items, and nothing nests deeper than `maxNesting`. */
export function checkShape (query: Record<string, unknown>, maxArrayLength: number, maxNesting: number): void {
  const walk = (value: unknown, path: string[]): void => {
    if (path.length > maxNesting) {
      throw limitError(`The query is nested too deeply: at most ${maxNesting} levels allowed (from rest.maxPopulateDepth and rest.maxFilterDepth)`,
        'rest.maxPopulateDepth, rest.maxFilterDepth', maxNesting, { param: paramOf(path), key: path[path.length - 1], path })
    }
    if (Array.isArray(value)) {
      if (value.length > maxArrayLength) {
        throw limitError(`Too many items in ${path.join('.')}: at most ${maxArrayLength} allowed (rest.maxArrayLength)`,
          'rest.maxArrayLength', maxArrayLength, { param: paramOf(path), key: path[path.length - 1], path })
      }
      value.forEach((item, index) => { walk(item, [...path, String(index)]) })
    } else if (isPlainObject(value)) {
      for (const [key, item] of Object.entries(value)) walk(item, [...path, key])
    }
  }
  for (const [key, value] of Object.entries(query)) walk(value, [key])
}

/** A comma-separated list (`sort=a,b`, `fields=a,b`, `populate=a,b`) counts as an array. */
export function checkList (text: string, maxArrayLength: number, param: QueryParam, path: readonly string[]): string[] {
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
export function checkFilterDepth (filters: unknown, maxFilterDepth: number, param: QueryParam, prefix: readonly string[] = []): void {
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
