import { Name, Param, Placeholder, SQL, StringChunk } from 'drizzle-orm'
import { PgDialect } from 'drizzle-orm/pg-core'
import type { Statement } from '../db/index.js'

const dialect = new PgDialect()

/** SQL rendered to its text and parameters: the Query Engine's one dialect. */
export function renderSql (query: SQL): { sql: string, params: unknown[] } {
  return dialect.sqlToQuery(query)
}

/** Thrown inside `renderPlain` for a chunk it leaves to the dialect. */
const UNSUPPORTED = Symbol('unsupported chunk')

/**
 * The same text and parameters as `renderSql` for the chunks write statements are made of (text, identifiers,
 * nested and joined SQL, values): the dialect's renderer checks each chunk against a dozen entity kinds and merges
 * an array per chunk, half of the build of a create's statement. Anything else (a table, a column, a
 * placeholder, inlined parameters, an encoder turning a value into SQL) goes to the dialect.
 */
function renderPlain (chunks: readonly unknown[], out: { text: string[], params: unknown[] }): void {
  for (const chunk of chunks) {
    if (chunk instanceof StringChunk) {
      for (const part of chunk.value) out.text.push(part)
    } else if (chunk instanceof Name) {
      out.text.push(dialect.escapeName(chunk.value))
    } else if (chunk === undefined) {
      continue
    } else if (Array.isArray(chunk)) {
      out.text.push('(')
      for (const [i, item] of chunk.entries()) {
        if (i > 0) out.text.push(', ')
        renderPlain([item], out)
      }
      out.text.push(')')
    } else if (chunk instanceof SQL) {
      if ((chunk as unknown as { shouldInlineParams: boolean }).shouldInlineParams) throw UNSUPPORTED
      renderPlain(chunk.queryChunks, out)
    } else if (chunk instanceof Param) {
      if (chunk.value instanceof Placeholder) throw UNSUPPORTED
      const value: unknown = chunk.value === null ? null : chunk.encoder.mapToDriverValue(chunk.value)
      if (typeof value === 'object' && value !== null && !(value instanceof Date) && !Buffer.isBuffer(value) && !Array.isArray(value)) throw UNSUPPORTED
      out.params.push(value)
      out.text.push(dialect.escapeParam(out.params.length - 1))
    } else if (typeof chunk === 'object' && chunk !== null && !(chunk instanceof Date) && !Buffer.isBuffer(chunk)) {
      // Drizzle entities (tables, columns, aliases, placeholders) and objects with getSQL.
      throw UNSUPPORTED
    } else if (typeof chunk === 'function') {
      throw UNSUPPORTED
    } else {
      out.params.push(chunk)
      out.text.push(dialect.escapeParam(out.params.length - 1))
    }
  }
}

/**
 * A write-path statement rendered for the driver to prepare: its values are parameters only, so its text
 * depends on the model and the payload's shape (a bounded set), and it costs one round trip instead of two.
 */
export function prepared (query: SQL): Statement {
  const out = { text: [] as string[], params: [] as unknown[] }
  try {
    renderPlain([query], out)
  } catch (error) {
    if (error !== UNSUPPORTED) throw error
    return { ...renderSql(query), prepare: true }
  }
  return { sql: out.text.join(''), params: out.params, prepare: true }
}
