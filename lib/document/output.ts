import type { PlainObject } from '../query/index.js'
import { and, isLocalized, type ServiceContext, statusWhere } from './context.js'
import type { OutputNode, ReadScope } from './populate.js'
import type { DocumentEntry } from './types.js'

/**
 * Query Engine rows → Document Service entries: `locale` removed from the rows of non-localized content
 * types (the column exists everywhere, Strapi only shows it on localized types), and the virtual
 * `localizations` relation loaded (one query per populated level) wherever it was asked for.
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

/** Fixes rows in place and collects those whose localizations must be loaded. */
function walk (node: OutputNode, row: Row, pending: Map<OutputNode, Row[]>): void {
  if (node.model.kind !== 'component' && !isLocalized(node.model)) delete row.locale
  for (const [name, sub] of node.relations) each(row[name], r => walk(sub, r, pending))
  for (const [name, sub] of node.components) each(row[name], r => walk(sub, r, pending))
  for (const [name, fragments] of node.zones) {
    each(row[name], (item) => {
      const sub = fragments.get(String(item.__component))
      if (sub !== undefined) walk(sub, item, pending)
    })
  }
  if (node.localizations !== undefined) {
    const list = pending.get(node) ?? []
    list.push(row)
    pending.set(node, list)
  }
}

export async function shapeRows (ctx: ServiceContext, node: OutputNode, rows: Row[], scope: ReadScope): Promise<DocumentEntry[]> {
  const pending = new Map<OutputNode, Row[]>()
  for (const row of rows) walk(node, row, pending)
  for (const [level, owners] of pending) {
    const request = level.localizations
    if (request === undefined) continue
    const documentIds = [...new Set(owners.map(o => o.documentId).filter(id => typeof id === 'string'))]
    if (documentIds.length === 0) continue
    const params: PlainObject = {
      ...request.params,
      where: and(request.params.where, { documentId: { $in: documentIds } }, statusWhere(level.model, scope.status))
    }
    const found = await ctx.db.query(level.model.uid).findMany(params)
    const shaped = await shapeRows(ctx, request.node, found, scope)
    for (const owner of owners) {
      // The same document in the same status, other rows: its other locales.
      owner.localizations = shaped.filter(r => r.documentId === owner.documentId && r.id !== owner.id)
    }
  }
  return rows as DocumentEntry[]
}
