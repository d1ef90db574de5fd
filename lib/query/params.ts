import { ValidationError } from '../errors.js'
import type { FindPlan, OrderTerm, PopulateNode, ScalarOperator, SelectPlan, Via, Where } from './ast.js'
import { SCALAR_OPERATORS } from './ast.js'
import { isPlainObject, optionsOf, populateEntries, type PlainObject, splitList, zoneFragments } from './forms.js'
import { type Catalog, type FieldInfo, LOCALIZATIONS, type ModelInfo } from './model.js'
import { contentKey, lruPerOwner } from './keys.js'
import { isPublicationFilter, PUBLICATION_FILTERS, PUBLICATION_KEY, publicationWhere } from './publication.js'
import type { SqlValue } from './values.js'
import { castInput, expectedFor, isJsonType, isOrderedType, isTextType, parseNullFlag } from './values.js'

/**
 * Strapi Query Engine params → typed AST. Every key is checked against the model (the catalog is the
 * whitelist) and every value is cast to its attribute's type, so a bad input is a ValidationError here
 * and never a database error later. The REST layer reuses these parsers with `allowPrivate: false`.
 */

export interface ParseOptions {
  /** false: private and password attributes are unknown keys at any depth (untrusted callers). Default true. */
  allowPrivate?: boolean
  /**
   * false: the `$publication` condition (publication.ts) is an unknown key. REST filters refuse it, as Strapi
   * does: cohorts are asked for with the `publicationFilter` parameter. Default true.
   */
  allowPublication?: boolean
  /** How errors name each parameter (REST: `{ where: 'filters', orderBy: 'sort', select: 'fields' }`). */
  paramNames?: Partial<Record<ParamName, string>>
}

export type ParamName = 'where' | 'select' | 'orderBy' | 'populate' | 'limit' | 'offset' | '_q'

interface Ctx {
  catalog: Catalog
  allowPrivate: boolean
  allowPublication: boolean
  param: ParamName
  names: Partial<Record<ParamName, string>>
}

/** The parameter's name as the caller knows it, for messages and `details.param`. */
const paramOf = (ctx: Ctx): string => ctx.names[ctx.param] ?? ctx.param

// Parses without custom parameter names share cached plans (names only change error messages).
const NO_NAMES: Partial<Record<ParamName, string>> = {}

function context (catalog: Catalog, options: ParseOptions, param: ParamName): Ctx {
  return {
    catalog, allowPrivate: options.allowPrivate ?? true, allowPublication: options.allowPublication ?? true, param, names: options.paramNames ?? NO_NAMES
  }
}

export function preview (value: unknown): string {
  let text: string
  try {
    text = JSON.stringify(value) ?? String(value)
  } catch {
    text = String(value)
  }
  return text.length > 40 ? `${text.slice(0, 39)}…` : text
}

function dotted (path: string[]): string {
  return path.join('.')
}

/**
 * Strapi's `Invalid key` error. A key that names an attribute of the model it sits on, which may not be used there
 * (private, a password, a relation without a leaf), is located at itself: `Invalid key secret at author.secret`,
 * path `author.secret`. A key that names nothing (an unknown attribute, option or operator) is located at its
 * parent: `Invalid key nope at amenities`, path `amenities`, and at the root `Invalid key nope`, path null.
 */
export function invalidKey (param: string, key: string, path: string[], known = false): ValidationError {
  const at = known ? [...path, key] : path
  const message = path.length === 0 ? `Invalid key ${key}` : `Invalid key ${key} at ${dotted(at)}`
  return new ValidationError(message, { key, path: at.length === 0 ? null : dotted(at), param })
}

/** Whether `key` names an attribute of the model (so an invalid use of it is located at itself). */
function isAttribute (info: ModelInfo, key: string): boolean {
  return Object.hasOwn(info.model.attributes, key) || (key === LOCALIZATIONS && info.localizations)
}

function invalidValue (ctx: Ctx, path: string[], value: unknown, expected: string): ValidationError {
  const full = dotted(path)
  return new ValidationError(`Invalid value ${preview(value)} for ${full}: expected ${expected}`, {
    key: path[path.length - 1] ?? paramOf(ctx), path: full, param: paramOf(ctx), value
  })
}

