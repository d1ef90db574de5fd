import type { ContentType, Model } from '../content-types/index.js'
import { ValidationError, type ValidationErrorItem } from '../errors.js'
import { type DocumentInsert, type DocumentLinks, type Entry, parseData, placeAt, type PlainObject, type SelectPlan } from '../query/index.js'
import { isDraftAndPublish, isLocalized, rowLocale, type ServiceContext } from './context.js'
import { plainData } from './relations.js'
import { generatedUids, withPickedUid } from './uid.js'
import { type Prepared, type RelationInput, type RelationRef, validateStored } from './validate.js'

/**
 * A new document written by one statement (see DocumentInsert): when no lifecycle hook listens to the events a
 * create would fire, and the data is of a shape the statement covers (scalars, a generated uid, a draft's plain
 * components (see plainComponents), owning-side
 * relations by documentId, positioned or not, whose target side holds many sources; on a type without draft &
 * publish, no to-many relation to a draft & publish type). The rows, links, timestamps and answers are
 * those of the step-by-step create (repository.ts), which runs for everything else.
 */

/** The events a create fires on its own model (a FindOne inside each write, a FindMany when publishing). */
const OWN_ACTIONS = ['create', 'findOne', 'findMany'] as const

export interface NewDocument {
  documentId: string
  /** The call's locale. */
  locale: string
  /** Also write the published row. */
  publish: boolean
}

interface PlannedLinks {
  input: RelationInput
  links: DocumentLinks
}

export interface CreatePlan {
  model: ContentType
  doc: NewDocument
  data: PlainObject
  links: PlannedLinks[]
  uid?: { name: string, base: string }
}

/** A ref the statement resolves: a documentId (no row id, locale or status), placed relative to such a ref if at all. */
function plainRef (ref: RelationRef): boolean {
  if (ref.documentId === undefined || ref.id !== undefined || ref.locale !== undefined || ref.status !== undefined) return false
  const { position } = ref
  return position === undefined || 'start' in position || 'end' in position || plainRef('before' in position ? position.before : position.after)
}

/** The documents linked after set / disconnect / connect, in order (the Query Engine's finalList, by documentId). */
function finalDocuments (input: RelationInput): string[] {
  const id = (ref: RelationRef): string => ref.documentId ?? ''
  const removed = new Set(input.disconnect.map(id))
  let list = [...new Set((input.set ?? []).map(id))].filter(d => !removed.has(d))
  for (const ref of input.connect) {
    list = list.filter(d => d !== id(ref))
    placeAt(list, id(ref), ref.position, id)
  }
  // To-one: the last one given wins.
  return input.attribute.toMany ? list : list.slice(-1)
}

/** The draft as it would be read back deep, for the publish rules (relations are not checked). */
function storedDraft (model: Model, prepared: Prepared, uid: CreatePlan['uid']): PlainObject {
  const row: PlainObject = {}
  for (const attribute of Object.values(model.attributes)) {
    const { name } = attribute
    if (attribute.type === 'relation' || attribute.type === 'morph') continue
    if (attribute.type === 'component') row[name] = attribute.repeatable ? [] : null
    else if (attribute.type === 'dynamiczone') row[name] = []
    else if (name === uid?.name) row[name] = uid.base
    else row[name] = prepared.scalars[name] !== undefined ? prepared.scalars[name] : attribute.default ?? null
  }
  return row
}

/**
 * Components the statement writes with the row: new items without relations or components of their own, on a
 * draft (one row), whose component models no create hook watches.
 */
function plainComponents (ctx: ServiceContext, prepared: Prepared, draftOnly: boolean): boolean {
  const items = [...prepared.components.values()].flat()
  if (items.length > 0 && !draftOnly) return false
  return items.every(item => item.id === undefined && item.data.relations.length === 0 && item.data.components.size === 0 && ctx.db.quiet(item.uid, ['create']))
}

