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

/** `walk` over a populated value: a row, a list of rows, or nothing. */
function walkValue (node: OutputNode, value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) if (isRow(item)) walk(node, item)
  } else if (isRow(value)) {
    walk(node, value)
  }
}

/** Fixes one row, and what it populates, in place. */
function walk (node: OutputNode, row: Row): void {
  if (node.model.kind !== 'component' && !isLocalized(node.model)) delete row.locale
  for (const [name, sub] of node.relations) walkValue(sub, row[name])
  for (const [name, sub] of node.components) walkValue(sub, row[name])
  for (const [name, fragments] of node.zones) {
    const items = row[name]
    if (!Array.isArray(items)) continue
    for (const item of items) {
      const sub = isRow(item) ? fragments.get(String(item.__component)) : undefined
      if (sub !== undefined) walk(sub, item as Row)
    }
  }
  for (const [name, types] of node.morphs) {
    const value = row[name]
    for (const item of Array.isArray(value) ? value : [value]) {
      const sub = isRow(item) ? types.get(String(item.__type)) : undefined
      if (sub !== undefined) walk(sub, item as Row)
    }
  }
  if (node.localizations !== undefined) walkValue(node.localizations, row.localizations)
}

export function shapeRows (node: OutputNode, rows: Row[]): DocumentEntry[] {
  for (const row of rows) walk(node, row)
  return rows as DocumentEntry[]
}
