import type { ComponentAttribute, DynamicZoneAttribute } from '../content-types/index.js'
import type { RelationLink } from '../db/index.js'
import { ValidationError, type ValidationErrorItem } from '../errors.js'
import type { Catalog, FieldInfo, ModelInfo } from './model.js'
import { isPlainObject } from './forms.js'
import { preview } from './params.js'
import type { SqlValue } from './values.js'
import { castInput } from './values.js'

/**
 * `data` of create/update → a typed write plan: scalar values cast per attribute, relation operations with
 * numeric ids, component and dynamic-zone items parsed recursively. All problems are collected and thrown
 * together, in the attribute-validation format (`details.errors[{ path, message, name, value }]`).
 */

export type Position = { start: true } | { end: true } | { before: number } | { after: number }

export interface RelationItem {
  id: number
  position?: Position
}

export interface RelationOps {
  /** Replace every link (in this order). */
  set?: RelationItem[]
  connect: RelationItem[]
  disconnect: number[]
}

export interface RelationWrite {
  name: string
  link: RelationLink
  target: ModelInfo
  ops: RelationOps
}

export interface ComponentItem {
  /** The component model (per item: dynamic zones mix them). */
  info: ModelInfo
  data: WriteData
}

export interface ComponentWrite {
  name: string
  attribute: ComponentAttribute | DynamicZoneAttribute
  /** In order; empty clears (null for a single component). */
  items: ComponentItem[]
}

export interface WriteData {
  /** A component's own id: update that component in place. */
  id?: number
  scalars: Map<string, { field: FieldInfo, value: SqlValue }>
  relations: RelationWrite[]
  components: ComponentWrite[]
}

const SYSTEM_WRITABLE = new Set(['documentId', 'createdAt', 'updatedAt', 'publishedAt', 'locale'])
const RELATION_KEYS = new Set(['set', 'connect', 'disconnect', 'options'])

interface Ctx {
  catalog: Catalog
  errors: ValidationErrorItem[]
}

function problem (ctx: Ctx, path: string[], message: string, value: unknown): void {
  ctx.errors.push({ path, message, name: 'ValidationError', value: value ?? null })
}

/** Length and precision limits of the column itself (varchar(n), numeric(p,s)), checked before PostgreSQL. */
function checkColumnLimits (ctx: Ctx, info: ModelInfo, field: FieldInfo, value: SqlValue, path: string[]): boolean {
  const sqlType = info.tables.columns[field.name]?.sqlType ?? ''
  const varchar = /^varchar\((\d+)\)$/.exec(sqlType)
  if (varchar !== null && typeof value === 'string' && [...value].length > Number(varchar[1])) {
    problem(ctx, path, `${path.join('.')} must be at most ${varchar[1]} characters`, value)
    return false
  }
  const numeric = /^numeric\((\d+),(\d+)\)$/.exec(sqlType)
  if (numeric !== null && value !== null) {
    const limit = 10 ** (Number(numeric[1]) - Number(numeric[2]))
    if (Math.abs(Number(value)) >= limit) {
      problem(ctx, path, `${path.join('.')} must be less than ${limit}`, value)
      return false
    }
  }
  return true
}

function parseId (ctx: Ctx, value: unknown, path: string[]): number | undefined {
  const cast = castInput('integer', value)
  if (!cast.ok || typeof cast.value !== 'number' || cast.value < 1) {
    problem(ctx, path, `Invalid value ${preview(value)} for ${path.join('.')}: expected an id`, value)
    return undefined
  }
  return cast.value
}

function parsePosition (ctx: Ctx, value: unknown, path: string[]): Position | undefined {
  if (isPlainObject(value)) {
    const keys = Object.keys(value)
    if (keys.length === 1) {
      if (value.start === true) return { start: true }
      if (value.end === true) return { end: true }
      if (value.before !== undefined || value.after !== undefined) {
        const id = parseId(ctx, value.before ?? value.after, [...path, keys[0] ?? ''])
        if (id === undefined) return undefined
        return value.before !== undefined ? { before: id } : { after: id }
      }
    }
  }
  problem(ctx, path, `Invalid position for ${path.join('.')}: expected { start }, { end }, { before: id } or { after: id }`, value)
  return undefined
}

function parseRelationItem (ctx: Ctx, value: unknown, path: string[]): RelationItem | undefined {
  if (!isPlainObject(value)) {
    const id = parseId(ctx, value, path)
    return id === undefined ? undefined : { id }
  }
  for (const key of Object.keys(value)) {
    if (key !== 'id' && key !== 'position') problem(ctx, [...path, key], `Invalid key ${key}`, value[key])
  }
  const id = parseId(ctx, value.id, path)
  if (id === undefined) return undefined
  if (value.position === undefined) return { id }
  const position = parsePosition(ctx, value.position, [...path, 'position'])
  return position === undefined ? undefined : { id, position }
}

function parseRelationList (ctx: Ctx, value: unknown, path: string[]): RelationItem[] {
  const list = Array.isArray(value) ? value : [value]
  return list.flatMap(v => parseRelationItem(ctx, v, path) ?? [])
}

