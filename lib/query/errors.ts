import { pgErrorOf } from '../db/index.js'
import { ValidationError, type ValidationErrorItem } from '../errors.js'
import { loggableError, type Logger } from '../logger.js'
import type { Catalog } from './model.js'

/**
 * PostgreSQL errors a write can still meet after casting (uniqueness, a vanished related row, a missing
 * value) → ValidationError naming the attribute. The database's own message never reaches the caller: it is
 * logged, and only the attribute path is kept.
 */

export interface ErrorContext {
  uid: string
  /** The data being written, to report the rejected value. */
  data?: unknown
}

export type ErrorMapper = (err: unknown, context: ErrorContext) => unknown

export function createErrorMapper (catalog: Catalog, log: Logger): ErrorMapper {
  // Constraint and column names come from the physical model, so they map back to attribute names.
  const uniques = new Map<string, string[]>()
  const fieldsByTable = new Map<string, Map<string, string>>()
  for (const tables of catalog.physical.models.values()) {
    const byColumn = new Map(Object.values(tables.columns).map(c => [c.name, c.field]))
    fieldsByTable.set(tables.table.name, byColumn)
    for (const index of tables.table.indexes) {
      if (index.unique) uniques.set(index.name, index.columns.map(c => byColumn.get(c) ?? c).filter(f => f !== 'locale'))
    }
  }

  const valueOf = (data: unknown, field: string | undefined): unknown => {
    if (field === undefined || typeof data !== 'object' || data === null || Array.isArray(data)) return null
    return (data as Record<string, unknown>)[field] ?? null
  }

  const item = (field: string | undefined, message: string, data: unknown): ValidationErrorItem => ({
    path: field === undefined ? [] : [field],
    message,
    name: 'ValidationError',
    value: valueOf(data, field)
  })

  return (err, { uid, data }) => {
    const pg = pgErrorOf(err)
    if (pg === undefined) return err
    const field = pg.column === undefined ? undefined : fieldsByTable.get(pg.table ?? '')?.get(pg.column) ?? pg.column
    let mapped: ValidationError | undefined
    switch (pg.code) {
      case '23505': {
        const path = pg.constraint === undefined ? undefined : uniques.get(pg.constraint)?.[0]
        mapped = ValidationError.fromItems([item(path, 'This attribute must be unique', data)])
        break
      }
      case '23503':
        mapped = ValidationError.fromItems([item(undefined, 'A related entry does not exist', data)])
        break
      case '23502':
        mapped = ValidationError.fromItems([item(field, `${field ?? 'A value'} must be defined.`, data)])
        break
      default:
        // Data exceptions (class 22: a value out of its column's range, ...) are input errors too.
        if (pg.code.startsWith('22')) mapped = ValidationError.fromItems([item(field, 'Invalid value', data)])
    }
    if (mapped === undefined) return err
    log.debug({ err: loggableError(err), uid, code: pg.code, constraint: pg.constraint }, 'database constraint rejected a write')
    return mapped
  }
}