type Resolved =
  | { kind: 'field', field: FieldInfo }
  | { kind: 'relation', via: Extract<Via, { kind: 'relation' }> }
  | { kind: 'component', via: Extract<Via, { kind: 'component' }>, repeatable: boolean }
  | { kind: 'zone' }

/** What a key of a model is, or undefined when unknown (or hidden from this caller). */
function resolve (ctx: Ctx, info: ModelInfo, key: string): Resolved | undefined {
  const field = info.fields.get(key)
  if (field !== undefined) return field.private && !ctx.allowPrivate ? undefined : { kind: 'field', field }
  const attribute = info.model.attributes[key]
  if (attribute === undefined || (attribute.private && !ctx.allowPrivate)) return undefined
  const link = info.relations.get(key)
  if (link !== undefined) {
    // Polymorphic relations are neither filtered nor sorted on (contract §3.1); media are (§25.6).
    if (link.attribute.morph !== undefined && link.attribute.media === undefined && (ctx.param === 'where' || ctx.param === 'orderBy')) return undefined
    return { kind: 'relation', via: { kind: 'relation', name: key, link, target: ctx.catalog.get(link.attribute.target) } }
  }
  const component = info.components.get(key)
  if (component !== undefined && info.componentJoin !== undefined) {
    return {
      kind: 'component',
      via: { kind: 'component', name: key, join: info.componentJoin, component: ctx.catalog.get(component.component) },
      repeatable: component.repeatable
    }
  }
  if (info.zones.has(key)) return { kind: 'zone' }
  return undefined
}

function and (items: Where[]): Where | undefined {
  if (items.length === 0) return undefined
  return items.length === 1 ? items[0] : { kind: 'and', items }
}

// ---------------------------------------------------------------------------------------------
// where

const TEXT_OPERATORS = new Set<ScalarOperator>([
  '$eqi', '$nei', '$contains', '$notContains', '$containsi', '$notContainsi',
  '$startsWith', '$startsWithi', '$endsWith', '$endsWithi'
])
const ORDER_OPERATORS = new Set<ScalarOperator>(['$lt', '$lte', '$gt', '$gte', '$between'])
const OPERATOR_SET = new Set<string>(SCALAR_OPERATORS)

function isScalarOperator (key: string): key is ScalarOperator {
  return OPERATOR_SET.has(key)
}

function castOrThrow (ctx: Ctx, field: FieldInfo, value: unknown, path: string[]): SqlValue {
  const cast = castInput(field.type, value)
  if (!cast.ok) throw invalidValue(ctx, path, value, cast.expected)
  return cast.value
}

function listOf (value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value]
}

function parseOperator (ctx: Ctx, field: FieldInfo, op: ScalarOperator, value: unknown, path: string[]): Where | undefined {
  const opPath = [...path, op]
  if (TEXT_OPERATORS.has(op) && !isTextType(field.type)) {
    throw new ValidationError(`Operator ${op} is not applicable to ${dotted(path)} (${field.type})`, { key: op, path: dotted(opPath), param: paramOf(ctx) })
  }
  if ((ORDER_OPERATORS.has(op) && !isOrderedType(field.type))) {
    throw new ValidationError(`Operator ${op} is not applicable to ${dotted(path)} (${field.type})`, { key: op, path: dotted(opPath), param: paramOf(ctx) })
  }
  switch (op) {
    case '$null':
    case '$notNull': {
      const isNull = parseNullFlag(value) === (op === '$null')
      return { kind: 'compare', field, op: isNull ? '$null' : '$notNull', value: null }
    }
    case '$in':
    case '$notIn': {
      const values = listOf(value).map(v => {
        if (v === null || Array.isArray(v) || (isPlainObject(v) && !isJsonType(field.type))) {
          throw invalidValue(ctx, path, v, expectedFor(field.type))
        }
        return castOrThrow(ctx, field, v, path)
      })
      if (values.length === 0) return { kind: 'const', value: op === '$notIn' }
      return { kind: 'compare', field, op, value: values }
    }
    case '$between': {
      if (!Array.isArray(value) || value.length !== 2 || value.some(v => v === null)) {
        throw invalidValue(ctx, path, value, 'an array of two values')
      }
      return { kind: 'compare', field, op, value: value.map(v => castOrThrow(ctx, field, v, path)) }
    }
    default: {
      // An array given to a single-value operator means OR over its elements (Strapi's rule).
      if (Array.isArray(value) && !isJsonType(field.type)) {
        if (op === '$eq') return parseOperator(ctx, field, '$in', value, path)
        const items = value.map(v => parseOperator(ctx, field, op, v, path)).filter((w): w is Where => w !== undefined)
        return items.length === 0 ? { kind: 'const', value: false } : { kind: 'or', items }
      }
      if (value === null) {
        if (op === '$eq') return { kind: 'compare', field, op: '$null', value: null }
        if (op === '$ne') return { kind: 'compare', field, op: '$notNull', value: null }
        throw invalidValue(ctx, path, value, expectedFor(field.type))
      }
      if (isPlainObject(value) && !isJsonType(field.type)) throw invalidValue(ctx, path, value, expectedFor(field.type))
      return { kind: 'compare', field, op, value: castOrThrow(ctx, field, value, path) }
    }
  }
}

