import type { ComponentAttribute, DynamicZoneAttribute } from '../content-types/index.js'
import type { MorphLinkTable, RelationLink } from '../db/index.js'
import { ValidationError, type ValidationErrorItem } from '../errors.js'
import type { Catalog, FieldInfo, ModelInfo } from './model.js'
import { isPlainObject } from './forms.js'
import { preview } from './params.js'
import type { SqlValue } from './values.js'
import { castInput } from './values.js'
import { componentValues, parsePosition, parseRelationOps, type PayloadDialect, type Position, type RelationOps } from './payload.js'

/**
 * `data` of create/update → a typed write plan: scalar values cast per attribute, relation operations with
 * numeric ids, component and dynamic-zone items parsed recursively. All problems are collected and thrown
 * together, in the attribute-validation format (`details.errors[{ path, message, name, value }]`).
 */

export interface RelationItem {
  id: number
  position?: Position<RelationItem>
}

export interface RelationWrite {
  name: string
  link: RelationLink
  target: ModelInfo
  ops: RelationOps<RelationItem>
}

/** One row a polymorphic owning side links: its id, its model (`__type`) and the attribute there (`__pivot.field`). */
export interface MorphItem {
  id: number
  type: string
  field: string
}

/** A write to a polymorphic owning side (`related: [{ id, __type, __pivot: { field } }]`). */
export interface MorphWrite {
  name: string
  link: MorphLinkTable
  ops: RelationOps<MorphItem>
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
  /** Polymorphic owning sides, written after the row (see Writer). */
  morphs?: MorphWrite[]
}

const SYSTEM_WRITABLE = new Set(['documentId', 'createdAt', 'updatedAt', 'publishedAt', 'locale'])

interface Problems {
  errors: ValidationErrorItem[]
}

interface Ctx extends Problems {
  catalog: Catalog
  dialect: PayloadDialect<RelationItem>
}

function problem (ctx: Problems, path: string[], message: string, value: unknown): void {
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

function parseId (ctx: Problems, value: unknown, path: string[]): number | undefined {
  const cast = castInput('integer', value)
  if (!cast.ok || typeof cast.value !== 'number' || cast.value < 1) {
    problem(ctx, path, `Invalid value ${preview(value)} for ${path.join('.')}: expected an id`, value)
    return undefined
  }
  return cast.value
}

/** The Query Engine's dialect: relation items are row ids (`id` or `{ id, position }`). */
function dialectOf (ctx: Problems): PayloadDialect<RelationItem> {
  const dialect: PayloadDialect<RelationItem> = {
    indexed: false,
    ref (value, path, position) {
      if (!isPlainObject(value)) {
        const id = parseId(ctx, value, path)
        return id === undefined ? undefined : { id }
      }
      for (const key of Object.keys(value)) {
        if (key !== 'id' && (key !== 'position' || !position)) problem(ctx, [...path, key], `Invalid key ${key}`, value[key])
      }
      const id = parseId(ctx, value.id, path)
      if (id === undefined) return undefined
      if (value.position === undefined || !position) return { id }
      const at = parsePosition(dialect, value.position, [...path, 'position'])
      return at === undefined ? undefined : { id, position: at }
    },
    invalidKey: (path, key, value) => { problem(ctx, [...path, key], `Invalid key ${key}`, value) },
    badPosition: (path, value) => {
      problem(ctx, path, `Invalid position for ${path.join('.')}: expected { start }, { end }, { before: id } or { after: id }`, value)
    },
    expected: (path, value, shape) => {
      problem(ctx, path, `Invalid value ${preview(value)} for ${path.join('.')}: expected an ${shape}`, value)
    },
    badComponent: (path, value, allowed) => {
      problem(ctx, path, value === undefined
        ? `${path.join('.')} is required`
        : `Invalid component ${preview(value)} for ${path.slice(0, -2).join('.')}: expected one of ${allowed.join(', ')}`, value)
    }
  }
  return dialect
}

/**
 * The dialect of a polymorphic owning side: items `{ id, __type, __pivot: { field } }`, as Strapi's own code writes
 * them. `__type` is a model whose morph side points here; `__pivot.field` names that side, and may be left out
 * when the model has only one.
 */
function morphDialect (ctx: Ctx, owner: ModelInfo, name: string, types: readonly string[]): PayloadDialect<MorphItem> {
  return {
    ...ctx.dialect,
    ref (value, path) {
      if (!isPlainObject(value)) {
        problem(ctx, path, `Invalid value ${preview(value)} for ${path.join('.')}: expected { id, __type, __pivot: { field } }`, value)
        return undefined
      }
      for (const key of Object.keys(value)) if (key !== 'id' && key !== '__type' && key !== '__pivot') problem(ctx, [...path, key], `Invalid key ${key}`, value[key])
      const id = parseId(ctx, value.id, [...path, 'id'])
      const type = value.__type
      if (typeof type !== 'string' || !types.includes(type)) {
        problem(ctx, [...path, '__type'], types.length === 0
          ? `No model links to ${owner.uid}.${name}: nothing can be written to it`
          : `Invalid __type ${preview(type)} for ${path.join('.')}: expected one of ${types.join(', ')}`, type)
        return undefined
      }
      const sides = [...ctx.catalog.get(type).relations.values()]
        .filter(link => link.attribute.morph?.by === name && link.attribute.target === owner.uid)
        .map(link => link.attribute.name)
      const pivot = value.__pivot
      const given = isPlainObject(pivot) ? pivot.field : undefined
      if (pivot !== undefined && (!isPlainObject(pivot) || Object.keys(pivot).some(key => key !== 'field'))) {
        problem(ctx, [...path, '__pivot'], `Invalid __pivot for ${path.join('.')}: expected { field }`, pivot)
        return undefined
      }
      const field = given ?? (sides.length === 1 ? sides[0] : undefined)
      if (typeof field !== 'string' || !sides.includes(field)) {
        problem(ctx, [...path, '__pivot', 'field'], `${path.join('.')}.__pivot.field must be one of ${sides.join(', ')} (the attributes of ${type} linked to ${name})`, given ?? null)
        return undefined
      }
      return id === undefined ? undefined : { id, type, field }
    }
  }
}

function parseComponents (ctx: Ctx, attribute: ComponentAttribute | DynamicZoneAttribute, value: unknown, path: string[]): ComponentWrite {
  const items = componentValues(ctx.dialect, attribute, value, path).map((item) => {
    const info = ctx.catalog.get(item.uid)
    const data = parseObject(ctx, info, item.fields, item.path)
    if (item.id !== undefined && item.id !== null) {
      const id = parseId(ctx, item.id, [...item.path, 'id'])
      if (id !== undefined) data.id = id
    }
    return { info, data }
  })
  return { name: attribute.name, attribute, items }
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
      write.relations.push({ name: key, link, target: ctx.catalog.get(link.attribute.target), ops: parseRelationOps(ctx.dialect, value, keyPath) })
      continue
    }
    const component = info.components.get(key) ?? info.zones.get(key)
    if (component !== undefined) {
      write.components.push(parseComponents(ctx, component, value, keyPath))
      continue
    }
    const morph = info.morphs.get(key)
    if (morph !== undefined) {
      const ops = parseRelationOps(morphDialect(ctx, info, key, morph.types), value, keyPath)
      ;(write.morphs ??= []).push({ name: key, link: morph.link, ops: morph.attribute.toMany ? ops : { ...ops, ...(ops.set !== undefined && { set: ops.set.slice(-1) }) } })
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
  const errors: ValidationErrorItem[] = []
  const ctx: Ctx = { catalog, errors, dialect: dialectOf({ errors }) }
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