/** The one-statement plan of a create, or undefined when the step-by-step create must run. */
export async function planCreate (ctx: ServiceContext, model: ContentType, prepared: Prepared, doc: NewDocument): Promise<CreatePlan | undefined> {
  const dp = isDraftAndPublish(model)
  if (!ctx.db.quiet(model.uid, OWN_ACTIONS) || !plainComponents(ctx, prepared, dp && !doc.publish) || prepared.morphs !== undefined) return undefined
  const info = ctx.catalog.get(model.uid)
  const rowLoc = rowLocale(model, doc.locale)
  const links: PlannedLinks[] = []
  for (const input of prepared.relations) {
    const { attribute } = input
    const target = ctx.schema.contentTypes.get(attribute.target)
    const link = info.relations.get(attribute.name)
    if (target === undefined || link === undefined || !attribute.owner || !ctx.db.quiet(target.uid, ['findMany'])) return undefined
    // Linking a to-one target side takes it from other rows, and a never-published target is dropped on publish.
    if (attribute.relation === 'oneToOne' || attribute.relation === 'oneToMany') return undefined
    // Media are checked against their files (relations.ts checkMedia) on the step-by-step path.
    if (attribute.morph !== undefined) return undefined
    // The one row of a type without draft & publish links both rows of each draft & publish target (to-many).
    if (!dp && attribute.toMany && isDraftAndPublish(target)) return undefined
    const refs = [...(input.set ?? []), ...input.connect, ...input.disconnect]
    if (!refs.every(plainRef)) return undefined
    const checked = [...new Set([...(input.set ?? []), ...input.connect].map(ref => ref.documentId ?? ''))]
    links.push({
      input,
      links: {
        link,
        target: ctx.catalog.get(target.uid),
        checked,
        final: finalDocuments(input),
        ...(isLocalized(target) && { locale: rowLoc ?? doc.locale })
      }
    })
  }
  const uids = await generatedUids(model, prepared.scalars)
  if (uids.length > 1) return undefined
  const [uid] = uids
  if (uid !== undefined) {
    const attribute = model.attributes[uid.name]
    // Rules the generated value itself must meet are checked on the stored row: step by step.
    if (attribute === undefined || attribute.type !== 'uid' || attribute.maxLength !== undefined || attribute.minLength !== undefined || attribute.regex !== undefined) return undefined
  }
  // A draft the publish rules reject: the step-by-step create reports it after its lookups, as before.
  if (doc.publish && validateStored(ctx.schema, model, storedDraft(model, prepared, uid)).length > 0) return undefined
  const data: PlainObject = { ...plainData(prepared), documentId: doc.documentId, locale: rowLoc }
  return { model, doc, data, links, ...(uid !== undefined && { uid }) }
}

function notFound (plan: CreatePlan, found: string[][]): ValidationErrorItem[] {
  const errors: ValidationErrorItem[] = []
  for (const [n, { input, links }] of plan.links.entries()) {
    const present = new Set(found[n] ?? [])
    const locale = links.locale ?? 'null'
    for (const ref of [...(input.set ?? []), ...input.connect]) {
      if (ref.documentId === undefined || present.has(ref.documentId)) continue
      errors.push({ path: ref.path, message: `Document with id "${ref.documentId}", locale "${locale}" not found`, name: 'ValidationError', value: ref.documentId })
    }
  }
  return errors
}

/**
 * Runs a plan: the draft, and the published row when publishing, with their links, in one statement. With
 * `entry` (a select populating nothing), the statement also answers the last row as that select reads it.
 */
export async function insertPlanned (ctx: ServiceContext, plan: CreatePlan, entry?: SelectPlan): Promise<Entry | undefined> {
  const { model, doc } = plan
  const info = ctx.catalog.get(model.uid)
  const draftAt = new Date().toISOString()
  // Without draft & publish the one row is published when created.
  const rows: DocumentInsert['rows'] = [{ createdAt: draftAt, updatedAt: draftAt, publishedAt: isDraftAndPublish(model) ? null : draftAt }]
  if (doc.publish) {
    const publishedAt = new Date().toISOString()
    rows.push({ createdAt: draftAt, updatedAt: publishedAt, publishedAt })
  }
  const base = { data: parseData(ctx.catalog, model.uid, plan.data), rows, relations: plan.links.map(l => l.links), ...(entry !== undefined && { entry }) }
  const check = (found: string[][]): void => {
    const errors = notFound(plan, found)
    if (errors.length > 0) throw ValidationError.fromItems(errors)
  }
  const { uid } = plan
  if (uid === undefined) {
    const inserted = await ctx.db.insertDocument(model.uid, { ...base, yieldUid: false })
    check(inserted.found)
    return inserted.entry
  }
  const field = info.fields.get(uid.name)
  if (field === undefined) throw new Error(`${model.uid}.${uid.name} is not stored`)
  const locale = rowLocale(model, doc.locale)
  // Draft rows are outside the unique index, so a value taken while the statement waited for the lock would not
  // make it yield: the lock is taken first, and the statement's snapshot sees every value generated before.
  const lockFirst = !doc.publish && isDraftAndPublish(model)
  let written: Entry | undefined
  await withPickedUid(ctx, { model, name: uid.name, base: uid.base, locale }, lockFirst, async (skip, last) => {
    const inserted = await ctx.db.insertDocument(model.uid, {
      ...base,
      uid: { field, base: uid.base, skip, documentId: doc.documentId, ...(locale !== null && { locale }) },
      yieldUid: !last
    })
    check(inserted.found)
    written = inserted.entry
    // No row: a concurrent write took the value first.
    return inserted.ids.length === 0 ? undefined : inserted.uid
  })
  return written
}
