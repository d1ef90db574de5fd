import { VellumError } from '../errors.js'

/** Boot-time: the database named in the options could not be reached or opened. */
export class DatabaseConnectionError extends VellumError {
  constructor (message: string, { cause, details }: { cause?: unknown, details?: Record<string, unknown> } = {}) {
    super(message, { code: 'VELLUM_ERR_DATABASE_CONNECTION', statusCode: 500, details, cause })
    this.name = 'DatabaseConnectionError'
  }
}

/**
 * Boot-time: the embedded (PGlite) data directory is owned by another live process, or by another vellum
 * instance in this one. An embedded database has exactly one owner; several processes share PostgreSQL.
 */
export class DatabaseLockedError extends DatabaseConnectionError {
  override readonly code: string = 'VELLUM_ERR_DATABASE_LOCKED'

  constructor (message: string, { cause, details }: { cause?: unknown, details?: Record<string, unknown> } = {}) {
    super(message, { cause, details })
    this.name = 'DatabaseLockedError'
  }
}

/** Boot-time: a schema-sync statement failed (the whole sync is rolled back). */
export class SchemaSyncError extends VellumError {
  constructor (message: string, { cause, details }: { cause?: unknown, details?: Record<string, unknown> } = {}) {
    super(message, { code: 'VELLUM_ERR_SCHEMA_SYNC', statusCode: 500, details, cause })
    this.name = 'SchemaSyncError'
  }
}

/** The fields of a PostgreSQL error both drivers expose, under one set of names. */
export interface PgError {
  /** SQLSTATE, e.g. `23505` (unique_violation). */
  code: string
  message: string
  constraint?: string
  detail?: string
  table?: string
  column?: string
  schema?: string
}

const SQLSTATE = /^[0-9A-Z]{5}$/

function stringField (source: Record<string, unknown>, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = source[key]
    if (typeof value === 'string' && value !== '') return value
  }
  return undefined
}

/**
 * The PostgreSQL error behind `err`, from either driver: Drizzle wraps driver errors in DrizzleQueryError
 * (`cause`); postgres.js names the fields `constraint_name`/`table_name`/`column_name`, PGlite (pg-protocol)
 * `constraint`/`table`/`column`. Undefined for anything that is not a server error (e.g. ECONNREFUSED).
 */
export function pgErrorOf (err: unknown): PgError | undefined {
  let current: unknown = err
  // Follow `cause` a few levels: Drizzle → driver error, or our own wrappers → Drizzle.
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const candidate = current as Record<string, unknown>
    const code = candidate.code
    if (typeof code === 'string' && SQLSTATE.test(code) && typeof candidate.severity === 'string') {
      const error: PgError = { code, message: typeof candidate.message === 'string' ? candidate.message : '' }
      const constraint = stringField(candidate, 'constraint_name', 'constraint')
      const detail = stringField(candidate, 'detail')
      const table = stringField(candidate, 'table_name', 'table')
      const column = stringField(candidate, 'column_name', 'column')
      const schema = stringField(candidate, 'schema_name', 'schema')
      if (constraint !== undefined) error.constraint = constraint
      if (detail !== undefined) error.detail = detail
      if (table !== undefined) error.table = table
      if (column !== undefined) error.column = column
      if (schema !== undefined) error.schema = schema
      return error
    }
    current = candidate.cause
  }
  return undefined
}

/** SQLSTATEs of a transaction aborted for meeting another one: deadlock_detected, serialization_failure. */
const CONFLICTS = new Set(['40P01', '40001'])

/** True when `err` aborted its transaction only because of a concurrent one: running it again may succeed. */
export function isTransactionConflict (err: unknown): boolean {
  const code = pgErrorOf(err)?.code
  return code !== undefined && CONFLICTS.has(code)
}
