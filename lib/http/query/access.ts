import type { OrderTerm, PopulateNode, Where } from '../../query/index.js'
import { queryInvalidKey, type QueryParam } from './errors.js'
import type { CanRead } from './types.js'

/**
 * Filtering or sorting through a relation whose target the caller may not read is a 400 (an oracle on data
 * it cannot see), as in Strapi. Checked on the parsed AST, so the walk follows exactly what the engine will
 * join. Populating such a relation is not an error: `sanitizeQuery` drops it silently.
 */

export function checkWhere (where: Where | undefined, canRead: CanRead, param: QueryParam, path: readonly string[]): void {
  if (where === undefined) return
  switch (where.kind) {
    case 'and':
    case 'or':
      for (const item of where.items) checkWhere(item, canRead, param, path)
      return
    case 'not':
      checkWhere(where.item, canRead, param, path)
      return
    case 'exists':
      if (where.via.kind === 'relation' && !canRead(where.via.target.uid)) throw queryInvalidKey(param, where.via.name, path)
      checkWhere(where.where, canRead, param, [...path, where.via.name])
  }
}

export function checkOrder (terms: readonly OrderTerm[], canRead: CanRead, param: QueryParam, path: readonly string[]): void {
  for (const term of terms) {
    const walked = [...path]
    for (const via of term.path) {
      if (via.kind === 'relation' && !canRead(via.target.uid)) throw queryInvalidKey(param, via.name, walked)
      walked.push(via.name)
    }
  }
}

export function checkPopulate (nodes: readonly PopulateNode[], canRead: CanRead, path: readonly string[]): void {
  for (const node of nodes) {
    const keyPath = [...path, node.name]
    if (node.kind === 'zone') {
      for (const plan of node.on) {
        checkWhere(plan.where, canRead, 'populate', [...keyPath, 'on', plan.info.uid])
        checkPopulate(plan.populate, canRead, [...keyPath, 'on', plan.info.uid])
      }
      continue
    }
    if (node.kind === 'morph') {
      for (const plan of node.on) checkPopulate(plan.populate, canRead, [...keyPath, 'on', plan.info.uid])
      continue
    }
    // A relation the caller may not read is dropped by sanitizeQuery, options and all.
    if (node.kind === 'relation' && !canRead(node.target.uid)) continue
    checkWhere(node.where, canRead, 'populate', keyPath)
    checkOrder(node.orderBy, canRead, 'populate', keyPath)
    checkPopulate(node.plan.populate, canRead, keyPath)
  }
}