/** Conditions on one scalar field: a value ($eq), a list ($in), null, or an operator object. */
function parseFieldCondition (ctx: Ctx, field: FieldInfo, value: unknown, path: string[]): Where | undefined {
  if (value === undefined) return undefined
  if (value === null) return { kind: 'compare', field, op: '$null', value: null }
  if (Array.isArray(value)) return parseOperator(ctx, field, '$in', value, path)
  if (!isPlainObject(value)) return parseOperator(ctx, field, '$eq', value, path)
  const items: Where[] = []
  for (const [key, operand] of Object.entries(value)) {
    if (operand === undefined) continue
    let item: Where | undefined
    if (key === '$not') {
      const inner = parseFieldCondition(ctx, field, operand, path)
      item = inner === undefined ? undefined : { kind: 'not', item: inner }
    } else if (key === '$and' || key === '$or') {
      if (!Array.isArray(operand)) throw invalidValue(ctx, [...path, key], operand, 'an array')
      const group = operand.map(o => parseFieldCondition(ctx, field, o, path)).filter((w): w is Where => w !== undefined)
      item = group.length === 0 ? undefined : { kind: key === '$and' ? 'and' : 'or', items: group }
    } else if (isScalarOperator(key)) {
      item = parseOperator(ctx, field, key, operand, path)
    } else {
      throw invalidKey(paramOf(ctx), key, path)
    }
    if (item !== undefined) items.push(item)
  }
  return and(items)
}

/**
 * Conditions through a relation or a component: an id or a list of ids (relations), null (nothing linked),
 * `$null`/`$notNull`, operators on the related id, and conditions on the related model's keys.
 */
function parseNested (ctx: Ctx, via: Via, value: unknown, path: string[]): Where | undefined {
  if (value === undefined) return undefined
  const target = via.kind === 'relation' ? via.target : via.component
  const id = target.fields.get('id')
  if (id === undefined) throw new Error(`${target.uid} has no id`)
  if (value === null) return { kind: 'not', item: { kind: 'exists', via } }
  if (!isPlainObject(value)) {
    return { kind: 'exists', via, where: parseOperator(ctx, id, Array.isArray(value) ? '$in' : '$eq', value, path) }
  }
  let exists = true
  const rest: PlainObject = {}
  const onId: Where[] = []
  for (const [key, operand] of Object.entries(value)) {
    if (operand === undefined) continue
    if (key === '$null' || key === '$notNull') {
      if (parseNullFlag(operand) === (key === '$null')) exists = false
    } else if (isScalarOperator(key)) {
      const item = parseOperator(ctx, id, key, operand, path)
      if (item !== undefined) onId.push(item)
    } else {
      rest[key] = operand
    }
  }
  const inner = and([...onId, ...optional(parseWhereObject(ctx, target, rest, path))])
  const where: Where = inner === undefined ? { kind: 'exists', via } : { kind: 'exists', via, where: inner }
  return exists ? where : { kind: 'not', item: where }
}

