import type { ComponentAttribute, DynamicZoneAttribute } from '../content-types/index.js'
import { isPlainObject, type PlainObject } from './forms.js'

/**
 * The shape of a write's `data` (Strapi's wire format), read once for both layers: relation operations
 * (`set`/`connect`/`disconnect`, shorthands, positions) and component and dynamic-zone values. What an item
 * is and how a problem is worded is the caller's dialect: the Query Engine reads row ids and says "Invalid
 * value … expected …" (data.ts), the Document Service reads documentIds and words yup's messages
 * (lib/document/validate.ts).
 */

export type Position<R> = { start: true } | { end: true } | { before: R } | { after: R }

export interface RelationOps<R> {
  /** Replace every link, in this order. */
  set?: R[]
  connect: R[]
  disconnect: R[]
}

/** What a dialect says where the shape is wrong (each records a problem; parsing goes on). */
export interface PayloadDialect<R> {
  /** One relation item; `position` says whether it may carry one (set and connect items). */
  ref: (value: unknown, path: string[], position: boolean) => R | undefined
  /** Items of a relation list are named by their index (else by the list's path). */
  indexed: boolean
  /** A key of a relation operations object that is not one. */
  invalidKey: (path: string[], key: string, value: unknown) => void
  badPosition: (path: string[], value: unknown) => void
  /** A value that must be an object (a component) or an array (repeatable components, zones). */
  expected: (path: string[], value: unknown, shape: 'object' | 'array') => void
  /** A dynamic-zone item without `__component` (`value`), or naming a component the zone does not allow. */
  badComponent: (path: string[], value: unknown, allowed: readonly string[]) => void
}

const RELATION_KEYS = new Set(['connect', 'disconnect', 'set', 'options'])

/** `{ start }`, `{ end }`, `{ before: item }` or `{ after: item }` (qs gives `'true'`). */
export function parsePosition<R> (dialect: PayloadDialect<R>, value: unknown, path: string[]): Position<R> | undefined {
  if (isPlainObject(value) && Object.keys(value).length === 1) {
    if (value.start === true || value.start === 'true') return { start: true }
    if (value.end === true || value.end === 'true') return { end: true }
    for (const key of ['before', 'after'] as const) {
      if (value[key] === undefined) continue
      const ref = dialect.ref(value[key], [...path, key], false)
      if (ref === undefined) return undefined
      return key === 'before' ? { before: ref } : { after: ref }
    }
  }
  dialect.badPosition(path, value)
  return undefined
}

/**
 * Inserts `key` into a list of links where `position` puts it (`keyOf` names an anchor's key). A position
 * relative to an entry that is not linked appends, as Strapi does without `strict`.
 */
export function placeAt<K, R> (list: K[], key: K, position: Position<R> | undefined, keyOf: (ref: R) => K): void {
  let index = list.length
  if (position !== undefined && 'start' in position) index = 0
  else if (position !== undefined && 'before' in position) index = list.indexOf(keyOf(position.before))
  else if (position !== undefined && 'after' in position) {
    const at = list.indexOf(keyOf(position.after))
    index = at === -1 ? -1 : at + 1
  }
  list.splice(index === -1 ? list.length : index, 0, key)
}

function refList<R> (dialect: PayloadDialect<R>, value: unknown, path: string[], position: boolean): R[] {
  if (value === null || value === undefined) return []
  if (!Array.isArray(value)) {
    const ref = dialect.ref(value, path, position)
    return ref === undefined ? [] : [ref]
  }
  return value.flatMap((item, index) => dialect.ref(item, dialect.indexed ? [...path, String(index)] : path, position) ?? [])
}

/** `null` (clear), an item or a list (shorthands for `set`), or `{ set, connect, disconnect }`. */
export function parseRelationOps<R> (dialect: PayloadDialect<R>, value: unknown, path: string[]): RelationOps<R> {
  if (value === null) return { set: [], connect: [], disconnect: [] }
  if (!isPlainObject(value) || !Object.keys(value).some(k => RELATION_KEYS.has(k))) {
    return { set: refList(dialect, value, path, false), connect: [], disconnect: [] }
  }
  for (const key of Object.keys(value)) if (!RELATION_KEYS.has(key)) dialect.invalidKey(path, key, value[key])
  const ops: RelationOps<R> = {
    connect: refList(dialect, value.connect, [...path, 'connect'], true),
    disconnect: refList(dialect, value.disconnect, [...path, 'disconnect'], false)
  }
  if (value.set !== undefined) ops.set = refList(dialect, value.set, [...path, 'set'], true)
  return ops
}

/** One component item as given: its component, its fields (without `id` and `__component`) and its `id`. */
export interface ComponentValue {
  uid: string
  fields: PlainObject
  id: unknown
  path: string[]
}

/**
 * The items of a component or dynamic-zone value (`null` clears: no items), each an object naming an allowed
 * component. `__component` belongs to zone items only: anywhere else it is left in `fields`, an unknown key.
 */
export function componentValues (dialect: PayloadDialect<unknown>, attribute: ComponentAttribute | DynamicZoneAttribute, value: unknown, path: string[]): ComponentValue[] {
  if (value === null) return []
  const zone = attribute.type === 'dynamiczone'
  if (attribute.type === 'component' && !attribute.repeatable) return componentItem(dialect, attribute.component, value, path, false)
  if (!Array.isArray(value)) {
    dialect.expected(path, value, 'array')
    return []
  }
  return value.flatMap((item: unknown, index) => {
    const itemPath = [...path, String(index)]
    if (!zone) return componentItem(dialect, attribute.component, item, itemPath, false)
    const uid = isPlainObject(item) ? item.__component : undefined
    if (isPlainObject(item) && (typeof uid !== 'string' || !attribute.components.includes(uid))) {
      dialect.badComponent([...itemPath, '__component'], uid ?? undefined, attribute.components)
      return []
    }
    return componentItem(dialect, String(uid), item, itemPath, true)
  })
}

function componentItem (dialect: PayloadDialect<unknown>, uid: string, value: unknown, path: string[], zone: boolean): ComponentValue[] {
  if (!isPlainObject(value)) {
    dialect.expected(path, value, 'object')
    return []
  }
  const { id, ...fields } = value
  if (zone) delete fields.__component
  return [{ uid, fields, id, path }]
}
