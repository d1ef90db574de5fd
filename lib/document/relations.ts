import { FILE_UID, type MediaType, type Model } from '../content-types/index.js'
import { ValidationError, type ValidationErrorItem } from '../errors.js'
import { compileTargetRows, type PlainObject, type TargetLookup } from '../query/index.js'
import { isDraftAndPublish, isLocalized, type ServiceContext } from './context.js'
import type { Prepared, RelationInput, RelationRef } from './validate.js'

/**
 * Relation writes (contract §11): documentIds (or `{ documentId, locale, status }`, or `{ id }`) → the row ids
 * the Query Engine links. Which rows of a related document a row links:
 * - a draft row (of a draft & publish type) links the targets' draft rows;
 * - a row of a type without draft & publish ("both": it is seen in draft and in published reads) links the
 *   draft and the published row of a draft & publish target (to-many), or one of them (to-one: the published
 *   row when there is one);
 * - targets without draft & publish have one row per locale;
 * - a localized source links the target rows of its own locale, a non-localized source those of the item's
 *   `locale` (default: the call's locale).
 * Published rows are only written by publish (see publish.ts), which maps draft links to published rows.
 */

export type RowKind = 'draft' | 'both'

export interface RowContext {
  kind: RowKind
  /** The locale of the row written (null on non-localized types). */
  locale: string | null
  /** The call's locale (a code), for non-localized sources linking localized targets. */
  requestLocale: string
}

interface TargetRow {
  id: number
  documentId: string
  locale: string | null
  publishedAt: string | null
}

type QueryItem = { id: number, position?: PlainObject }

function collect (prepared: Prepared, out: RelationInput[]): void {
  out.push(...prepared.relations)
  for (const items of prepared.components.values()) for (const item of items) collect(item.data, out)
}

function refsOf (input: RelationInput): RelationRef[] {
  const refs = [...(input.set ?? []), ...input.connect, ...input.disconnect]
  for (const ref of [...(input.set ?? []), ...input.connect]) {
    const position = ref.position
    if (position !== undefined && 'before' in position) refs.push(position.before)
    if (position !== undefined && 'after' in position) refs.push(position.after)
  }
  return refs
}

/** The target rows one item stands for, in the order they are linked. */
function rowsFor (target: Model, rows: TargetRow[], ref: RelationRef, row: RowContext, toMany: boolean): TargetRow[] {
  let candidates: TargetRow[]
  if (ref.id !== undefined) {
    candidates = rows.filter(r => r.id === ref.id)
    return candidates
  }
  candidates = rows.filter(r => r.documentId === ref.documentId)
  if (isLocalized(target)) {
    const locale = row.locale ?? ref.locale ?? row.requestLocale
    candidates = candidates.filter(r => r.locale === locale)
  }
  if (!isDraftAndPublish(target)) return candidates.slice(0, 1)
  const draft = candidates.filter(r => r.publishedAt === null)
  const published = candidates.filter(r => r.publishedAt !== null)
  if (ref.status !== undefined) return (ref.status === 'draft' ? draft : published).slice(0, 1)
  if (row.kind === 'draft') return draft.slice(0, 1)
  if (toMany) return [...draft.slice(0, 1), ...published.slice(0, 1)]
  return published.length > 0 ? published.slice(0, 1) : draft.slice(0, 1)
}

function notFound (target: Model, ref: RelationRef, row: RowContext): string {
  const locale = isLocalized(target) ? (row.locale ?? ref.locale ?? row.requestLocale) : null
  return `Document with id "${ref.documentId ?? String(ref.id)}", locale "${locale ?? 'null'}" not found`
}

/**
 * Resolves every relation of a prepared write (components included) for one row and returns the Query
 * Engine's `data`. Unknown documents in `set`/`connect` are collected into one ValidationError (dropped
 * when `lenient`: copying shared components to a locale the related document lacks).
 */
