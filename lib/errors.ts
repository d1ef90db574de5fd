/**
 * Typed errors with Strapi's wire names. Only the HTTP layer turns them into the error envelope
 * `{ data: null, error: { status, name, message, details } }`.
 */

export interface ValidationErrorItem {
  path: string[]
  message: string
  name: 'ValidationError'
  value: unknown
}

/**
 * The base of every vellum error. Each class has its own stable `code` (`VELLUM_ERR_*`, as @fastify/error's
 * `FST_ERR_*`): client errors declare theirs as a field, which takes effect once the base constructor ran.
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

/** 400 base class of client errors, as Strapi's ApplicationError. */
export class ApplicationError extends VellumError {
  constructor (message = 'An application error occured', details?: Record<string, unknown>, statusCode = 400) {
    super(message, { code: 'VELLUM_ERR_APPLICATION', statusCode, details })
    this.name = 'ApplicationError'
  }
}

export class ValidationError extends ApplicationError {
  override readonly code: string = 'VELLUM_ERR_VALIDATION'

  constructor (message: string, details?: Record<string, unknown>) {
    super(message, details)
    this.name = 'ValidationError'
  }

  /** Several attribute errors at once: `details.errors`, message `N errors occurred` when more than one. */
  static fromItems (items: ValidationErrorItem[]): ValidationError {
    const message = items.length === 1 ? items[0]!.message : `${items.length} errors occurred`
    return new ValidationError(message, { errors: items })
  }
}

export class PaginationError extends ApplicationError {
  override readonly code: string = 'VELLUM_ERR_PAGINATION'

  constructor (message = 'Invalid pagination', details?: Record<string, unknown>) {
    super(message, details)
    this.name = 'PaginationError'
  }
}

export class NotFoundError extends ApplicationError {
  override readonly code: string = 'VELLUM_ERR_NOT_FOUND'

  constructor (message = 'Entity not found', details?: Record<string, unknown>) {
    super(message, details, 404)
    this.name = 'NotFoundError'
  }
}

export class UnauthorizedError extends ApplicationError {
  override readonly code: string = 'VELLUM_ERR_UNAUTHORIZED'

  constructor (message = 'Unauthorized', details?: Record<string, unknown>) {
    super(message, details, 401)
    this.name = 'UnauthorizedError'
  }
}

export class ForbiddenError extends ApplicationError {
  override readonly code: string = 'VELLUM_ERR_FORBIDDEN'

  constructor (message = 'Forbidden access', details?: Record<string, unknown>) {
    super(message, details, 403)
    this.name = 'ForbiddenError'
  }
}

export class PolicyError extends ForbiddenError {
  override readonly code: string = 'VELLUM_ERR_POLICY'

  constructor (message = 'Policy Failed', details?: Record<string, unknown>) {
    super(message, details)
    this.name = 'PolicyError'
  }
}

export class PayloadTooLargeError extends ApplicationError {
  override readonly code: string = 'VELLUM_ERR_PAYLOAD_TOO_LARGE'

  constructor (message = 'Entity too large', details?: Record<string, unknown>) {
    super(message, details, 413)
    this.name = 'PayloadTooLargeError'
  }
}

export class NotImplementedError extends ApplicationError {
  override readonly code: string = 'VELLUM_ERR_NOT_IMPLEMENTED'

  constructor (message = 'This feature is not implemented yet', details?: Record<string, unknown>) {
    super(message, details, 501)
    this.name = 'NotImplementedError'
  }
}

/** Boot-time: a plugin option is wrong. `path` is the option's JSON pointer (`/rest/maxLimit`). */
export class InvalidOptionsError extends VellumError {
  constructor (message: string, details?: Record<string, unknown>) {
    super(message, { code: 'VELLUM_ERR_INVALID_OPTIONS', statusCode: 500, details })
    this.name = 'InvalidOptionsError'
  }
}

/** Boot-time: a content-type or component schema is wrong. */
export class InvalidContentTypeError extends VellumError {
  constructor (message: string, details?: Record<string, unknown>) {
    super(message, { code: 'VELLUM_ERR_INVALID_CONTENT_TYPE', statusCode: 500, details })
    this.name = 'InvalidContentTypeError'
  }
}

/** Boot-time: schema sync would lose data and was not allowed to. */
export class DestructiveChangeError extends VellumError {
  constructor (message: string, details?: Record<string, unknown>) {
    super(message, { code: 'VELLUM_ERR_DESTRUCTIVE_CHANGE', statusCode: 500, details })
    this.name = 'DestructiveChangeError'
  }
}
