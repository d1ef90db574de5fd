/**
 * Typed errors with Strapi's wire names, and the one builder of the error envelope
 * `{ data: null, error: { status, name, message, details } }` that every answer in error uses.
 */

export interface ValidationErrorItem {
  path: string[]
  message: string
  name: 'ValidationError'
  value: unknown
}

/** What an error class declares, once: its Strapi name, its own code, its status and its default message. */
export interface ErrorSpec {
  name: string
  code: string
  statusCode: number
  message?: string
}

/**
 * The base of every vellum error. Each class has its own stable `code` (`VELLUM_ERR_*`, as @fastify/error's
 * `FST_ERR_*`).
 */
export class VellumError extends Error {
  readonly code: string
  readonly statusCode: number
  readonly details: Record<string, unknown>

  constructor (message: string, { code, statusCode, details, cause }: { code: string, statusCode: number, details?: Record<string, unknown>, cause?: unknown }) {
    super(message, cause === undefined ? undefined : { cause })
    this.name = 'VellumError'
    this.code = code
    this.statusCode = statusCode
    this.details = details ?? {}
  }
}

/**
 * 400 base class of client errors, as Strapi's ApplicationError. A subclass only declares its `spec`: the
 * constructor reads the one of the class being built (`new.target`), so `instanceof` follows the class chain.
 */
export class ApplicationError extends VellumError {
  static readonly spec: ErrorSpec = { name: 'ApplicationError', code: 'VELLUM_ERR_APPLICATION', statusCode: 400, message: 'An application error occured' }

  constructor (message?: string, details?: Record<string, unknown>, statusCode?: number) {
    const { spec } = new.target
    super(message ?? spec.message ?? '', { code: spec.code, statusCode: statusCode ?? spec.statusCode, details })
    this.name = spec.name
  }
}

/** Client errors whose status is their class's: `(message?, details?)`. */
export class ClientError extends ApplicationError {
  // eslint-disable-next-line @typescript-eslint/no-useless-constructor -- narrows the signature: the status is the class's
  constructor (message?: string, details?: Record<string, unknown>) {
    super(message, details)
  }
}

export class ValidationError extends ClientError {
  static override readonly spec: ErrorSpec = { name: 'ValidationError', code: 'VELLUM_ERR_VALIDATION', statusCode: 400 }

  // eslint-disable-next-line @typescript-eslint/no-useless-constructor -- the message is required: it says what is wrong
  constructor (message: string, details?: Record<string, unknown>) {
    super(message, details)
  }

  /** Several attribute errors at once: `details.errors`, message `N errors occurred` when more than one. */
  static fromItems (items: ValidationErrorItem[]): ValidationError {
    const message = items.length === 1 ? items[0]!.message : `${items.length} errors occurred`
    return new ValidationError(message, { errors: items })
  }
}

/** 400: a page, pageSize, start or limit out of range. */
export class PaginationError extends ClientError { static override readonly spec: ErrorSpec = { name: 'PaginationError', code: 'VELLUM_ERR_PAGINATION', statusCode: 400, message: 'Invalid pagination' } }

/** 404: no such document, route, controller or service. */
export class NotFoundError extends ClientError { static override readonly spec: ErrorSpec = { name: 'NotFoundError', code: 'VELLUM_ERR_NOT_FOUND', statusCode: 404, message: 'Entity not found' } }

/** 401: credentials missing or wrong. */
export class UnauthorizedError extends ClientError { static override readonly spec: ErrorSpec = { name: 'UnauthorizedError', code: 'VELLUM_ERR_UNAUTHORIZED', statusCode: 401, message: 'Unauthorized' } }

/** 403: the caller may not do this. */
export class ForbiddenError extends ClientError { static override readonly spec: ErrorSpec = { name: 'ForbiddenError', code: 'VELLUM_ERR_FORBIDDEN', statusCode: 403, message: 'Forbidden access' } }

/** 403: a policy refused the request. */
export class PolicyError extends ForbiddenError { static override readonly spec: ErrorSpec = { name: 'PolicyError', code: 'VELLUM_ERR_POLICY', statusCode: 403, message: 'Policy Failed' } }

/** 413: a body over the configured limit. */
export class PayloadTooLargeError extends ClientError { static override readonly spec: ErrorSpec = { name: 'PayloadTooLargeError', code: 'VELLUM_ERR_PAYLOAD_TOO_LARGE', statusCode: 413, message: 'Entity too large' } }