function optional<T> (value: T | undefined): T[] {
  return value === undefined ? [] : [value]
}

function parseWhereObject (ctx: Ctx, info: ModelInfo, value: PlainObject, path: string[]): Where | undefined {
  const items: Where[] = []
  for (const [key, operand] of Object.entries(value)) {
    if (operand === undefined) continue
    let item: Where | undefined
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(operand)) throw invalidValue(ctx, [...path, key], operand, 'an array')
      const group = operand.map(o => parseWhereValue(ctx, info, o, path)).filter((w): w is Where => w !== undefined)
      item = group.length === 0 ? undefined : { kind: key === '$and' ? 'and' : 'or', items: group }
    } else if (key === '$not') {
      const inner = parseWhereValue(ctx, info, operand, path)
      item = inner === undefined ? undefined : { kind: 'not', item: inner }
    } else if (key === PUBLICATION_KEY) {
      item = parsePublication(ctx, info, operand, path)
    } else {
      const resolved = resolve(ctx, info, key)
      if (resolved === undefined || resolved.kind === 'zone') throw invalidKey(paramOf(ctx), key, path, isAttribute(info, key))
      const keyPath = [...path, key]
      if (resolved.kind === 'field') item = parseFieldCondition(ctx, resolved.field, operand, keyPath)
      else item = parseNested(ctx, resolved.via, operand, keyPath)
    }
    if (item !== undefined) items.push(item)
  }
  return and(items)
}

/** `$publication: <cohort>`, on draft & publish models of callers that may use it. */
function parsePublication (ctx: Ctx, info: ModelInfo, value: unknown, path: string[]): Where {
  if (!ctx.allowPublication || info.model.kind === 'component' || !info.model.draftAndPublish) throw invalidKey(paramOf(ctx), PUBLICATION_KEY, path)
  if (!isPublicationFilter(value)) throw invalidValue(ctx, [...path, PUBLICATION_KEY], value, `one of ${PUBLICATION_FILTERS.join(', ')}`)
  return publicationWhere(info, value)
}

function parseWhereValue (ctx: Ctx, info: ModelInfo, value: unknown, path: string[]): Where | undefined {
  if (value === undefined || value === null) return undefined
  if (Array.isArray(value)) {
    return and(value.map(v => parseWhereValue(ctx, info, v, path)).filter((w): w is Where => w !== undefined))
  }
  if (!isPlainObject(value)) {
    throw new ValidationError(`The ${paramOf(ctx)} parameter must be an object or an array`, { path: dotted(path), param: paramOf(ctx), value })
  }
  return parseWhereObject(ctx, info, value, path)
}

export function parseWhere (catalog: Catalog, uid: string, value: unknown, options: ParseOptions = {}): Where | undefined {
  const ctx = context(catalog, options, 'where')
  return parseWhereValue(ctx, catalog.get(uid), value, [])
}

// ---------------------------------------------------------------------------------------------
// orderBy

function parseDirection (ctx: Ctx, value: unknown): 'asc' | 'desc' {
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase()
    if (lower === 'asc' || lower === 'desc') return lower
  }
  throw new ValidationError('Invalid order. order can only be one of asc|desc|ASC|DESC', { param: paramOf(ctx), value })
}

/** Walks `a.b.c` from a model to a sortable field. */
function orderTerm (ctx: Ctx, info: ModelInfo, keys: string[], direction: 'asc' | 'desc', path: string[]): OrderTerm {
  const steps: Via[] = []
  let current = info
  const walked = [...path]
  for (const [index, key] of keys.entries()) {
    const resolved = resolve(ctx, current, key)
    if (resolved === undefined || resolved.kind === 'zone') throw invalidKey(paramOf(ctx), key, walked, isAttribute(current, key))
    walked.push(key)
    const last = index === keys.length - 1
    if (resolved.kind === 'field') {
      if (!last) throw invalidKey(paramOf(ctx), keys[index + 1] ?? key, walked)
      return { path: steps, field: resolved.field, direction }
    }
    // A relation or component needs a leaf attribute to sort on.
    if (last) throw invalidKey(paramOf(ctx), key, walked.slice(0, -1), true)
    steps.push(resolved.via)
    current = resolved.via.kind === 'relation' ? resolved.via.target : resolved.via.component
  }
  throw invalidKey(paramOf(ctx), '', walked)
}

