/**
 * Every error class has its own stable code, so a host's error handler or a log query can tell them apart
 * without parsing messages; the Strapi name and status stay what clients see.
 */
import t from 'tap'
import * as errors from '../../lib/errors.js'
import { DatabaseConnectionError, SchemaSyncError } from '../../lib/db/errors.js'
import { RequestAbortedError } from '../../lib/hooks/index.js'

t.test('each error class has its own VELLUM_ERR_* code, status and Strapi name', async (t) => {
  const cases: Array<[errors.VellumError, string, number, string]> = [
    [new errors.ApplicationError('x'), 'VELLUM_ERR_APPLICATION', 400, 'ApplicationError'],
    [new errors.ValidationError('x'), 'VELLUM_ERR_VALIDATION', 400, 'ValidationError'],
    [new errors.PaginationError('x'), 'VELLUM_ERR_PAGINATION', 400, 'PaginationError'],
    [new errors.NotFoundError('x'), 'VELLUM_ERR_NOT_FOUND', 404, 'NotFoundError'],
    [new errors.UnauthorizedError('x'), 'VELLUM_ERR_UNAUTHORIZED', 401, 'UnauthorizedError'],
    [new errors.ForbiddenError('x'), 'VELLUM_ERR_FORBIDDEN', 403, 'ForbiddenError'],
    [new errors.PolicyError('x'), 'VELLUM_ERR_POLICY', 403, 'PolicyError'],
    [new errors.PayloadTooLargeError('x'), 'VELLUM_ERR_PAYLOAD_TOO_LARGE', 413, 'PayloadTooLargeError'],
    [new errors.NotImplementedError('x'), 'VELLUM_ERR_NOT_IMPLEMENTED', 501, 'NotImplementedError'],
    [new errors.RequestTimeoutError('x'), 'VELLUM_ERR_REQUEST_TIMEOUT', 408, 'RequestTimeoutError'],
    [new errors.ServiceUnavailableError('x'), 'VELLUM_ERR_SERVICE_UNAVAILABLE', 503, 'ServiceUnavailableError'],
    [new errors.StatementCancelledError(), 'VELLUM_ERR_STATEMENT_CANCELLED', 503, 'ServiceUnavailableError'],
    [new RequestAbortedError(), 'VELLUM_ERR_REQUEST_ABORTED', 499, 'RequestAbortedError'],
    [new errors.InvalidOptionsError('x'), 'VELLUM_ERR_INVALID_OPTIONS', 500, 'InvalidOptionsError'],
    [new errors.InvalidContentTypeError('x'), 'VELLUM_ERR_INVALID_CONTENT_TYPE', 500, 'InvalidContentTypeError'],
    [new errors.DestructiveChangeError('x'), 'VELLUM_ERR_DESTRUCTIVE_CHANGE', 500, 'DestructiveChangeError'],
    [new DatabaseConnectionError('x'), 'VELLUM_ERR_DATABASE_CONNECTION', 500, 'DatabaseConnectionError'],
    [new SchemaSyncError('x'), 'VELLUM_ERR_SCHEMA_SYNC', 500, 'SchemaSyncError']
  ]
  for (const [error, code, status, name] of cases) {
    t.equal(error.code, code, name)
    t.equal(error.statusCode, status, `${name} status`)
    t.equal(error.name, name)
    t.ok(error instanceof errors.VellumError)
  }
  t.equal(new Set(cases.map(([error]) => error.code)).size, cases.length, 'no two classes share a code')
  t.equal(errors.ValidationError.fromItems([{ path: ['a'], message: 'm', name: 'ValidationError', value: 1 }]).code, 'VELLUM_ERR_VALIDATION')
})