export async function toQueryData (ctx: ServiceContext, prepared: Prepared, row: RowContext, options: { lenient?: boolean } = {}): Promise<PlainObject> {
  const inputs: RelationInput[] = []
  collect(prepared, inputs)
  const lookups = new Map<string, { documentIds: Set<string>, ids: Set<number> }>()
  for (const input of inputs) {
    const target = input.attribute.target
    const entry = lookups.get(target) ?? { documentIds: new Set(), ids: new Set() }
    for (const ref of refsOf(input)) {
      if (ref.documentId !== undefined) entry.documentIds.add(ref.documentId)
      else if (ref.id !== undefined) entry.ids.add(ref.id)
    }
    lookups.set(target, entry)
  }
  const found = await targetRows(ctx, lookups)
  const errors: ValidationErrorItem[] = []
  const resolved = new Map<RelationInput, PlainObject>()
  for (const input of inputs) {
    const target = ctx.schema.get(input.attribute.target)
    if (target === undefined) throw new Error(`unknown relation target ${input.attribute.target}`)
    const rows = found.get(target.uid) ?? []
    const { toMany } = input.attribute
    const missingFiles: number[] = []
    const expand = (ref: RelationRef, report: boolean): TargetRow[] => {
      const matched = rowsFor(target, rows, ref, row, toMany)
      if (matched.length === 0 && report && options.lenient !== true && input.attribute.media !== undefined && ref.id !== undefined) {
        missingFiles.push(ref.id)
      } else if (matched.length === 0 && report && options.lenient !== true) {
        errors.push({ path: ref.path, message: notFound(target, ref, row), name: 'ValidationError', value: ref.documentId ?? ref.id ?? null })
      }
      return matched
    }
    const items = (refs: RelationRef[]): QueryItem[] => refs.flatMap((ref) => {
      const matched = expand(ref, true)
      const position = ref.position
      let at: PlainObject | undefined
      if (position !== undefined) {
        if ('start' in position || 'end' in position) {
          at = position
        } else {
          const [key, other] = 'before' in position ? ['before', position.before] as const : ['after', position.after] as const
          const anchor = rowsFor(target, rows, other, row, toMany)
          if (anchor[0] !== undefined) at = { [key]: anchor[0].id }
        }
      }
      // Several rows for one item (draft and published): kept together, draft first.
      const list2 = at !== undefined && 'start' in at ? [...matched].reverse() : matched
      return list2.map(r => ({ id: r.id, ...(at !== undefined && { position: at }) }))
    })
    const ops: PlainObject = {}
    if (input.set !== undefined) ops.set = items(input.set)
    if (input.connect.length > 0) ops.connect = items(input.connect)
    if (input.disconnect.length > 0) ops.disconnect = input.disconnect.flatMap(ref => expand(ref, false).map(r => r.id))
    if (missingFiles.length > 0) {
      // Strapi's words for unknown file ids (contract §25.6).
      errors.push({ path: [], message: `${missingFiles.length} relation(s) of type ${FILE_UID} associated with this entity do not exist`, name: 'ValidationError', value: missingFiles })
    }
    resolved.set(input, ops)
  }
  if (errors.length > 0) throw ValidationError.fromItems(errors)
  await checkMedia(ctx, inputs, resolved)
  return dataOf(prepared, resolved)
}

/** What each `allowedTypes` entry accepts, by MIME type: files are whatever the others are not. */
const MEDIA_KIND: Record<Exclude<MediaType, 'files'>, string> = { images: 'image/', videos: 'video/', audios: 'audio/' }

function mediaKindOf (mime: string): MediaType {
  for (const [kind, prefix] of Object.entries(MEDIA_KIND)) if (mime.startsWith(prefix)) return kind as MediaType
  return 'files'
}

/**
 * Beyond Strapi, which enforces neither through the API: a single media attribute takes one file, and every
 * file given must be of an `allowedTypes` kind. Checked before anything is written.
 */
