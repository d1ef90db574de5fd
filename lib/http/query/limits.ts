import type { QueryParam } from './errors.js'
import { isPlainObject, limitError } from '../../query/index.js'

/**
 * Structural limits, checked on the raw query before any model work: array lengths (`rest.maxArrayLength`)
 * and overall nesting. A query built in code (not parsed by `parseQueryString`) gets the same limits; the
 * per-parameter ones (lists, filter and populate depth) are lib/query/limits.ts's.
 */

const PARAMS = new Set<string>(['filters', 'sort', 'fields', 'populate', 'pagination', 'status', 'locale', '_q'])

function paramOf (path: readonly string[]): QueryParam | undefined {
  const head = path[0]
  return head !== undefined && PARAMS.has(head) ? head as QueryParam : undefined
}

/**
 * Every array in the parameters `read` holds at most `maxArrayLength` items, and nothing nests deeper than
 * `maxNesting`; the other keys are ignored (the query string's own limits bound them).
 */
export function checkShape (query: Record<string, unknown>, read: ReadonlySet<string>, maxArrayLength: number, maxNesting: number): void {
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
  for (const [key, value] of Object.entries(query)) if (read.has(key)) walk(value, [key])
}
