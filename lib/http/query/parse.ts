import qs from 'qs'
import { LruMap } from 'toad-cache'
import { ValidationError } from '../../errors.js'
import { copyContent } from '../../query/index.js'
import type { QueryStringLimits } from './types.js'

const DEFAULT_MAX_PARAMETERS = 1000

/**
 * Bracket depth qs may parse: room for the deepest populate (`[name][populate]` per level) holding the deepest
 * filters (`[$or][0]` per level) plus a few option keys. The model-aware checks of `validateQuery` then name
 * the precise limit; this bound only stops absurd inputs before they are built.
 */
export function queryStringDepth (limits: Pick<QueryStringLimits, 'maxFilterDepth' | 'maxPopulateDepth'>): number {
  return 2 * limits.maxPopulateDepth + 2 * limits.maxFilterDepth + 4
}

/**
 * Parses a raw query string (with or without its leading `?`) the way Strapi does (`qs`,
 * `strictNullHandling`: a key without `=` is null), except that going beyond a limit is a 400 naming it
 * instead of qs's silent fallbacks (indexes over the array limit turned into object keys, deeper brackets
 * kept as one literal key, parameters past the 1000th dropped). Objects have no prototype, so keys like
 * `constructor` reach validation (and are rejected there) instead of being dropped or inherited.
 */
export function parseQueryString (raw: string, limits: QueryStringLimits): Record<string, unknown> {
  const text = raw.startsWith('?') ? raw.slice(1) : raw
  if (text === '') return Object.create(null) as Record<string, unknown>
  const depth = queryStringDepth(limits)
  const parameterLimit = limits.maxParameters ?? DEFAULT_MAX_PARAMETERS
  try {
    return qs.parse(text, {
      strictNullHandling: true,
      depth,
      strictDepth: true,
      arrayLimit: limits.maxArrayLength,
      parameterLimit,
      throwOnLimitExceeded: true,
      plainObjects: true,
      allowDots: false,
      comma: false
    }) as Record<string, unknown>
  } catch (err) {
    if (!(err instanceof RangeError)) throw err
    if (err.message.startsWith('Array limit')) {
      throw new ValidationError(`Too many items in a query parameter array: at most ${limits.maxArrayLength} allowed (rest.maxArrayLength)`, {
        source: 'query', limit: 'rest.maxArrayLength', max: limits.maxArrayLength
      })
    }
    if (err.message.startsWith('Parameter limit')) {
      throw new ValidationError(`Too many query parameters: at most ${parameterLimit} allowed`, {
        source: 'query', limit: 'maxParameters', max: parameterLimit
      })
    }
    throw new ValidationError(`The query string is nested too deeply: at most ${depth} levels of brackets allowed (from rest.maxPopulateDepth and rest.maxFilterDepth)`, {
      source: 'query', limit: 'rest.maxPopulateDepth, rest.maxFilterDepth', max: depth
    })
  }
}

/** Distinct query strings kept per app, least recently used dropped first; longer ones are not kept. */
const PARSED_CACHE_SIZE = 500
const PARSED_CACHE_MAX_LENGTH = 2048

type Parsed = Record<string, unknown>

/**
 * `parseQueryString` for one app's limits, remembering the last query strings: clients repeat a few (every
 * `?populate=*`), and copying a parsed query costs a fraction of parsing it again. Each call gets its own
 * copy, since middlewares and controllers may change `ctx.query`.
 */
export function createQueryStringParser (limits: QueryStringLimits): (raw: string) => Parsed {
  const parsed = new LruMap<Parsed>(PARSED_CACHE_SIZE)
  return (raw) => {
    if (raw.length > PARSED_CACHE_MAX_LENGTH) return parseQueryString(raw, limits)
    let query = parsed.get(raw)
    if (query === undefined) {
      query = parseQueryString(raw, limits)
      parsed.set(raw, query)
    }
    return copyContent(query)
  }
}