function parseOrderObject (ctx: Ctx, info: ModelInfo, value: PlainObject, path: string[], prefix: string[]): OrderTerm[] {
  const terms: OrderTerm[] = []
  for (const [key, direction] of Object.entries(value)) {
    if (direction === undefined) continue
    if (isPlainObject(direction)) {
      terms.push(...parseOrderObject(ctx, info, direction, path, [...prefix, key]))
    } else {
      terms.push(orderTerm(ctx, info, [...prefix, key], parseDirection(ctx, direction), path))
    }
  }
  return terms
}

function parseOrderValue (ctx: Ctx, info: ModelInfo, value: unknown, path: string[]): OrderTerm[] {
  if (value === undefined || value === null || value === '') return []
  if (Array.isArray(value)) return value.flatMap(v => parseOrderValue(ctx, info, v, path))
  if (typeof value === 'string') {
    return splitList(value).map((item) => {
      const [keys = '', direction = 'asc', ...extra] = item.split(':')
      return orderTerm(ctx, info, keys.split('.'), parseDirection(ctx, extra.length > 0 ? item : direction), path)
    })
  }
  if (isPlainObject(value)) return parseOrderObject(ctx, info, value, path, [])
  throw invalidValue(ctx, [...path, paramOf(ctx)], value, 'a string, an object or an array')
}

export function parseOrderBy (catalog: Catalog, uid: string, value: unknown, options: ParseOptions = {}): OrderTerm[] {
  const ctx = context(catalog, options, 'orderBy')
  return parseOrderValue(ctx, catalog.get(uid), value, [])
}

// ---------------------------------------------------------------------------------------------
// select

/** The fields a row returns when nothing is selected: every stored scalar the caller may see. */
function defaultFields (ctx: Ctx, info: ModelInfo): FieldInfo[] {
  return [...info.fields.values()].filter(f => ctx.allowPrivate || !f.private)
}

function parseSelectValue (ctx: Ctx, info: ModelInfo, value: unknown, path: string[]): FieldInfo[] {
  if (value === undefined || value === null || value === '*') return defaultFields(ctx, info)
  const names = typeof value === 'string'
    ? splitList(value)
    : Array.isArray(value) ? value : undefined
  if (names === undefined) throw invalidValue(ctx, [...path, 'select'], value, 'a list of attribute names')
  if (names.includes('*')) return defaultFields(ctx, info)
  // id (and documentId) always come back: populate, updates and the REST layer all rely on them.
  const wanted = new Set<string>(['id', 'documentId'])
  for (const name of names) {
    if (typeof name !== 'string') throw invalidValue(ctx, [...path, 'select'], name, 'an attribute name')
    const resolved = resolve(ctx, info, name)
    if (resolved?.kind !== 'field') throw invalidKey(paramOf(ctx), name, path, isAttribute(info, name))
    wanted.add(name)
  }
  return [...info.fields.values()].filter(f => wanted.has(f.name))
}

export function parseSelect (catalog: Catalog, uid: string, value: unknown, options: ParseOptions = {}): FieldInfo[] {
  const ctx = context(catalog, options, 'select')
  return parseSelectValue(ctx, catalog.get(uid), value, [])
}

// ---------------------------------------------------------------------------------------------
// limit / offset

export function parseCount (param: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new ValidationError(`Invalid value ${preview(value)} for ${param}: expected a non-negative integer`, { key: param, path: param, param, value })
  }
  return n
}

// ---------------------------------------------------------------------------------------------
// populate

const RELATION_OPTIONS = new Set(['select', 'where', 'orderBy', 'limit', 'offset', 'populate', 'count'])
const COMPONENT_OPTIONS = new Set(['select', 'where', 'orderBy', 'limit', 'offset', 'populate'])
const ZONE_OPTIONS = new Set(['on', 'populate'])
const FRAGMENT_OPTIONS = new Set(['select', 'populate'])
/** A zone's fragments also filter their items (Strapi's `populate[zone][on][uid][filters]`). */
const ZONE_FRAGMENT_OPTIONS = new Set(['select', 'populate', 'where'])
const MORPH_OPTIONS = new Set(['populate', 'on'])

