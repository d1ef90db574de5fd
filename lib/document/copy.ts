import { sql } from 'drizzle-orm'
import type { Attribute, Model, RelationAttribute, Schema } from '../content-types/index.js'
import { isPlainObject, type PlainObject } from '../query/index.js'
import { isDraftAndPublish, isLocalized, type ServiceContext } from './context.js'

/**
 * Copying one stored row onto another row of the same document: a draft onto its published row (publish),
 * the published row onto the draft (discardDraft), and non-localized attributes onto the other locales.
 * Rows are read "deep" (every scalar, components and zones recursively, and the owning side of each relation
 * as `{ id, documentId, locale, publishedAt }`), then written through the Query Engine with relation ids
 * mapped to the destination's status and locale. Component rows of the destination are updated in place
 * (same position, same component) so their ids stay stable; only what no longer fits is recreated.
 */

export type Row = Record<string, unknown> & { id: number }

/** A linked row as read deep. */
export interface LinkedRow {
  id: number
  documentId: string | null
  locale: string | null
  publishedAt: string | null
}

/** What a copied link should point at. */
export interface Destination {
  /** The destination row's locale (null on non-localized types). */
  locale: string | null
  status: 'draft' | 'published'
}

/**
 * A relation kind whose published row may keep a link to a target's draft until that target is published
 * ("pending"). Only kinds where the target side holds many sources: the Query Engine takes a to-one target
 * away from other rows when linking it, which would unlink the draft's own link (see README).
 */
export function canPend (attribute: RelationAttribute): boolean {
  const owner = attribute.owner ? attribute.relation : undefined
  return owner === 'manyToOne' || owner === 'manyToMany'
}

/** Query Engine populate reading a row deep. */
export function deepPopulate (schema: Schema, model: Model): PlainObject | undefined {
  const populate: PlainObject = {}
  for (const attribute of Object.values(model.attributes)) {
    if (attribute.type === 'relation') {
      if (attribute.owner) populate[attribute.name] = { select: ['documentId', 'locale', 'publishedAt'] }
    } else if (attribute.type === 'component') {
      const component = schema.get(attribute.component)
      const nested = component === undefined ? undefined : deepPopulate(schema, component)
      populate[attribute.name] = nested === undefined ? true : { populate: nested }
    } else if (attribute.type === 'dynamiczone') {
      const on: PlainObject = {}
      for (const uid of attribute.components) {
        const component = schema.get(uid)
        const nested = component === undefined ? undefined : deepPopulate(schema, component)
        on[uid] = nested === undefined ? true : { populate: nested }
      }
      populate[attribute.name] = { on }
    }
  }
  return Object.keys(populate).length === 0 ? undefined : populate
}

/** Rows of the related documents found in a set of deep rows, for mapping their links. */
export interface LinkIndex {
  /** `uid → documentId → rows` of every locale and status. */
  rows: Map<string, Map<string, LinkedRow[]>>
}

function linkedRows (value: unknown): LinkedRow[] {
  if (Array.isArray(value)) return value.filter(isPlainObject) as unknown as LinkedRow[]
  return isPlainObject(value) ? [value as unknown as LinkedRow] : []
}

function collectLinks (schema: Schema, model: Model, row: PlainObject, out: Map<string, Set<string>>): void {
  for (const attribute of Object.values(model.attributes)) {
    const value = row[attribute.name]
    if (attribute.type === 'relation') {
      if (!attribute.owner) continue
      const ids = out.get(attribute.target) ?? new Set<string>()
      for (const linked of linkedRows(value)) if (linked.documentId !== null) ids.add(linked.documentId)
      out.set(attribute.target, ids)
    } else if (attribute.type === 'component' || attribute.type === 'dynamiczone') {
      for (const item of linkedRows(value) as unknown as PlainObject[]) {
        const uid = attribute.type === 'component' ? attribute.component : String(item.__component)
        const component = schema.get(uid)
        if (component !== undefined) collectLinks(schema, component, item, out)
      }
    }
  }
}

/**
 * One query per related draft & publish (or localized) type: every row of the documents the given rows
 * link, so links can be moved to another status or locale.
 */
export async function indexLinks (ctx: ServiceContext, model: Model, rows: PlainObject[]): Promise<LinkIndex> {
  const wanted = new Map<string, Set<string>>()
  for (const row of rows) collectLinks(ctx.schema, model, row, wanted)
  const index: LinkIndex = { rows: new Map() }
  for (const [uid, documentIds] of wanted) {
    const target = ctx.schema.get(uid)
    if (target === undefined || documentIds.size === 0) continue
    if (!isDraftAndPublish(target) && !isLocalized(target)) continue
    const found = await ctx.db.query(uid).findMany({
      where: { documentId: { $in: [...documentIds] } },
      select: ['id', 'documentId', 'locale', 'publishedAt'],
      orderBy: { id: 'asc' }
    }) as unknown as LinkedRow[]
    const byDocument = new Map<string, LinkedRow[]>()
    for (const r of found) {
      if (r.documentId === null) continue
      const list = byDocument.get(r.documentId) ?? []
      list.push(r)
      byDocument.set(r.documentId, list)
    }
    index.rows.set(uid, byDocument)
  }
  return index
}

