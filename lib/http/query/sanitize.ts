import type { Model, Schema } from '../../content-types/index.js'
import { isLocalizations, starNames } from '../../document/index.js'
import { isPlainObject, optionsOf, type PlainObject, populateEntries } from '../../query/index.js'
import type { CanRead } from './types.js'

/**
 * `sanitizeQuery` (contract §7, §8.5): populating a relation whose target the caller may not read is not an
 * error, the relation is silently left out, at any depth (through components and dynamic-zone fragments
 * too). Everything else was checked by `validateQuery`, which must run first; the query is returned as a
 * copy, its `populate` untouched (same value) when nothing had to go.
 */

export interface SanitizeQueryOptions {
  schema: Schema
  canRead?: CanRead
}

interface Ctx {
  schema: Schema
  canRead: CanRead
}

function modelOf (ctx: Ctx, uid: string): Model | undefined {
  return ctx.schema.get(uid)
}

/** One populated attribute's options with its nested populate sanitized; undefined = drop the attribute. */
function sanitizeOptions (ctx: Ctx, model: Model, name: string, raw: unknown): { value: unknown, changed: boolean } | undefined {
  const options = optionsOf(raw)?.options
  if (options === undefined) return { value: raw, changed: false }
  let target: Model | undefined
  if (isLocalizations(model, name)) {
    target = model
  } else {
    const attribute = model.attributes[name]
    if (attribute?.type === 'relation') {
      if (!ctx.canRead(attribute.target)) return undefined
      target = modelOf(ctx, attribute.target)
    } else if (attribute?.type === 'component') {
      target = modelOf(ctx, attribute.component)
    } else if (attribute?.type === 'dynamiczone') {
      return sanitizeZone(ctx, attribute.components, raw, options)
    }
  }
  if (target === undefined || options.populate === undefined) return { value: raw, changed: false }
  const nested = sanitizePopulateValue(ctx, target, options.populate)
  if (nested === options.populate) return { value: raw, changed: false }
  return { value: { ...options, populate: nested }, changed: true }
}

function sanitizeZone (ctx: Ctx, components: string[], raw: unknown, options: PlainObject): { value: unknown, changed: boolean } {
  const unchanged = { value: raw, changed: false }
  if (options.on === undefined) {
    if (options.populate === undefined) return unchanged
    // The zone's populate applies to each component: when one of them loses something, spell out `on`.
    const per = components.map(uid => {
      const component = modelOf(ctx, uid)
      return [uid, component === undefined ? options.populate : sanitizePopulateValue(ctx, component, options.populate)] as const
    })
    if (per.every(([, populate]) => populate === options.populate)) return unchanged
    const { populate: _dropped, ...rest } = options
    return { value: { ...rest, on: Object.fromEntries(per.map(([uid, populate]) => [uid, { populate }])) }, changed: true }
  }
  if (!isPlainObject(options.on)) return unchanged
  let changed = false
  const on: PlainObject = {}
  for (const [uid, fragment] of Object.entries(options.on)) {
    const fragmentOptions = optionsOf(fragment)?.options
    const component = modelOf(ctx, uid)
    on[uid] = fragment
    if (fragmentOptions?.populate === undefined || component === undefined) continue
    const nested = sanitizePopulateValue(ctx, component, fragmentOptions.populate)
    if (nested === fragmentOptions.populate) continue
    on[uid] = { ...fragmentOptions, populate: nested }
    changed = true
  }
  return changed ? { value: { ...options, on }, changed } : unchanged
}

/** The populate value with unreadable relations removed; the same value when nothing was removed. */
function sanitizePopulateValue (ctx: Ctx, model: Model, value: unknown): unknown {
  // validateQuery ran first: the value has a populate form and fits the array limit.
  const entries = populateEntries(value) ?? {}
  const names = Object.keys(entries)
  if (names.length === 0) return value
  let changed = false
  const out: PlainObject = {}
  if ('*' in entries) {
    const expanded = starNames(model, false)
    const kept = expanded.filter(name => {
      const attribute = model.attributes[name]
      return attribute?.type !== 'relation' || ctx.canRead(attribute.target)
    })
    if (kept.length === expanded.length) {
      out['*'] = entries['*']
    } else {
      // `*` would reach an unreadable relation: spell out the rest (explicit entries below still override).
      for (const name of kept) out[name] = true
      changed = true
    }
  }
  for (const name of names) {
    if (name === '*') continue
    const result = sanitizeOptions(ctx, model, name, entries[name])
    if (result === undefined) {
      delete out[name]
      changed = true
      continue
    }
    out[name] = result.value
    if (result.changed) changed = true
  }
  if (!changed) return value
  return out
}

/** A copy of the query, with `populate` of relations the caller may not read removed at every depth. */
export function sanitizeQuery (query: Record<string, unknown>, uid: string, options: SanitizeQueryOptions): Record<string, unknown> {
  const copy = { ...query }
  const model = options.schema.get(uid)
  if (model === undefined) throw new Error(`unknown model ${uid}`)
  if (options.canRead === undefined || copy.populate === undefined || copy.populate === null) return copy
  const populate = sanitizePopulateValue({ schema: options.schema, canRead: options.canRead }, model, copy.populate)
  if (populate !== copy.populate) copy.populate = populate
  return copy
}
