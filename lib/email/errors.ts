import { VellumError, type ErrorSpec } from '../errors.js'

/**
 * A message vellum could not hand over: a server-side problem (status 500), so a route answers the generic
 * 500 and logs this error, whose message says what failed and never holds a credential.
 */
export class EmailError extends VellumError {
  static readonly spec: ErrorSpec = { name: 'EmailError', code: 'VELLUM_ERR_EMAIL', statusCode: 500 }

  constructor (message: string, details?: Record<string, unknown>) {
    const { spec } = new.target
    super(message, { code: spec.code, statusCode: spec.statusCode, details })
    this.name = spec.name
  }
}

/** No provider configured in production: vellum refuses to pretend it sent anything. */
export class EmailNotConfiguredError extends EmailError {
  static override readonly spec: ErrorSpec = { name: 'EmailNotConfiguredError', code: 'VELLUM_ERR_EMAIL_NOT_CONFIGURED', statusCode: 500 }
}

/** The provider failed (SMTP connection, authentication, a refused recipient, a file that could not be written). */
export class EmailDeliveryError extends EmailError {
  static override readonly spec: ErrorSpec = { name: 'EmailDeliveryError', code: 'VELLUM_ERR_EMAIL_DELIVERY', statusCode: 500 }
}
