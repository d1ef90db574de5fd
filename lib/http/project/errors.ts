import { VellumError } from '../../errors.js'

/**
 * Boot-time: a project's code (a route, controller, service, policy or middleware file, `config/middlewares`,
 * `src/index`) cannot be loaded, has the wrong shape, or names a policy or middleware that does not exist.
 * The message names the file or the reference, so `ready()` says what to fix.
 */
export class ProjectCodeError extends VellumError {
  constructor (message: string, details?: Record<string, unknown>, cause?: unknown) {
    super(message, { code: 'VELLUM_ERR_PROJECT_CODE', statusCode: 500, details, cause })
    this.name = 'ProjectCodeError'
  }
}

export function messageOf (error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
