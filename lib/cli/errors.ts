import { VellumError } from '../errors.js'

/** Bad command-line arguments: one line on stderr pointing at the help, exit code 2. */
export class UsageError extends Error {
  /** The help to point at: `vellum --help` or `vellum <command> --help`. */
  readonly help: string

  constructor (message: string, help = 'vellum --help') {
    super(message)
    this.name = 'UsageError'
    this.help = help
  }
}

/** An expected failure of a command (a missing project, a busy port): its message only, exit code 1. */
export class CliError extends Error {
  constructor (message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'CliError'
  }
}

/** vellum's own named errors (options, schemas, database, project code, locks) say what to fix: no stack needed. */
export function isExpectedError (error: unknown): error is Error {
  if (error instanceof CliError || error instanceof VellumError) return true
  // The same classes loaded twice (a project importing its own copy of vellum) still carry vellum's codes.
  const code = (error as { code?: unknown } | null)?.code
  return error instanceof Error && typeof code === 'string' && code.startsWith('VELLUM_ERR_')
}

/** Writes what went wrong and returns the exit code: 2 for usage, 1 otherwise; a stack only for the unexpected. */
export function reportError (error: unknown, write: (text: string) => void): number {
  if (error instanceof UsageError) {
    write(`vellum: ${error.message} (see ${error.help})\n`)
    return 2
  }
  if (isExpectedError(error)) {
    write(`vellum: ${error.message}\n`)
    return 1
  }
  write(`vellum: unexpected error\n${error instanceof Error ? error.stack ?? error.message : String(error)}\n`)
  return 1
}
