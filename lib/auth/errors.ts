import { BootError, type ErrorSpec } from '../errors.js'

/** Boot-time, in production: no API-token salt configured (Strapi refuses to start too: "Missing apiToken.salt"). */
export class MissingApiTokenSaltError extends BootError {
  static override readonly spec: ErrorSpec = { name: 'MissingApiTokenSaltError', code: 'VELLUM_ERR_MISSING_API_TOKEN_SALT', statusCode: 500 }
}

/** Boot-time, outside development: no JWT secret configured (Strapi refuses to start too). */
export class MissingJwtSecretError extends BootError {
  static override readonly spec: ErrorSpec = { name: 'MissingJwtSecretError', code: 'VELLUM_ERR_MISSING_JWT_SECRET', statusCode: 500 }
}
