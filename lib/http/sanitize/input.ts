import type { Model, Schema } from '../../content-types/index.js'
import { ValidationError } from '../../errors.js'

/**
 * Relations in a write's `data` whose target the caller may not read (contract §12): Strapi's `validateInput`
 * answers 400 "Invalid key <attribute>" for them and its `sanitizeInput` removes them. The answer depends on
 * the attribute alone, never on the ids given, so it tells nothing about which documents exist. Relations
 * are found at any depth: inside components, repeatable components and dynamic-zone items.
 */

export interface InputAccessOptions {
  schema: Schema
  /** Whether the caller may read (`find`) a content type. */
  canRead: (uid: string) => boolean
}

type Entry = Record<string, unknown>

function isEntry (value: unknown): value is Entry {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A restricted relation met at `path`: return to drop it, or throw to refuse the write. */
type OnRestricted = (key: string, path: string) => void

/** `entry` of `model` without its restricted relations; the same object when it has none. */
function walkEntry (options: InputAccessOptions, model: Model, entry: Entry, path: string, onRestricted: OnRestricted): Entry {
  let out: Entry | undefined
  for (const [key, value] of Object.entries(entry)) {
    const attribute = model.attributes[key]
    if (attribute === undefined || value === undefined) continue
    const keyPath = path === '' ? key : `${path}.${key}`
    let next: unknown = value
    if (attribute.type === 'relation') {
      if (options.canRead(attribute.target)) continue
      onRestricted(key, keyPath)
      next = undefined
    } else if (attribute.type === 'component') {
      next = walkItems(options, value, keyPath, onRestricted, () => options.schema.get(attribute.component))
    } else if (attribute.type === 'dynamiczone') {
      next = walkItems(options, value, keyPath, onRestricted, item =>
        typeof item.__component === 'string' && attribute.components.includes(item.__component) ? options.schema.get(item.__component) : undefined)
    }
    if (next === value) continue
    out ??= { ...entry }
    if (next === undefined) delete out[key]
    else out[key] = next
  }
  return out ?? entry
}

/** A component value (one entry or a list) or a zone's items, each walked with the model `modelOf` names. */
function walkItems (options: InputAccessOptions, value: unknown, path: string, onRestricted: OnRestricted, modelOf: (item: Entry) => Model | undefined): unknown {
  const one = (item: unknown, itemPath: string): unknown => {
    if (!isEntry(item)) return item
    const model = modelOf(item)
    return model === undefined ? item : walkEntry(options, model, item, itemPath, onRestricted)
  }
  if (!Array.isArray(value)) return one(value, path)
  let out: unknown[] | undefined
  value.forEach((item, index) => {
    const next = one(item, `${path}.${index}`)
    if (next !== item) (out ??= [...value])[index] = next
  })
  return out ?? value
}

function modelOf (options: InputAccessOptions, uid: string): Model {
  const model = options.schema.get(uid)
  if (model === undefined) throw new Error(`unknown model ${uid}`)
  return model
}

/** Refuses a write that names a relation the caller may not read: 400 "Invalid key", as Strapi's validateInput. */
export function checkInputRelations (data: Entry, uid: string, options: InputAccessOptions): void {
  walkEntry(options, modelOf(options, uid), data, '', (key, path) => {
    throw new ValidationError(`Invalid key ${key}`, { key, path, source: 'body' })
  })
}

/** `data` without the relations the caller may not read (the input is never mutated). */
export function sanitizeInputRelations (data: Entry, uid: string, options: InputAccessOptions): Entry {
  return walkEntry(options, modelOf(options, uid), data, '', () => {})
}
