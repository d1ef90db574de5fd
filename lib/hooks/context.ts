import type { FastifyReply, FastifyRequest } from 'fastify'
import {
  ApplicationError, errorEnvelope, ForbiddenError, NotFoundError, NotImplementedError, PayloadTooLargeError, UnauthorizedError,
  ValidationError, VellumError
} from '../errors.js'

/**
 * The Strapi-shaped `ctx` controllers, policies and middlewares receive. It wraps Fastify's request and reply
 * (`ctx.request` is the Fastify request, so `ctx.request.body` works as in Strapi; `ctx.reply` is the reply).
 */
export interface RequestContext {
  readonly request: FastifyRequest
  readonly reply: FastifyReply
  /** Route params (`ctx.params.id` is a documentId on generated routes). */
  readonly params: Record<string, string>
  /** The parsed query string; replaceable, as sanitizers do in Strapi. */
  query: Record<string, unknown>
  /** Per-request state shared along the pipeline (`ctx.state.route`, `ctx.state.auth`, ...). */
  readonly state: Record<string, unknown>
  readonly method: string
  readonly url: string
  readonly path: string
  readonly headers: FastifyRequest['headers']
  /** The response body; a value returned by a controller lands here. */
  body: unknown
  /** The response status: the one set, else 200 with a body, 204 with a null body, 404 without one. */
  status: number
  /** Sets a response header. */
  set: (name: string | Record<string, string>, value?: string) => void
  /** Reads a request header. */
  get: (name: string) => string
  /** Answers with an error envelope (`ctx.badRequest('msg', details)`, ...). */
  badRequest: (message?: string, details?: Record<string, unknown>) => void
  unauthorized: (message?: string, details?: Record<string, unknown>) => void
  forbidden: (message?: string, details?: Record<string, unknown>) => void
  notFound: (message?: string, details?: Record<string, unknown>) => void
  methodNotAllowed: (message?: string, details?: Record<string, unknown>) => void
  payloadTooLarge: (message?: string, details?: Record<string, unknown>) => void
  tooManyRequests: (message?: string, details?: Record<string, unknown>) => void
  internalServerError: (message?: string, details?: Record<string, unknown>) => void
  notImplemented: (message?: string, details?: Record<string, unknown>) => void
  /** `ctx.send(body, status = 200)`, `ctx.created(body)` (201), `ctx.deleted(body)` (200, or 204 without body). */
  send: (body: unknown, status?: number) => void
  created: (body: unknown) => void
  deleted: (body?: unknown) => void
  /** Throws a typed error: `ctx.throw(400, 'message')`. */
  throw: (status: number, message?: string, details?: Record<string, unknown>) => never
}

const ERROR_NAMES: Record<number, string> = {
  400: 'ValidationError',
  401: 'UnauthorizedError',
  403: 'ForbiddenError',
  404: 'NotFoundError',
  405: 'MethodNotAllowedError',
  413: 'PayloadTooLargeError',
  429: 'RateLimitError',
  500: 'InternalServerError',
  501: 'NotImplementedError'
}

const DEFAULT_MESSAGES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented'
}

/** An error for a status, with Strapi's class where one exists. */
export function errorForStatus (status: number, message?: string, details?: Record<string, unknown>): VellumError {
  const text = message ?? DEFAULT_MESSAGES[status] ?? 'Error'
  switch (status) {
    case 400: return new ValidationError(text, details)
    case 401: return new UnauthorizedError(text, details)
    case 403: return new ForbiddenError(text, details)
    case 404: return new NotFoundError(text, details)
    case 413: return new PayloadTooLargeError(text, details)
    case 501: return new NotImplementedError(text, details)
  }
  const error = new ApplicationError(text, details, status)
  error.name = ERROR_NAMES[status] ?? 'ApplicationError'
  return error
}

/** One class, so a request's context is one allocation and its helpers live on the prototype. */
/**
 * A response body already serialized as JSON (the REST pass-through, built by PostgreSQL). It is sent as it is,
 * and parsed the first time code reads `ctx.body`, so middlewares still see objects.
 */
