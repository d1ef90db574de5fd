import type { SQL } from 'drizzle-orm'
import { PgDialect } from 'drizzle-orm/pg-core'
import type { Statement } from '../db/index.js'

const dialect = new PgDialect()

/** SQL rendered to its text and parameters: the Query Engine's one dialect. */
export function renderSql (query: SQL): { sql: string, params: unknown[] } {
  return dialect.sqlToQuery(query)
}

/**
 * A write-path statement rendered for the driver to prepare: its values are parameters only, so its text
 * depends on the model and the payload's shape (a bounded set), and it costs one round trip instead of two.
 */
export function prepared (query: SQL): Statement {
  return { ...renderSql(query), prepare: true }
}
