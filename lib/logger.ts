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

/**
 * pino `redact` paths of the standalone server: credentials (the Authorization header, cookies) and fields
 * named `password`, wherever a request, a reply or a body is logged. A host app sets its own logger's.
 */
export const REDACTED_LOG_PATHS: readonly string[] = [
  'req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie',
  'res.headers["set-cookie"]', 'password', '*.password', '*.data.password', 'body.data.password', 'req.body.data.password',
  '*.currentPassword', '*.passwordConfirmation', '*.jwt', 'jwt', 'req.body.code', 'body.code'
]

/** Query parameters that carry a secret in a URL: the email-confirmation code, reset codes, tokens. */
const SECRET_QUERY = /([?&](?:confirmation|code|token|access_token)=)[^&#]*/gi

/** A URL as log lines may show it: the values of secret query parameters replaced (`?confirmation=[Redacted]`). */
export function loggableUrl (url: string): string {
  return url.includes('?') ? url.replace(SECRET_QUERY, '$1[Redacted]') : url
}

/** For pure-layer callers that have no logger (tests of a single module). */
export const silentLogger: Logger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger
}

/** Drizzle's DrizzleQueryError: the statement and its bind parameters, in fields and in its message. */
interface QueryError extends Error {
  query: string
  params?: unknown[]
}

function isQueryError (value: Error): value is QueryError {
  return typeof (value as Partial<QueryError>).query === 'string' && Array.isArray((value as Partial<QueryError>).params)
}

/** A copy with the same prototype and own fields (so loggers name its class), some of them replaced. */
function copyOf (error: Error, message: string, stack: string | undefined, cause: unknown): Error {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(error) as object) as Error, error)
  Object.defineProperties(copy, {
    message: { value: message, writable: true, configurable: true },
    stack: { value: stack, writable: true, configurable: true },
    cause: { value: cause, writable: true, configurable: true }
  })
  return copy
}

/**
 * An error fit for a log line: a failed statement's bind parameters (the values written: personal data,
 * passwords), which Drizzle puts in `params`, its message and its stack, are left out of it and of its causes.
 * The error itself is untouched. With `logSqlParams` on, the statement's own trace line has them.
 */
export function loggableError (error: unknown, depth = 0): unknown {
  if (!(error instanceof Error) || depth > 5) return error
  const cause = loggableError(error.cause, depth + 1)
  if (isQueryError(error)) {
    const cut = error.message.indexOf('\nparams: ')
    const message = cut === -1 ? error.message : error.message.slice(0, cut)
    const copy = copyOf(error, message, error.stack?.replace(error.message, () => message), cause) as QueryError
    delete copy.params
    return copy
  }
  return cause === error.cause ? error : copyOf(error, error.message, error.stack, cause)
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
