/**
 * What a Strapi project imports from `@strapi/utils` (issue 17), resolved to this module for project code only
 * (see modules.ts): `errors`, Strapi's names for vellum's own error classes, so a thrown
 * `errors.PolicyError('…')` is answered in the envelope exactly as vellum's.
 */
import {
  ApplicationError, ForbiddenError, NotFoundError, NotImplementedError, PaginationError, PayloadTooLargeError, PolicyError, RateLimitError,
  UnauthorizedError, ValidationError
} from '../errors.js'

export const errors = {
  ApplicationError,
  ValidationError,
  ForbiddenError,
  PolicyError,
  NotFoundError,
  UnauthorizedError,
  PaginationError,
  PayloadTooLargeError,
  RateLimitError,
  NotImplementedError
}
