import { LruMap } from 'toad-cache'
import { isPlainObject } from './forms.js'

/**
 * Content keys for the per-shape caches of parsed and converted params (the Query Engine's select plans,
 * the Document Service's populate, the REST layer's validated queries): most requests repeat a handful of
 * query shapes, and a key costs a fraction of the parse it saves.
 */

/** One LRU per owner (a catalog, a model, a caller's permissions), made on first use and dropped with it. */
export function lruPerOwner<O extends object, V> (size: number): (owner: O) => LruMap<V> {
  const caches = new WeakMap<O, LruMap<V>>()
  return (owner) => {
    let cache = caches.get(owner)
    if (cache === undefined) {
      cache = new LruMap<V>(size)
      caches.set(owner, cache)
    }
    return cache
  }
}

/** Past this depth a value is not cached (the REST limits refuse such queries long before). */
const MAX_KEY_DEPTH = 32

function isJsonLike (value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true
    case 'number':
      return Number.isFinite(value)
    case 'object': {
      if (value === null) return true
      if (depth >= MAX_KEY_DEPTH) return false
      if (Array.isArray(value)) {
        for (const item of value) if (!isJsonLike(item, depth + 1)) return false
        return true
      }
      if (!isPlainObject(value)) return false
      for (const key in value) if (!isJsonLike(value[key], depth + 1)) return false
      return true
    }
    default:
      return false
  }
}

/**
 * A string naming a value by its content, or undefined when two values of that key could parse differently:
 * anything but plain objects, arrays, strings, finite numbers, booleans and null (a Date, a class instance,
 * `undefined`, which JSON would drop or rewrite). Key order counts, as it does for the parsers.
 */
export function contentKey (value: unknown): string | undefined {
  if (value === undefined) return '~'
  return isJsonLike(value, 0) ? JSON.stringify(value) : undefined
}

/**
 * A deep copy of a value `contentKey` accepts (objects keep a null prototype): a cached result handed out is
 * never shared with a caller.
 */
export function copyContent<T> (value: T): T {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) return value.map(copyContent) as T
  const copy: Record<string, unknown> = Object.getPrototypeOf(value) === null ? Object.create(null) as Record<string, unknown> : {}
  for (const key in value) copy[key] = copyContent((value as Record<string, unknown>)[key])
  return copy as T
}
