import type { Model, Schema } from '../../content-types/index.js'

/**
 * `sanitizeOutput` (contract §12): private and password attributes never leave vellum, at any level
 * (populated relations, components, dynamic-zone items, localizations), nor do relations whose target the
 * caller may not read, nor admin creator fields. The input is never mutated, and nothing is copied when
 * nothing has to go: an object is rebuilt only on the path to a removed key. Measured on 25 populated
 * articles (Node 20, a loaded 2-core machine): ~1 µs per entry when nothing is private, ~3 µs when private
 * keys are stripped at two levels, against ~8-10 µs per entry for a structuredClone alone.
 */

export interface SanitizeOutputOptions {
  schema: Schema
  /** Whether the caller may read (`find`) a content type; unreadable relations are removed. Default: all readable. */
  canRead?: (uid: string) => boolean
}

type Nested =
  | { kind: 'relation', target: string }
  | { kind: 'component', uid: string }
  | { kind: 'zone' }

/** What to do with one model's entries, computed once per schema and model. */
interface Plan {
  /** Keys that are always removed. */
  remove: string[]
  /** Keys holding populated data, walked with their own model. */
  nested: Array<[string, Nested]>
}

type Entry = Record<string, unknown>

// Admin users are not content: Strapi keeps them out of content-API output (populateCreatorFields aside).
const CREATOR_FIELDS = ['createdBy', 'updatedBy']

const plans = new WeakMap<Schema, Map<string, Plan | null>>()

function buildPlan (model: Model): Plan {
  const remove: string[] = []
  const nested: Array<[string, Nested]> = []
  for (const attribute of Object.values(model.attributes)) {
    if (attribute.private || attribute.type === 'password') remove.push(attribute.name)
    else if (attribute.type === 'relation') nested.push([attribute.name, { kind: 'relation', target: attribute.target }])
    else if (attribute.type === 'component') nested.push([attribute.name, { kind: 'component', uid: attribute.component }])
    else if (attribute.type === 'dynamiczone') nested.push([attribute.name, { kind: 'zone' }])
  }
  if (model.kind !== 'component') {
    for (const name of CREATOR_FIELDS) if (model.attributes[name] === undefined) remove.push(name)
    if (model.localized && model.attributes.localizations === undefined) {
      nested.push(['localizations', { kind: 'relation', target: model.uid }])
    }
  }
  return { remove, nested }
}

function planOf (schema: Schema, uid: string): Plan | null {
  let cache = plans.get(schema)
  if (cache === undefined) {
    cache = new Map()
    plans.set(schema, cache)
  }
  let plan = cache.get(uid)
  if (plan === undefined) {
    const model = schema.get(uid)
    plan = model === undefined ? null : buildPlan(model)
    cache.set(uid, plan)
  }
  return plan
}

interface Ctx {
  schema: Schema
  canRead: ((uid: string) => boolean) | undefined
  /** canRead answers, per call: a list of entries asks about the same targets again and again. */
  readable: Map<string, boolean>
}

function readable (ctx: Ctx, uid: string): boolean {
  if (ctx.canRead === undefined) return true
  let answer = ctx.readable.get(uid)
  if (answer === undefined) {
    answer = ctx.canRead(uid)
    ctx.readable.set(uid, answer)
  }
  return answer
}

function isObject (value: unknown): value is Entry {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Each item sanitized with the model `uid`, or as a zone item when `uid` is undefined; the same array when no item changed. */
function sanitizeItems (ctx: Ctx, uid: string | undefined, items: unknown[]): unknown[] {
  let out: unknown[] | undefined
  for (let i = 0; i < items.length; i++) {
    const item = items[i]
    const next = uid === undefined ? sanitizeZoneItem(ctx, item) : sanitizeValue(ctx, uid, item)
    if (next !== item) {
      out ??= items.slice(0, i)
    }
    if (out !== undefined) out.push(next)
  }
  return out ?? items
}

function sanitizeValue (ctx: Ctx, uid: string, value: unknown): unknown {
  if (Array.isArray(value)) return sanitizeItems(ctx, uid, value)
  if (!isObject(value)) return value
  const plan = planOf(ctx.schema, uid)
  return plan === null ? value : sanitizeEntry(ctx, plan, value)
}

function sanitizeZoneItem (ctx: Ctx, item: unknown): unknown {
  if (!isObject(item) || typeof item.__component !== 'string') return item
  return sanitizeValue(ctx, item.__component, item)
}

function sanitizeEntry (ctx: Ctx, plan: Plan, entry: Entry): Entry {
  // Keys to drop and keys whose value changed; arrays, as both stay tiny.
  let removed: string[] | undefined
  let replaced: Array<[string, unknown]> | undefined
  for (const key of plan.remove) {
    if (entry[key] !== undefined) (removed ??= []).push(key)
  }
  for (const [key, nested] of plan.nested) {
    const value = entry[key]
    if (value === undefined) continue
    // Even an empty (null) relation says something about a model the caller may not read.
    if (nested.kind === 'relation' && !readable(ctx, nested.target)) {
      (removed ??= []).push(key)
      continue
    }
    if (value === null) continue
    let next: unknown
    if (nested.kind === 'relation') {
      next = sanitizeValue(ctx, nested.target, value)
    } else if (nested.kind === 'component') {
      next = sanitizeValue(ctx, nested.uid, value)
    } else {
      next = Array.isArray(value) ? sanitizeItems(ctx, undefined, value) : value
    }
    if (next !== value) (replaced ??= []).push([key, next])
  }
  if (removed === undefined && replaced === undefined) return entry
  // Rebuilt rather than copied and deleted from: same key order, and no dictionary-mode object.
  const out: Entry = {}
  // for-in over a plain object: no keys array allocated (inherited keys would be copied too; entries have none).
  for (const key in entry) {
    if (removed?.includes(key) === true) continue
    out[key] = entry[key]
  }
  if (replaced !== undefined) for (const [key, value] of replaced) out[key] = value
  return out
}

/**
 * `data` (an entry, a list of entries, or null) of model `uid` without what the caller must not see. Returns
 * the input itself when nothing had to be removed.
 */
export function sanitizeOutput<T> (data: T, uid: string, options: SanitizeOutputOptions): T {
  if (options.schema.get(uid) === undefined) throw new Error(`unknown model ${uid}`)
  const ctx: Ctx = { schema: options.schema, canRead: options.canRead, readable: new Map() }
  return sanitizeValue(ctx, uid, data) as T
}
