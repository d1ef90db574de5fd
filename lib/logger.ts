/** The minimal logger pure layers take: Fastify's pino logger satisfies it. */
export interface LogFn {
  (obj: object, msg?: string): void
  (msg: string): void
}

export interface Logger {
  trace: LogFn
  debug: LogFn
  info: LogFn
  warn: LogFn
  error: LogFn
  child: (bindings: Record<string, unknown>) => Logger
}

const noop: LogFn = () => {}

/** For pure-layer callers that have no logger (tests of a single module). */
export const silentLogger: Logger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger
}

const MAX_LOG_DEPTH = 8
const MAX_LOG_ITEMS = 100

/**
 * A log object with its long values cut (strings to `max` characters, arrays to 100 items, nesting to 8
 * levels), so no value makes a line megabytes long: a failed statement's text and parameters, a 400's
 * details. Errors stay errors (their class, message, stack and own fields cut alike); objects that are not
 * plain data (a request) are left to their serializers.
 */
export function capLogObject (object: Record<string, unknown>, max: number): Record<string, unknown> {
  const cut = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return value.length > max ? `${value.slice(0, max)}… (${value.length} characters)` : value
    if (typeof value !== 'object' || value === null) return value
    if (depth >= MAX_LOG_DEPTH) return '[nested too deeply]'
    if (Array.isArray(value)) {
      const items = value.slice(0, MAX_LOG_ITEMS).map(item => cut(item, depth + 1))
      if (value.length > MAX_LOG_ITEMS) items.push(`… ${value.length - MAX_LOG_ITEMS} more items`)
      return items
    }
    if (value instanceof Error) {
      const copy = Object.create(Object.getPrototypeOf(value) as object) as Error
      for (const [key, item] of Object.entries(value)) (copy as unknown as Record<string, unknown>)[key] = cut(item, depth + 1)
      Object.defineProperty(copy, 'message', { value: cut(value.message, depth + 1), enumerable: false })
      Object.defineProperty(copy, 'stack', { value: cut(value.stack, depth + 1), enumerable: false })
      if (value.cause !== undefined) Object.defineProperty(copy, 'cause', { value: cut(value.cause, depth + 1), enumerable: false })
      return copy
    }
    const prototype = Object.getPrototypeOf(value) as unknown
    if (prototype !== Object.prototype && prototype !== null) return value
    const copy: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) copy[key] = cut(item, depth + 1)
    return copy
  }
  return cut(object, 0) as Record<string, unknown>
}