/** The row a link should point at from the destination, or none (the related document has no such row). */
export function mapLink (schema: Schema, index: LinkIndex, attribute: RelationAttribute, linked: LinkedRow, to: Destination): number | undefined {
  const target = schema.get(attribute.target)
  if (target === undefined) return undefined
  const dp = isDraftAndPublish(target)
  const localized = isLocalized(target)
  if (!dp && !localized) return linked.id
  const siblings = linked.documentId === null ? undefined : index.rows.get(target.uid)?.get(linked.documentId)
  if (siblings === undefined) return undefined
  const locale = localized ? (to.locale ?? linked.locale) : null
  const candidates = siblings.filter(r => !localized || r.locale === locale)
  if (!dp) return candidates[0]?.id
  const wanted = candidates.find(r => (r.publishedAt === null) === (to.status === 'draft'))
  if (wanted !== undefined) return wanted.id
  // Published destination, target never published: keep the link to its draft, hidden from published
  // reads, until the target is published (then re-pointed, see repoint).
  if (to.status === 'published' && canPend(attribute)) return candidates.find(r => r.publishedAt === null)?.id
  return undefined
}

export interface CopyOptions {
  /** Attributes copied; default all. */
  only?: (attribute: Attribute) => boolean
  /** Copy the owning side of relations (publish, discard); not when syncing locales. */
  relations: boolean
  index: LinkIndex
  to: Destination
  /** The destination row as read deep, so its component rows are updated in place. */
  counterpart?: PlainObject
}

function componentItems (value: unknown): PlainObject[] {
  if (Array.isArray(value)) return value.filter(isPlainObject)
  return isPlainObject(value) ? [value] : []
}

/** Query Engine `data` recreating `row` (read deep) on the destination. */
export function copyData (schema: Schema, model: Model, row: PlainObject, options: CopyOptions): PlainObject {
  const data: PlainObject = {}
  for (const attribute of Object.values(model.attributes)) {
    if (options.only !== undefined && !options.only(attribute)) continue
    const value = row[attribute.name]
    switch (attribute.type) {
      case 'relation': {
        // Relations inside components are always copied with their component.
        if (!attribute.owner || (!options.relations && model.kind !== 'component')) break
        const ids = linkedRows(value).flatMap(l => mapLink(schema, options.index, attribute, l, options.to) ?? [])
        // A new row has no links to clear.
        if (ids.length === 0 && options.counterpart === undefined) break
        data[attribute.name] = { set: [...new Set(ids)].map(id => ({ id })) }
        break
      }
      case 'component':
      case 'dynamiczone': {
        const existing = componentItems(options.counterpart?.[attribute.name])
        const items = componentItems(value).map((item, index) => {
          const uid = attribute.type === 'component' ? attribute.component : String(item.__component)
          const component = schema.get(uid)
          if (component === undefined) throw new Error(`unknown component ${uid}`)
          const same = existing[index]
          const reuse = same !== undefined && (attribute.type === 'component' || same.__component === uid)
          const copied = copyData(schema, component, item, { ...options, only: undefined, ...(reuse ? { counterpart: same } : { counterpart: undefined }) })
          return {
            ...(attribute.type === 'dynamiczone' && { __component: uid }),
            ...(reuse && { id: same.id }),
            ...copied
          }
        })
        data[attribute.name] = attribute.type === 'component' && !attribute.repeatable ? items[0] ?? null : items
        break
      }
      default:
        if (value !== undefined) data[attribute.name] = value
    }
  }
  return data
}

/** Attributes shared by every locale of a document (all of them on non-localized types). */
export function isShared (attribute: Attribute): boolean {
  return !attribute.localized && attribute.type !== 'relation'
}

/** A component subtree without what differs between rows holding the same content (ids, link rows). */
function comparable (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable)
  if (!isPlainObject(value)) return value
  const out: PlainObject = {}
  for (const [key, item] of Object.entries(value)) {
    if (key === 'id' || key === 'locale' || key === 'publishedAt') continue
    out[key] = comparable(item)
  }
  return out
}

/** True when two rows (read deep) already hold the same shared attributes: nothing to sync. */
export function sameShared (model: Model, a: PlainObject, b: PlainObject): boolean {
  for (const attribute of Object.values(model.attributes)) {
    if (!isShared(attribute)) continue
    if (JSON.stringify(comparable(a[attribute.name])) !== JSON.stringify(comparable(b[attribute.name]))) return false
  }
  return true
}

/**
 * After a first publish: the new published row takes the draft's place in the lists of the rows both link (targets without
 * draft & publish, shared by the two rows), as Strapi keeps it, instead of going last in each. One statement per
 * link table that has such a list (the inverse order column of a bidirectional many-to-* relation).
 */
export async function alignInverseOrder (ctx: ServiceContext, model: Model, draftId: number, publishedId: number): Promise<void> {
  for (const relation of ctx.catalog.get(model.uid).relations.values()) {
    const { attribute, link, selfColumn, otherColumn, otherOrderColumn } = relation
    if (!attribute.owner || otherOrderColumn === undefined || relation.morph !== undefined) continue
    const target = ctx.schema.get(attribute.target)
    if (target === undefined || isDraftAndPublish(target)) continue
    const [table, self, other, order] = [link.name, selfColumn, otherColumn, otherOrderColumn].map(name => sql.identifier(name))
    await ctx.db.execute(sql`UPDATE ${table} AS p SET ${order} = d.${order} FROM ${table} AS d
      WHERE p.${self} = ${publishedId}::integer AND d.${self} = ${draftId}::integer AND p.${other} = d.${other}`)
  }
}
