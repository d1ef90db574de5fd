import { ValidationError } from '../../errors.js'
import { invalidKey } from '../../query/index.js'

/** The top-level query parameter a problem was found in (`details.param`). */
export type QueryParam = 'filters' | 'sort' | 'fields' | 'populate' | 'pagination' | 'status' | 'locale' | '_q'

/** Query Engine parameter names and the REST names clients wrote. */
const REST_NAMES: Record<string, string> = { where: 'filters', select: 'fields', orderBy: 'sort' }

/**
 * Strapi's `Invalid key <key>` / `Invalid key <key> at <path>` with the REST details
 * `{ key, path, source: 'query', param }`; `path` is the dotted path of attributes down to the key.
 */
export function queryInvalidKey (param: QueryParam | undefined, key: string, path: readonly string[]): ValidationError {
  const { message } = invalidKey(param ?? '', key, [...path], true)
  return new ValidationError(message, {
    key,
    path: [...path, key].join('.'),
    source: 'query',
    ...(param !== undefined && { param })
  })
}

/**
 * A ValidationError thrown by the Query Engine's parsers, reworded for REST: the parameter the client wrote
 * (`filters`, not `where`) and `source: 'query'`.
 */
export function fromEngine (err: unknown, param: QueryParam): unknown {
  if (!(err instanceof ValidationError)) return err
  const { key: engineKey, path: enginePath, param: engineParam, ...rest } = err.details
  let message = err.message
  let key = engineKey
  const segments = typeof enginePath === 'string' && enginePath !== '' ? enginePath.split('.') : []
  if (typeof engineParam === 'string') {
    const restName = REST_NAMES[engineParam]
    if (restName !== undefined) {
      message = message.replace(`The ${engineParam} parameter`, `The ${restName} parameter`)
      // A bad value for the parameter itself is reported under the engine's name: use the client's.
      if (key === engineParam && segments[segments.length - 1] === engineParam) {
        const before = segments.join('.')
        key = restName
        segments[segments.length - 1] = restName
        message = message.replace(`for ${before}:`, `for ${segments.join('.')}:`)
      }
    }
  }
  const copy = new ValidationError(message, {
    ...(key !== undefined && { key }),
    ...(segments.length > 0 ? { path: segments.join('.') } : enginePath !== undefined && { path: enginePath }),
    source: 'query',
    param,
    ...rest
  })
  copy.stack = err.stack
  return copy
}

/** Runs a Query Engine parser and rewords its ValidationError for REST. */
export function asRest<T> (param: QueryParam, parse: () => T): T {
  try {
    return parse()
  } catch (err) {
    throw fromEngine(err, param)
  }
}
