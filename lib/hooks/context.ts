import type { FastifyReply, FastifyRequest } from 'fastify'
import {
  ApplicationError, ForbiddenError, NotFoundError, NotImplementedError, PayloadTooLargeError, UnauthorizedError,
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

/** Whether a status was set explicitly (Koa's rule: assigning a body then implies 200). */
const kExplicitStatus = Symbol('vellum.explicitStatus')

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

export function createContext (request: FastifyRequest, reply: FastifyReply): RequestContext {
  let body: unknown
  let status: number | undefined
  const errorHelper = (code: number) => (message?: string, details?: Record<string, unknown>): void => {
    const error = errorForStatus(code, message, details)
    status = code
    body = { data: null, error: { status: code, name: error.name, message: error.message, details: details ?? {} } }
  }
  const url = request.url
  const queryAt = url.indexOf('?')
  const ctx: RequestContext & { [kExplicitStatus]: boolean } = {
    request,
    reply,
    params: (request.params ?? {}) as Record<string, string>,
    query: (request.query ?? {}) as Record<string, unknown>,
    state: {},
    method: request.method,
    url,
    path: queryAt === -1 ? url : url.slice(0, queryAt),
    headers: request.headers,
    get body () { return body },
    set body (value: unknown) { body = value },
    get status () {
      if (status !== undefined) return status
      if (body === undefined) return 404
      return body === null ? 204 : 200
    },
    set status (value: number) { status = value },
    get [kExplicitStatus] () { return status !== undefined },
    set (name, value) {
      if (typeof name === 'string') reply.header(name, value)
      else reply.headers(name)
    },
    get (name) {
      const value = request.headers[name.toLowerCase()]
      return Array.isArray(value) ? value.join(', ') : value ?? ''
    },
    badRequest: errorHelper(400),
    unauthorized: errorHelper(401),
    forbidden: errorHelper(403),
    notFound: errorHelper(404),
    methodNotAllowed: errorHelper(405),
    payloadTooLarge: errorHelper(413),
    tooManyRequests: errorHelper(429),
    internalServerError: errorHelper(500),
    notImplemented: errorHelper(501),
    send (value, code = 200) { body = value; status = code },
    created (value) { body = value; status = 201 },
    deleted (value) {
      body = value
      status = value === undefined || value === null ? 204 : 200
    },
    throw (code, message, details) { throw errorForStatus(code, message, details) }
  }
  return ctx
}

/** True when the status came from code rather than from Koa's body-implied default. */
export function hasExplicitStatus (ctx: RequestContext): boolean {
  return (ctx as RequestContext & { [kExplicitStatus]?: boolean })[kExplicitStatus] === true
}