function checkOptions (ctx: Ctx, options: PlainObject, allowed: Set<string>, path: string[]): void {
  for (const key of Object.keys(options)) {
    if (!allowed.has(key)) throw invalidKey(paramOf(ctx), key, path)
  }
}

/**
 * A populated relation's or component's own `where` and `orderBy`. They are checked from the populated model's
 * root, as Strapi checks them (`populate[tags][filters][nope]` is `Invalid key nope`, path null).
 */
function listOptions (ctx: Ctx, info: ModelInfo, options: PlainObject, path: string[]): { where?: Where, orderBy: OrderTerm[], limit?: number, offset?: number } {
  const where = parseWhereValue({ ...ctx, param: 'where' }, info, options.where, [])
  const limit = parseCount(`${dotted(path)}.limit`, options.limit)
  const offset = parseCount(`${dotted(path)}.offset`, options.offset)
  return {
    ...(where !== undefined && { where }),
    orderBy: parseOrderValue({ ...ctx, param: 'orderBy' }, info, options.orderBy, []),
    ...(limit !== undefined && { limit }),
    ...(offset !== undefined && { offset })
  }
}

function parsePopulateNode (ctx: Ctx, info: ModelInfo, name: string, value: unknown, path: string[]): PopulateNode | undefined {
  if (value === false || value === undefined || value === null) return undefined
  if (name === LOCALIZATIONS && info.localizations) {
    const options = optionsOf(value)?.options
    if (options === undefined) throw invalidValue(ctx, [...path, name], value, 'true or an object of options')
    checkOptions(ctx, options, COMPONENT_OPTIONS, [...path, name])
    return { kind: 'localizations', name, plan: selectPlan(ctx, info, options, [...path, name]), ...listOptions(ctx, info, options, [...path, name]) }
  }
  const morph = info.morphs.get(name)
  if (morph !== undefined && (!morph.attribute.private || ctx.allowPrivate)) {
    // Each linked row as its type's default select (`true`), with `populate` applied to every type, or as its
    // type's fragment in `on` (`select`, `populate`); types `on` leaves out keep their default select.
    const keyPath = [...path, name]
    const options = optionsOf(value)?.options
    if (options === undefined) throw invalidValue(ctx, keyPath, value, 'true or an object of options')
    checkOptions(ctx, options, MORPH_OPTIONS, keyPath)
    if (options.on !== undefined && !isPlainObject(options.on)) throw invalidValue(ctx, [...keyPath, 'on'], options.on, 'an object of content type uids')
    const fragments = (options.on ?? {}) as PlainObject
    for (const uid of Object.keys(fragments)) if (!morph.types.includes(uid)) throw invalidKey(paramOf(ctx), uid, [...keyPath, 'on'])
    const on = morph.types.map(uid => {
      const fragmentPath = [...keyPath, 'on', uid]
      if (fragments[uid] === undefined) return selectPlan(ctx, ctx.catalog.get(uid), options.on === undefined ? { populate: options.populate } : {}, fragmentPath)
      const fragmentOptions = optionsOf(fragments[uid])?.options
      if (fragmentOptions === undefined) throw invalidValue(ctx, fragmentPath, fragments[uid], 'true or an object of options')
      checkOptions(ctx, fragmentOptions, FRAGMENT_OPTIONS, fragmentPath)
      return selectPlan(ctx, ctx.catalog.get(uid), fragmentOptions, fragmentPath)
    })
    return { kind: 'morph', name, attribute: morph.attribute, link: morph.link, on }
  }
  const resolved = resolve(ctx, info, name)
  if (resolved === undefined || resolved.kind === 'field') throw invalidKey(paramOf(ctx), name, path, isAttribute(info, name))
  const keyPath = [...path, name]
  const options = optionsOf(value)?.options
  if (options === undefined) throw invalidValue(ctx, keyPath, value, 'true or an object of options')
  if (resolved.kind !== 'zone' && 'on' in options) {
    throw new ValidationError(`Using fragments is not permitted to populate "${name}" in "${info.uid}"`, { key: 'on', path: dotted([...keyPath, 'on']), param: paramOf(ctx) })
  }
  if (resolved.kind === 'relation') {
    checkOptions(ctx, options, RELATION_OPTIONS, keyPath)
    const { via } = resolved
    return {
      kind: 'relation',
      name,
      attribute: via.link.attribute,
      link: via.link,
      target: via.target,
      plan: selectPlan(ctx, via.target, options, keyPath),
      count: options.count === true || options.count === 'true',
      ...listOptions(ctx, via.target, options, keyPath)
    }
  }
  if (resolved.kind === 'component') {
    checkOptions(ctx, options, COMPONENT_OPTIONS, keyPath)
    const { via } = resolved
    const attribute = info.components.get(name)
    if (attribute === undefined) throw invalidKey(paramOf(ctx), name, path, true)
    return {
      kind: 'component',
      name,
      attribute,
      join: via.join,
      component: via.component,
      plan: selectPlan(ctx, via.component, options, keyPath),
      ...listOptions(ctx, via.component, options, keyPath)
    }
  }
  checkOptions(ctx, options, ZONE_OPTIONS, keyPath)
  const attribute = info.zones.get(name)
  if (attribute === undefined || info.componentJoin === undefined) throw invalidKey(paramOf(ctx), name, path, true)
  // Without `on`, every allowed component; `populate: '*'` goes one level into each.
  const fragments = zoneFragments(attribute.components, options)
  if (fragments === undefined) throw invalidValue(ctx, [...keyPath, 'on'], options.on, 'an object of component uids')
  const on: Array<SelectPlan & { where?: Where }> = []
  for (const [uid, fragment] of Object.entries(fragments)) {
    if (fragment === false || fragment === undefined) continue
    if (!attribute.components.includes(uid)) throw invalidKey(paramOf(ctx), uid, [...keyPath, 'on'])
    const fragmentOptions = optionsOf(fragment)?.options
    if (fragmentOptions === undefined) throw invalidValue(ctx, [...keyPath, 'on', uid], fragment, 'true or an object of options')
    checkOptions(ctx, fragmentOptions, ZONE_FRAGMENT_OPTIONS, [...keyPath, 'on', uid])
    const component = ctx.catalog.get(uid)
    // Checked from the component's root, as a populated relation's own where (see listOptions).
    const where = parseWhereValue({ ...ctx, param: 'where' }, component, fragmentOptions.where, [])
    on.push({ ...selectPlan(ctx, component, fragmentOptions, [...keyPath, 'on', uid]), ...(where !== undefined && { where }) })
  }
  return { kind: 'zone', name, attribute, join: info.componentJoin, on }
}