/** `null`, an id, a list of ids (`set`), `{ id }`, or `{ set, connect, disconnect }`. */
function parseRelation (ctx: Ctx, value: unknown, path: string[]): RelationOps {
  if (value === null) return { set: [], connect: [], disconnect: [] }
  if (!isPlainObject(value) || !Object.keys(value).some(k => RELATION_KEYS.has(k))) {
    return { set: parseRelationList(ctx, value, path), connect: [], disconnect: [] }
  }
  for (const key of Object.keys(value)) {
    if (!RELATION_KEYS.has(key)) problem(ctx, [...path, key], `Invalid key ${key}`, value[key])
  }
  const ops: RelationOps = { connect: [], disconnect: [] }
  if (value.set !== undefined) ops.set = value.set === null ? [] : parseRelationList(ctx, value.set, [...path, 'set'])
  if (value.connect !== undefined && value.connect !== null) ops.connect = parseRelationList(ctx, value.connect, [...path, 'connect'])
  if (value.disconnect !== undefined && value.disconnect !== null) {
    ops.disconnect = parseRelationList(ctx, value.disconnect, [...path, 'disconnect']).map(i => i.id)
  }
  return ops
}

function parseComponentItem (ctx: Ctx, info: ModelInfo, value: unknown, path: string[], zone: boolean): WriteData | undefined {
  if (!isPlainObject(value)) {
    problem(ctx, path, `Invalid value ${preview(value)} for ${path.join('.')}: expected an object`, value)
    return undefined
  }
  const { id, ...rest } = value
  // A dynamic-zone item names its component; anywhere else `__component` is an unknown key.
  if (zone) delete rest.__component
  const data = parseObject(ctx, info, rest, path)
  if (id !== undefined && id !== null) {
    const parsed = parseId(ctx, id, [...path, 'id'])
    if (parsed !== undefined) data.id = parsed
  }
  return data
}

function parseComponent (ctx: Ctx, attribute: ComponentAttribute, value: unknown, path: string[]): ComponentWrite {
  const info = ctx.catalog.get(attribute.component)
  const write: ComponentWrite = { name: attribute.name, attribute, items: [] }
  if (value === null) return write
  if (attribute.repeatable) {
    if (!Array.isArray(value)) {
      problem(ctx, path, `Invalid value ${preview(value)} for ${path.join('.')}: expected an array`, value)
      return write
    }
    value.forEach((item, index) => {
      const data = parseComponentItem(ctx, info, item, [...path, String(index)], false)
      if (data !== undefined) write.items.push({ info, data })
    })
    return write
  }
  const data = parseComponentItem(ctx, info, value, path, false)
  if (data !== undefined) write.items.push({ info, data })
  return write
}

function parseZone (ctx: Ctx, attribute: DynamicZoneAttribute, value: unknown, path: string[]): ComponentWrite {
  const write: ComponentWrite = { name: attribute.name, attribute, items: [] }
  if (value === null) return write
  if (!Array.isArray(value)) {
    problem(ctx, path, `Invalid value ${preview(value)} for ${path.join('.')}: expected an array`, value)
    return write
  }
  value.forEach((item, index) => {
    const itemPath = [...path, String(index)]
    const uid = isPlainObject(item) ? item.__component : undefined
    if (typeof uid !== 'string' || !attribute.components.includes(uid)) {
      problem(ctx, [...itemPath, '__component'], uid === undefined
        ? `${itemPath.join('.')}.__component is required`
        : `Invalid component ${preview(uid)} for ${path.join('.')}: expected one of ${attribute.components.join(', ')}`, uid)
      return
    }
    const info = ctx.catalog.get(uid)
    const data = parseComponentItem(ctx, info, item, itemPath, true)
    if (data !== undefined) write.items.push({ info, data })
  })
  return write
}

function parseObject (ctx: Ctx, info: ModelInfo, data: Record<string, unknown>, path: string[]): WriteData {
  const write: WriteData = { scalars: new Map(), relations: [], components: [] }
  for (const [key, value] of Object.entries(data)) {
    if (value === undefined) continue
    const keyPath = [...path, key]
    const field = info.fields.get(key)
    if (field !== undefined && (!field.system || SYSTEM_WRITABLE.has(key))) {
      const cast = castInput(field.type, value)
      if (!cast.ok) problem(ctx, keyPath, `Invalid value ${preview(value)} for ${keyPath.join('.')}: expected ${cast.expected}`, value)
      else if (checkColumnLimits(ctx, info, field, cast.value, keyPath)) write.scalars.set(key, { field, value: cast.value })
      continue
    }
    const link = info.relations.get(key)
    if (link !== undefined) {
      write.relations.push({ name: key, link, target: ctx.catalog.get(link.attribute.target), ops: parseRelation(ctx, value, keyPath) })
      continue
    }
    const component = info.components.get(key)
    if (component !== undefined) {
      write.components.push(parseComponent(ctx, component, value, keyPath))
      continue
    }
    const zone = info.zones.get(key)
    if (zone !== undefined) {
      write.components.push(parseZone(ctx, zone, value, keyPath))
      continue
    }
    problem(ctx, keyPath, path.length === 0 ? `Invalid key ${key}` : `Invalid key ${key} at ${keyPath.join('.')}`, value)
  }
  return write
}

/** Parses one row's `data`; throws a ValidationError listing every problem. */
export function parseData (catalog: Catalog, uid: string, data: unknown): WriteData {
  return parseDataList(catalog, uid, [data], false)[0]!
}

/** Parses the rows of createMany (paths prefixed with the row index). */
export function parseDataList (catalog: Catalog, uid: string, list: unknown[], indexed = true): WriteData[] {
  const ctx: Ctx = { catalog, errors: [] }
  const info = catalog.get(uid)
  const rows = list.map((data, index) => {
    const path = indexed ? [String(index)] : []
    if (!isPlainObject(data)) {
      problem(ctx, path, 'data must be an object', data)
      return { scalars: new Map(), relations: [], components: [] }
    }
    return parseObject(ctx, info, data, path)
  })
  if (ctx.errors.length > 0) throw ValidationError.fromItems(ctx.errors)
  return rows
}
