import { isLocalized } from './context.js'
import type { OutputNode } from './populate.js'
import type { DocumentEntry } from './types.js'

/**
 * Query Engine rows → Document Service entries: `locale` removed from the rows of non-localized content
 * types (the column exists everywhere, Strapi only shows it on localized types), at every populated level.
 */

type Row = Record<string, unknown>

function isRow (value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function each (value: unknown, fn: (row: Row) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) if (isRow(item)) fn(item)
  } else if (isRow(value)) {
    fn(value)
  }
}

/** Fixes one row, and what it populates, in place. */
function walk (node: OutputNode, row: Row): void {
  if (node.model.kind !== 'component' && !isLocalized(node.model)) delete row.locale
  for (const [name, sub] of node.relations) each(row[name], r => { walk(sub, r) })
  for (const [name, sub] of node.components) each(row[name], r => { walk(sub, r) })
  for (const [name, fragments] of node.zones) {
    each(row[name], (item) => {
      const sub = fragments.get(String(item.__component))
      if (sub !== undefined) walk(sub, item)
    })
  }
  const { localizations } = node
  if (localizations !== undefined) each(row.localizations, r => { walk(localizations, r) })
}

export function shapeRows (node: OutputNode, rows: Row[]): DocumentEntry[] {
  for (const row of rows) walk(node, row)
  return rows as DocumentEntry[]
}