function parsePopulateValue (ctx: Ctx, info: ModelInfo, value: unknown, path: string[]): PopulateNode[] {
  const entries = populateEntries(value)
  if (entries === undefined) throw invalidValue(ctx, [...path, 'populate'], value, 'true, "*", a list of names or an object')
  const nodes: PopulateNode[] = []
  const all = entries['*'] !== undefined
  delete entries['*']
  if (all) {
    // Every first-level relation, component and zone, unless named explicitly with its own options.
    for (const name of [...info.relations.keys(), ...info.components.keys(), ...info.zones.keys()]) {
      const attribute = info.model.attributes[name]
      if (attribute === undefined || (attribute.private && !ctx.allowPrivate) || name in entries) continue
      const node = parsePopulateNode(ctx, info, name, true, path)
      if (node !== undefined) nodes.push(node)
    }
  }
  for (const [name, options] of Object.entries(entries)) {
    const node = parsePopulateNode(ctx, info, name, options, path)
    if (node !== undefined) nodes.push(node)
  }
  return nodes
}

/** A populated model's `select` (checked from its root, as its `where`: see listOptions) and `populate`. */
function selectPlan (ctx: Ctx, info: ModelInfo, options: PlainObject, path: string[]): SelectPlan {
  return {
    info,
    fields: parseSelectValue({ ...ctx, param: 'select' }, info, options.select, []),
    populate: parsePopulateValue({ ...ctx, param: 'populate' }, info, options.populate, path)
  }
}