export class JsonText {
  /** A large body comes as its UTF-8 bytes (lib/http/json-body.ts). */
  constructor (readonly text: string | Buffer) {}
}

class Context implements RequestContext {
  readonly request: FastifyRequest
  readonly reply: FastifyReply
  readonly params: Record<string, string>
  query: Record<string, unknown>
  readonly state: Record<string, unknown> = {}
  readonly method: string
  readonly url: string
  readonly headers: FastifyRequest['headers']
  #body: unknown
  #status: number | undefined

  constructor (request: FastifyRequest, reply: FastifyReply) {
    this.request = request
    this.reply = reply
    this.params = (request.params ?? {}) as Record<string, string>
    this.query = (request.query ?? {}) as Record<string, unknown>
    this.method = request.method
    this.url = request.url
    this.headers = request.headers
  }

  get path (): string {
    const at = this.url.indexOf('?')
    return at === -1 ? this.url : this.url.slice(0, at)
  }

  get body (): unknown {
    if (this.#body instanceof JsonText) this.#body = JSON.parse(this.#body.text.toString())
    return this.#body
  }

  /** The body as set, a JsonText left unparsed. */
  static rawBody (ctx: Context): unknown { return ctx.#body }
  set body (value: unknown) { this.#body = value }

  get status (): number {
    if (this.#status !== undefined) return this.#status
    if (this.#body === undefined) return 404
    return this.#body === null ? 204 : 200
  }

  set status (value: number) { this.#status = value }

  get explicitStatus (): boolean { return this.#status !== undefined }

  set (name: string | Record<string, string>, value?: string): void {
    if (typeof name === 'string') this.reply.header(name, value)
    else this.reply.headers(name)
  }

  get (name: string): string {
    const value = this.request.headers[name.toLowerCase()]
    return Array.isArray(value) ? value.join(', ') : value ?? ''
  }

  #fail (code: number, message?: string, details?: Record<string, unknown>): void {
    const error = errorForStatus(code, message, details)
    this.#status = code
    this.#body = errorEnvelope(code, error.name, error.message, details ?? {})
  }

  badRequest (message?: string, details?: Record<string, unknown>): void { this.#fail(400, message, details) }
  unauthorized (message?: string, details?: Record<string, unknown>): void { this.#fail(401, message, details) }
  forbidden (message?: string, details?: Record<string, unknown>): void { this.#fail(403, message, details) }
  notFound (message?: string, details?: Record<string, unknown>): void { this.#fail(404, message, details) }
  methodNotAllowed (message?: string, details?: Record<string, unknown>): void { this.#fail(405, message, details) }
  payloadTooLarge (message?: string, details?: Record<string, unknown>): void { this.#fail(413, message, details) }
  tooManyRequests (message?: string, details?: Record<string, unknown>): void { this.#fail(429, message, details) }
  internalServerError (message?: string, details?: Record<string, unknown>): void { this.#fail(500, message, details) }
  notImplemented (message?: string, details?: Record<string, unknown>): void { this.#fail(501, message, details) }

  send (value: unknown, code = 200): void {
    this.#body = value
    this.#status = code
  }

  created (value: unknown): void { this.send(value, 201) }

  deleted (value?: unknown): void { this.send(value, value === undefined || value === null ? 204 : 200) }

  throw (code: number, message?: string, details?: Record<string, unknown>): never {
    throw errorForStatus(code, message, details)
  }
}

/** `ctx.body` without parsing a JsonText (what the pipeline sends, and checks for presence). */
export function responseBody (ctx: RequestContext): unknown {
  return ctx instanceof Context ? Context.rawBody(ctx) : ctx.body
}

export function createContext (request: FastifyRequest, reply: FastifyReply): RequestContext {
  return new Context(request, reply)
}

/** True when the status came from code rather than from Koa's body-implied default. */
export function hasExplicitStatus (ctx: RequestContext): boolean {
  return ctx instanceof Context && ctx.explicitStatus
}