async function checkMedia (ctx: ServiceContext, inputs: RelationInput[], resolved: Map<RelationInput, PlainObject>): Promise<void> {
  const errors: ValidationErrorItem[] = []
  const typed: Array<{ input: RelationInput, ids: number[] }> = []
  for (const input of inputs) {
    const media = input.attribute.media
    if (media === undefined) continue
    const ops = resolved.get(input) ?? {}
    const given = (list: unknown): number[] => Array.isArray(list) ? (list as Array<{ id: number }>).map(item => item.id) : []
    const set = [...new Set(given(ops.set))]
    const connect = [...new Set(given(ops.connect))]
    if (!media.multiple && (set.length > 1 || connect.length > 1)) {
      errors.push({ path: input.path, message: `${input.path.join('.')} takes one file (multiple is false), got ${Math.max(set.length, connect.length)}`, name: 'ValidationError', value: set.length > 1 ? set : connect })
    }
    if (media.allowedTypes !== undefined && set.length + connect.length > 0) typed.push({ input, ids: [...new Set([...set, ...connect])] })
  }
  if (typed.length > 0) {
    const ids = [...new Set(typed.flatMap(t => t.ids))]
    const files = await ctx.db.query(FILE_UID).findMany({ where: { id: { $in: ids } }, select: ['id', 'mime'] })
    const mimes = new Map(files.map(file => [file.id, String(file.mime ?? '')]))
    for (const { input, ids: given } of typed) {
      const allowed = input.attribute.media?.allowedTypes ?? []
      for (const id of given) {
        const mime = mimes.get(id) ?? ''
        if (allowed.includes(mediaKindOf(mime))) continue
        errors.push({ path: input.path, message: `${input.path.join('.')} does not accept file ${id} of type ${mime === '' ? 'unknown' : mime} (allowed: ${allowed.join(', ')})`, name: 'ValidationError', value: id })
      }
    }
  }
  if (errors.length > 0) throw ValidationError.fromItems(errors)
}

/**
 * The rows the items name, per target model: one statement for every target no lifecycle hook watches
 * (their FindMany events have no listener), a FindMany for each of the others.
 */
async function targetRows (ctx: ServiceContext, lookups: Map<string, { documentIds: Set<string>, ids: Set<number> }>): Promise<Map<string, TargetRow[]>> {
  const found = new Map<string, TargetRow[]>()
  const batch: TargetLookup[] = []
  for (const [uid, { documentIds, ids }] of lookups) {
    found.set(uid, [])
    if (documentIds.size === 0 && ids.size === 0) continue
    if (ctx.db.quiet(uid, ['findMany'])) {
      batch.push({ info: ctx.catalog.get(uid), documentIds: [...documentIds], ids: [...ids] })
      continue
    }
    const or: PlainObject[] = []
    if (documentIds.size > 0) or.push({ documentId: { $in: [...documentIds] } })
    if (ids.size > 0) or.push({ id: { $in: [...ids] } })
    const rows = await ctx.db.query(uid).findMany({
      where: or.length === 1 ? or[0] : { $or: or },
      select: ['id', 'documentId', 'locale', 'publishedAt'],
      orderBy: { id: 'asc' }
    })
    found.set(uid, rows as unknown as TargetRow[])
  }
  if (batch.length === 0) return found
  for (const row of await ctx.db.execute(compileTargetRows(batch))) {
    const { info } = batch[Number(row.n)]!
    found.get(info.uid)!.push({
      id: Number(row.id),
      documentId: String(row.documentId),
      locale: row.locale === null ? null : String(row.locale),
      publishedAt: row.publishedAt === null ? null : String(row.publishedAt)
    })
  }
  return found
}

/** The query data of scalars and components holding no relation: nothing to resolve (relations are left out). */
export function plainData (prepared: Prepared): PlainObject {
  return dataOf({ ...prepared, relations: [] }, new Map())
}

function dataOf (prepared: Prepared, resolved: Map<RelationInput, PlainObject>): PlainObject {
  const data: PlainObject = { ...prepared.scalars, ...prepared.morphs }
  for (const input of prepared.relations) data[input.attribute.name] = resolved.get(input) ?? {}
  for (const [name, items] of prepared.components) {
    const attribute = prepared.model.attributes[name]
    const rows = items.map(item => ({
      ...(attribute?.type === 'dynamiczone' && { __component: item.uid }),
      ...(item.id !== undefined && { id: item.id }),
      ...dataOf(item.data, resolved)
    }))
    data[name] = attribute?.type === 'component' && !attribute.repeatable ? rows[0] ?? null : rows
  }
  return data
}