/** Distinct select shapes (model, trust, `select`, `populate`) kept per catalog, least recently used dropped first. */
const SELECT_PLAN_CACHE_SIZE = 500

const selectPlans = lruPerOwner<Catalog, SelectPlan>(SELECT_PLAN_CACHE_SIZE)

/**
 * The root select plan, cached by content: a request's populate tree is the costly part of its parse and
 * repeats from request to request (measured on scenario b's populate of three relations: 3.3 → 1.5 µs).
 * Plans are never mutated, and one plan per shape lets the statement and reader caches key on identity.
 */
function rootSelectPlan (ctx: Ctx, info: ModelInfo, select: unknown, populate: unknown): SelectPlan {
  const selectKey = ctx.names === NO_NAMES ? contentKey(select) : undefined
  const populateKey = selectKey === undefined ? undefined : contentKey(populate)
  if (populateKey === undefined) return selectPlan(ctx, info, { select, populate }, [])
  const cache = selectPlans(ctx.catalog)
  const key = `${info.uid}\n${ctx.allowPrivate ? 1 : 0}${ctx.allowPublication ? 1 : 0}\n${selectKey}\n${populateKey}`
  let plan = cache.get(key)
  if (plan === undefined) {
    plan = selectPlan(ctx, info, { select, populate }, [])
    cache.set(key, plan)
  }
  return plan
}

export function parsePopulate (catalog: Catalog, uid: string, value: unknown, options: ParseOptions = {}): PopulateNode[] {
  const ctx = context(catalog, options, 'populate')
  return rootSelectPlan(ctx, catalog.get(uid), undefined, value).populate
}

// ---------------------------------------------------------------------------------------------
// _q

/** `_q`: a case-insensitive substring over searchable text attributes, and equality on numbers when numeric. */
function parseSearch (ctx: Ctx, info: ModelInfo, value: unknown): Where | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string' && typeof value !== 'number') throw invalidValue(ctx, ['_q'], value, 'a string')
  const text = String(value).trim()
  if (text === '') return undefined
  const items: Where[] = []
  for (const field of info.fields.values()) {
    if (field.private || field.attribute?.searchable === false) continue
    if (isTextType(field.type) && (field.attribute !== undefined || field.name === 'documentId')) {
      items.push({ kind: 'compare', field, op: '$containsi', value: text })
    } else if (['integer', 'biginteger', 'float', 'decimal'].includes(field.type)) {
      const cast = castInput(field.type, text)
      if (cast.ok) items.push({ kind: 'compare', field, op: '$eq', value: cast.value })
    }
  }
  return items.length === 0 ? { kind: 'const', value: false } : { kind: 'or', items }
}

// ---------------------------------------------------------------------------------------------
// find params

export interface FindInput {
  where?: unknown
  select?: unknown
  orderBy?: unknown
  limit?: unknown
  offset?: unknown
  populate?: unknown
  _q?: unknown
}

export function parseFind (catalog: Catalog, uid: string, params: FindInput, options: ParseOptions = {}): FindPlan {
  const info = catalog.get(uid)
  const ctx = context(catalog, options, 'where')
  const where = and([
    ...optional(parseWhereValue(ctx, info, params.where, [])),
    ...optional(parseSearch({ ...ctx, param: '_q' }, info, params._q))
  ])
  const limit = parseCount('limit', params.limit)
  const offset = parseCount('offset', params.offset)
  return {
    info,
    select: rootSelectPlan(ctx, info, params.select, params.populate),
    ...(where !== undefined && { where }),
    orderBy: parseOrderValue({ ...ctx, param: 'orderBy' }, info, params.orderBy, []),
    ...(limit !== undefined && { limit }),
    ...(offset !== undefined && { offset })
  }
}

/** `where` and `_q` only (count, updateMany, deleteMany). */
export function parseFilter (catalog: Catalog, uid: string, params: { where?: unknown, _q?: unknown }, options: ParseOptions = {}): Where | undefined {
  const info = catalog.get(uid)
  const ctx = context(catalog, options, 'where')
  return and([
    ...optional(parseWhereValue(ctx, info, params.where, [])),
    ...optional(parseSearch({ ...ctx, param: '_q' }, info, params._q))
  ])
}