/** 408: a body that did not arrive in time (`bounds.bodyTimeout`). */
export class RequestTimeoutError extends ClientError { static override readonly spec: ErrorSpec = { name: 'RequestTimeoutError', code: 'VELLUM_ERR_REQUEST_TIMEOUT', statusCode: 408, message: 'Request timeout' } }

/** 429: too many requests from one address or against one account (the auth routes' rate limits). */
export class RateLimitError extends ClientError { static override readonly spec: ErrorSpec = { name: 'RateLimitError', code: 'VELLUM_ERR_RATE_LIMIT', statusCode: 429, message: 'Too many requests, please try again later.' } }

/** 501: asked for something vellum does not do yet. */
export class NotImplementedError extends ClientError { static override readonly spec: ErrorSpec = { name: 'NotImplementedError', code: 'VELLUM_ERR_NOT_IMPLEMENTED', statusCode: 501, message: 'This feature is not implemented yet' } }

/**
 * 503: the database gave up on a write that met others (a deadlock, a serialization failure) more often than
 * it is retried; the client may try again. Not a client error, but answered in the envelope, not as a 500.
 */
export class ServiceUnavailableError extends VellumError {
  static readonly spec: ErrorSpec = { name: 'ServiceUnavailableError', code: 'VELLUM_ERR_SERVICE_UNAVAILABLE', statusCode: 503, message: 'Service Unavailable' }

  constructor (message?: string, details?: Record<string, unknown>, cause?: unknown) {
    const { spec } = new.target
    super(message ?? spec.message ?? '', { code: spec.code, statusCode: spec.statusCode, details, cause })
    this.name = spec.name
  }
}

/**
 * 503: PostgreSQL cancelled a statement (SQLSTATE 57014): it ran longer than `bounds.statementTimeout`, or its
 * client went away and the request cancelled it (then nobody reads the answer).
 */
export class StatementCancelledError extends ServiceUnavailableError {
  static override readonly spec: ErrorSpec = { name: 'ServiceUnavailableError', code: 'VELLUM_ERR_STATEMENT_CANCELLED', statusCode: 503, message: 'The request took longer than the server allows' }
}

/** A problem found at boot, so `ready()` rejects: `(message, details?, cause?)`, status 500, declared like client errors. */
export class BootError extends VellumError {
  static readonly spec: ErrorSpec = { name: 'BootError', code: 'VELLUM_ERR_BOOT', statusCode: 500 }

  constructor (message: string, details?: Record<string, unknown>, cause?: unknown) {
    const { spec } = new.target
    super(message, { code: spec.code, statusCode: spec.statusCode, details, cause })
    this.name = spec.name
  }
}

/** Boot-time: a plugin option is wrong. `path` is the option's JSON pointer (`/rest/maxLimit`). */
export class InvalidOptionsError extends BootError { static override readonly spec: ErrorSpec = { name: 'InvalidOptionsError', code: 'VELLUM_ERR_INVALID_OPTIONS', statusCode: 500 } }

/** Boot-time: a content-type or component schema is wrong. */
export class InvalidContentTypeError extends BootError { static override readonly spec: ErrorSpec = { name: 'InvalidContentTypeError', code: 'VELLUM_ERR_INVALID_CONTENT_TYPE', statusCode: 500 } }

/** Boot-time: schema sync would lose data and was not allowed to. */
export class DestructiveChangeError extends BootError { static override readonly spec: ErrorSpec = { name: 'DestructiveChangeError', code: 'VELLUM_ERR_DESTRUCTIVE_CHANGE', statusCode: 500 } }

/**
 * Boot-time: a project's code (a route, controller, service, policy or middleware file, `config/middlewares`,
 * `src/index`, a lifecycles file, vellum.config.*) cannot be loaded, has the wrong shape, or names a policy or
 * middleware that does not exist. The message names the file or the reference, so `ready()` says what to fix.
 */
export class ProjectCodeError extends BootError { static override readonly spec: ErrorSpec = { name: 'ProjectCodeError', code: 'VELLUM_ERR_PROJECT_CODE', statusCode: 500 } }

/** An error's message, whatever was thrown. */
export function messageOf (error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** Strapi's error envelope: every error leaving vellum's routes has this shape, always JSON. */
export interface ErrorEnvelope {
  data: null
  error: { status: number, name: string, message: string, details?: Record<string, unknown> }
}

/** The one builder of the envelope; `details` is left out when undefined (Fastify's own errors without any). */
export function errorEnvelope (status: number, name: string, message: string, details?: Record<string, unknown>): ErrorEnvelope {
  return { data: null, error: details === undefined ? { status, name, message } : { status, name, message, details } }
}
