import type {
  ComponentAttribute, DynamicZoneAttribute, Model, RelationAttribute, ScalarAttribute, Schema
} from '../content-types/index.js'
import { ValidationError, type ValidationErrorItem } from '../errors.js'
import {
  type CastFailure, castScalar, componentValues, isPlainObject, type PayloadDialect, parsePosition, parseRelationOps, type PlainObject,
  type Position
} from '../query/index.js'
import type { Status } from './types.js'

/**
 * The entity validator (contract §3, §9, §12): `data` of create/update → a checked, typed write plan, with
 * every attribute error collected (`details.errors[] = { path, message, name, value }`, Strapi's yup messages).
 * Draft writes check types, enumerations, maxLength and max; writes of published rows (types without draft &
 * publish, and publishing) add required, minLength, min, regex, email and uid format. `validateStored` runs
 * the publish-only rules on a draft read back from the database, when it is published.
 */

export const SYSTEM_KEYS = new Set(['id', 'documentId', 'createdAt', 'updatedAt', 'locale'])
const RELATION_ITEM_KEYS = new Set(['id', 'documentId', 'locale', 'status', 'position'])
const UID_RE = /^[A-Za-z0-9-_.~]*$/
// The WHATWG (HTML) e-mail syntax.
const EMAIL_RE = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/
const INT_RE = /^[-+]?\d+$/

/** A related document as written: a documentId (with locale/status) or a row id. */
export interface RelationRef {
  documentId?: string
  id?: number
  locale?: string
  status?: Status
  position?: Position<RelationRef>
  /** Where the item was in `data`, for error paths. */
  path: string[]
}

export interface RelationInput {
  attribute: RelationAttribute
  /** Replace every link, in this order. */
  set?: RelationRef[]
  connect: RelationRef[]
  disconnect: RelationRef[]
  /** Where the input was, for error paths. */
  path: string[]
}

export interface PreparedComponent {
  uid: string
  /** Update this component row in place. */
  id?: number
  data: Prepared
}

export interface Prepared {
  model: Model
  scalars: PlainObject
  relations: RelationInput[]
  /** Single components hold one item or none (null clears). */
  components: Map<string, PreparedComponent[]>
  /** Polymorphic owning sides, as given (the Query Engine parses them). */
  morphs?: PlainObject
}

export interface PrepareOptions {
  /** Publish-level rules (required, minLength, min, regex, email, uid format). */
  publish: boolean
  /** A new row: a required attribute left out is "must be defined." */
  creating: boolean
  /** Configured locales, for `locale` inside relation items. */
  locales: readonly string[]
  /** Root attributes that have a value from elsewhere (a new locale inherits the shared ones). */
  provided?: ReadonlySet<string>
}

interface Ctx {
  schema: Schema
  options: PrepareOptions
  errors: ValidationErrorItem[]
  invalidKeys: ValidationError[]
  dialect: PayloadDialect<RelationRef>
}

/** `socialLinks[0].label`, as yup names a nested path in its messages. */
export function displayPath (path: readonly string[]): string {
  let out = ''
  for (const part of path) out += /^\d+$/.test(part) ? `[${part}]` : out === '' ? part : `.${part}`
  return out
}

function printValue (value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value)
    } catch {
      return String(value)
    }
  }
  return String(value)
}

function add (ctx: { errors: ValidationErrorItem[] }, path: string[], message: string, value: unknown): void {
  ctx.errors.push({ path, message, name: 'ValidationError', value: value === undefined ? null : value })
}

function invalidKey (ctx: Ctx, parent: string[], key: string, value: unknown): void {
  const message = parent.length === 0 ? `Invalid key ${key}` : `Invalid key ${key} at ${parent.join('.')}`
  ctx.invalidKeys.push(new ValidationError(message, { key, path: [...parent, key].join('.'), source: 'body', value }))
}

const YUP_TYPES: Record<string, string> = {
  integer: 'number', float: 'number', decimal: 'number', boolean: 'boolean'
}

/** yup's message for a value of the wrong type (null included). */
function typeMessage (type: string, path: string[], value: unknown): string {
  return `${displayPath(path)} must be a \`${type}\` type, but the final value was: \`${printValue(value)}\`.`
}

function requiredNullMessage (attribute: ScalarAttribute | ComponentAttribute | DynamicZoneAttribute, path: string[]): string {
  if (attribute.type === 'json' || attribute.type === 'blocks' || attribute.type === 'component' || attribute.type === 'dynamiczone') {
    return `${displayPath(path)} must be defined.`
  }
  return typeMessage(YUP_TYPES[attribute.type] ?? 'string', path, null)
}

/** yup's wording of a failed cast (lib/query/values.ts holds the rules). */
function castMessage (attribute: ScalarAttribute, failure: CastFailure, path: string[], value: unknown): string {
  const name = displayPath(path)
  switch (attribute.type) {
    case 'integer':
    case 'biginteger':
      if (failure.reason === 'fraction') return `${name} must be an integer`
      if (failure.reason === 'unsafe') return `${name} must be a safe integer`
      if (failure.reason === 'min') return `${name} must be greater than or equal to ${failure.limit}`
      if (failure.reason === 'max') return `${name} must be less than or equal to ${failure.limit}`
      return typeMessage(attribute.type === 'integer' ? 'number' : 'string', path, value)
    case 'float':
    case 'decimal':
      return typeMessage('number', path, value)
    case 'boolean':
      return typeMessage('boolean', path, value)
    case 'date':
      return `${name} must be a valid date (yyyy-MM-dd)`
    case 'time':
      return `${name} must be a valid time (HH:mm:ss.SSS)`
    case 'datetime':
    case 'timestamp':
      return `${name} must be a valid datetime (ISO 8601)`
    case 'json':
      return `${name} must be a valid JSON`
    case 'blocks':
      return `${name} must be an array of blocks`
    default:
      return typeMessage('string', path, value)
  }
}

type Cast = { ok: true, value: unknown } | { ok: false }

/** Casts one non-null input value to its attribute's type, or records why it cannot. */
function cast (ctx: { errors: ValidationErrorItem[] }, attribute: ScalarAttribute, value: unknown, path: string[]): Cast {
  let result = castScalar(attribute.type, value)
  // Blocks are JSON of one shape: a list of typed blocks.
  if (result.ok && attribute.type === 'blocks' && (!Array.isArray(value) || value.some(b => !isPlainObject(b) || typeof b.type !== 'string'))) {
    result = { ok: false, failure: { reason: 'type' } }
  }
  if (result.ok) return result
  add(ctx, path, castMessage(attribute, result.failure, path, value), value)
  return { ok: false }
}

const STRING_TYPES = new Set(['string', 'text', 'richtext', 'email', 'password', 'uid', 'enumeration'])

/** The rules on a value of the right type: always (draft) or only when a published row is written. */
function checkRules (ctx: { errors: ValidationErrorItem[] }, attribute: ScalarAttribute, value: unknown, path: string[], publish: boolean): boolean {
  const before = ctx.errors.length
  const name = displayPath(path)
  if (STRING_TYPES.has(attribute.type) && typeof value === 'string') {
    const length = [...value].length
    if (attribute.maxLength !== undefined && length > attribute.maxLength) add(ctx, path, `${name} must be at most ${attribute.maxLength} characters`, value)
    if (attribute.type === 'enumeration' && attribute.enum !== undefined && !attribute.enum.includes(value)) {
      add(ctx, path, `${name} must be one of the following values: ${attribute.enum.join(', ')}`, value)
    }
    if (publish) {
      if (attribute.minLength !== undefined && length < attribute.minLength) add(ctx, path, `${name} must be at least ${attribute.minLength} characters`, value)
      if (value !== '') {
        const { pattern } = attribute
        // A schema's pattern runs only on a value whose length passed: maxLength bounds what it is given.
        if (pattern !== undefined) {
          if (ctx.errors.length === before && !pattern.test(value)) add(ctx, path, `${name} must match the following: "${String(pattern)}"`, value)
        } else if (attribute.type === 'uid' && !UID_RE.test(value)) {
          add(ctx, path, `${name} must match the following: "${String(UID_RE)}"`, value)
        }
        if (attribute.type === 'email' && !EMAIL_RE.test(value)) add(ctx, path, `${name} must be a valid email`, value)
      }
    }
  }
  // Numbers given as text stay text (decimals keep their digits).
  if ((attribute.type === 'integer' || attribute.type === 'float' || attribute.type === 'decimal') && (typeof value === 'number' || typeof value === 'string')) {
    const n = Number(value)
    if (attribute.max !== undefined && n > Number(attribute.max)) add(ctx, path, `${name} must be less than or equal to ${attribute.max}`, value)
    if (publish && attribute.min !== undefined && n < Number(attribute.min)) add(ctx, path, `${name} must be greater than or equal to ${attribute.min}`, value)
  }
  if (attribute.type === 'biginteger' && typeof value === 'string' && INT_RE.test(value)) {
    const n = BigInt(value)
    if (attribute.max !== undefined && n > BigInt(attribute.max)) add(ctx, path, `${name} must be less than or equal to ${attribute.max}`, value)
    if (publish && attribute.min !== undefined && n < BigInt(attribute.min)) add(ctx, path, `${name} must be greater than or equal to ${attribute.min}`, value)
  }
  return ctx.errors.length === before
}

/**
 * Item counts of a repeatable component or zone. As Strapi's `addMinMax`, `min` binds a non-required one only
 * when it holds items: `[]` (or nothing) is accepted.
 */
function countRules (ctx: { errors: ValidationErrorItem[] }, attribute: ComponentAttribute | DynamicZoneAttribute, length: number, path: string[], publish: boolean, value: unknown): void {
  const name = displayPath(path)
  if (attribute.max !== undefined && length > attribute.max) add(ctx, path, `${name} field must have less than or equal to ${attribute.max} items`, value)
  const binding = attribute.required || length > 0
  if (publish && binding && attribute.min !== undefined && length < attribute.min) add(ctx, path, `${name} field must have at least ${attribute.min} items`, value)
}

// ---------------------------------------------------------------------------------------------
// relations

function parseRef (ctx: Ctx, value: unknown, path: string[], allowPosition: boolean): RelationRef | undefined {
  if (typeof value === 'string' && value !== '') return { documentId: value, path }
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return { id: value, path }
  if (!isPlainObject(value)) {
    add(ctx, path, `${displayPath(path)} must be a documentId, { documentId } or { id }`, value)
    return undefined
  }
  let valid = true
  for (const key of Object.keys(value)) {
    if (!RELATION_ITEM_KEYS.has(key) || (key === 'position' && !allowPosition)) {
      invalidKey(ctx, path, key, value[key])
      valid = false
    }
  }
  const ref: RelationRef = { path }
  if (value.documentId !== undefined) {
    if (typeof value.documentId !== 'string' || value.documentId === '') {
      add(ctx, [...path, 'documentId'], `${displayPath([...path, 'documentId'])} must be a string`, value.documentId)
      valid = false
    } else ref.documentId = value.documentId
  }
  if (value.id !== undefined) {
    const id = typeof value.id === 'string' && /^\d+$/.test(value.id) ? Number(value.id) : value.id
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) {
      add(ctx, [...path, 'id'], `${displayPath([...path, 'id'])} must be a positive integer`, value.id)
      valid = false
    } else ref.id = id
  }
  if (ref.documentId === undefined && ref.id === undefined && valid) {
    add(ctx, path, `${displayPath(path)} must have a documentId or an id`, value)
    valid = false
  }
  if (value.locale !== undefined && value.locale !== null) {
    if (typeof value.locale !== 'string' || !ctx.options.locales.includes(value.locale)) {
      add(ctx, [...path, 'locale'], `${displayPath([...path, 'locale'])} must be one of the following values: ${ctx.options.locales.join(', ')}`, value.locale)
      valid = false
    } else ref.locale = value.locale
  }
  if (value.status !== undefined && value.status !== null) {
    if (value.status !== 'draft' && value.status !== 'published') {
      add(ctx, [...path, 'status'], `${displayPath([...path, 'status'])} must be one of the following values: draft, published`, value.status)
      valid = false
    } else ref.status = value.status
  }
  if (value.position !== undefined && allowPosition) {
    const position = parsePosition(ctx.dialect, value.position, [...path, 'position'])
    if (position === undefined) valid = false
    else ref.position = position
  }
  return valid ? ref : undefined
}

function parseRelation (ctx: Ctx, attribute: RelationAttribute, value: unknown, path: string[]): RelationInput {
  return { attribute, ...parseRelationOps(ctx.dialect, value, path), path }
}

// ---------------------------------------------------------------------------------------------
// components

/** The Document Service's dialect: relation items are documentIds (or `{ documentId, locale, status }`, `{ id }`). */
function dialectOf (of: () => Ctx): PayloadDialect<RelationRef> {
  return {
    indexed: true,
    ref: (value, path, position) => parseRef(of(), value, path, position),
    invalidKey: (path, key, value) => { invalidKey(of(), path, key, value) },
    badPosition: (path, value) => {
      add(of(), path, `${displayPath(path)} must be { start: true }, { end: true }, { before: documentId } or { after: documentId }`, value)
    },
    expected: (path, value, shape) => { add(of(), path, typeMessage(shape, path, value), value) },
    badComponent: (path, value, allowed) => {
      // yup's `string().required()` on `__component`.
      if (value === undefined) add(of(), path, `${displayPath(path)} is a required field`, null)
      else add(of(), path, `${displayPath(path)} must be one of the following values: ${allowed.join(', ')}`, value)
    }
  }
}

function parseComponents (ctx: Ctx, attribute: ComponentAttribute | DynamicZoneAttribute, value: unknown, path: string[]): PreparedComponent[] {
  const list = attribute.type === 'dynamiczone' || attribute.repeatable
  // A list is never null, in drafts too (Strapi's validator is an array, `notNull`): `[]` empties it.
  if (value === null && list) {
    add(ctx, path, typeMessage('array', path, null), null)
    return []
  }
  if (value === null && ctx.options.publish && attribute.required) add(ctx, path, typeMessage('object', path, null), null)
  if (list && Array.isArray(value)) countRules(ctx, attribute, value.length, path, ctx.options.publish, value)
  return componentValues(ctx.dialect, attribute, value, path).map((item) => {
    const model = ctx.schema.get(item.uid)
    if (model === undefined) throw new Error(`unknown component ${item.uid}`)
    let rowId: number | undefined
    if (item.id !== undefined && item.id !== null) {
      const n = typeof item.id === 'string' && /^\d+$/.test(item.id) ? Number(item.id) : item.id
      if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) add(ctx, [...item.path, 'id'], `${displayPath([...item.path, 'id'])} must be a positive integer`, item.id)
      else rowId = n
    }
    const data = prepareObject(ctx, model, item.fields, item.path, rowId === undefined)
    return { uid: item.uid, ...(rowId !== undefined && { id: rowId }), data }
  })
}

// ---------------------------------------------------------------------------------------------
// objects

function prepareObject (ctx: Ctx, model: Model, data: PlainObject, path: string[], creating: boolean, provided?: ReadonlySet<string>): Prepared {
  const prepared: Prepared = { model, scalars: {}, relations: [], components: new Map() }
  const { publish } = ctx.options
  for (const [key, value] of Object.entries(data)) {
    if (value === undefined) continue
    const keyPath = [...path, key]
    const attribute = model.attributes[key]
    if (attribute === undefined || !attribute.writable) {
      invalidKey(ctx, path, key, value)
      continue
    }
    switch (attribute.type) {
      case 'relation':
        prepared.relations.push(parseRelation(ctx, attribute, value, keyPath))
        break
      case 'morph':
        // Items `{ id, __type, __pivot: { field } }` with row ids, as Strapi's own code writes them: checked and
        // written by the Query Engine.
        (prepared.morphs ??= {})[key] = value
        break
      case 'component':
      case 'dynamiczone':
        prepared.components.set(key, parseComponents(ctx, attribute, value, keyPath))
        break
      default: {
        if (value === null) {
          if (publish && attribute.required) add(ctx, keyPath, requiredNullMessage(attribute, keyPath), null)
          prepared.scalars[key] = null
          break
        }
        const result = cast(ctx, attribute, value, keyPath)
        if (result.ok && checkRules(ctx, attribute, result.value, keyPath, publish)) prepared.scalars[key] = result.value
      }
    }
  }
  if (creating) {
    for (const attribute of Object.values(model.attributes)) {
      if (!attribute.required || attribute.type === 'relation' || attribute.type === 'morph' || data[attribute.name] !== undefined || provided?.has(attribute.name) === true) continue
      const keyPath = [...path, attribute.name]
      // Strapi's validator: a required repeatable component or zone left out of a new row is refused in a
      // draft too (its array validator is always `notNil` on creation; `[]` passes); a required single
      // component only when a published row is written, as an object that is null.
      if (attribute.type === 'dynamiczone' || (attribute.type === 'component' && attribute.repeatable)) {
        add(ctx, keyPath, `${displayPath(keyPath)} must be defined.`, null)
      } else if (!publish) {
        continue
      } else if (attribute.type === 'component') {
        add(ctx, keyPath, typeMessage('object', keyPath, null), null)
      } else if (attribute.default === undefined) {
        // A default fills it in.
        add(ctx, keyPath, `${displayPath(keyPath)} must be defined.`, null)
      }
    }
  }
  return prepared
}

/**
 * Checks `data` for a row of `model`. Root system keys (`id`, `documentId`, `createdAt`, `updatedAt`,
 * `locale`), unknown and non-writable attributes throw "Invalid key <name>" (the first found); `publishedAt`
 * is ignored. Attribute problems are thrown together afterwards.
 */
export function prepareData (schema: Schema, model: Model, data: unknown, options: PrepareOptions): Prepared {
  if (!isPlainObject(data)) {
    throw new ValidationError('data must be an object', { param: 'data', value: data ?? null })
  }
  const ctx: Ctx = { schema, options, errors: [], invalidKeys: [], dialect: dialectOf(() => ctx) }
  const rest: PlainObject = {}
  for (const [key, value] of Object.entries(data)) {
    if (key === 'publishedAt') continue
    if (SYSTEM_KEYS.has(key)) invalidKey(ctx, [], key, value)
    else rest[key] = value
  }
  const prepared = prepareObject(ctx, model, rest, [], options.creating, options.provided)
  const [invalid] = ctx.invalidKeys
  if (invalid !== undefined) throw invalid
  if (ctx.errors.length > 0) throw ValidationError.fromItems(ctx.errors)
  return prepared
}

// ---------------------------------------------------------------------------------------------
// bounds

/** Array sizes a body may hold (the `bounds` options). */
export interface BodyBounds {
  /** Items in one relation list (connect/disconnect/set), repeatable component or zone. */
  maxBodyArrayLength: number
  /** Component and zone items in the whole body, every level. */
  maxBodyComponents: number
}

function tooLarge (path: string[], what: string, limit: keyof BodyBounds, max: number): ValidationError {
  return new ValidationError(`Too many ${what} at ${displayPath(path)}: at most ${max} allowed (bounds.${limit})`, {
    key: path[path.length - 1], path: path.join('.'), source: 'body', limit: `bounds.${limit}`, max
  })
}

/**
 * A body's relation lists and component arrays within the bounds, checked before anything reads the body or
 * runs SQL: a 400 naming the limit at the first one over it. Only the sizes are looked at; `prepareData`
 * checks the rest.
 */
export function checkBodyBounds (schema: Schema, model: Model, data: unknown, bounds: BodyBounds): void {
  let components = 0
  const list = (value: unknown, path: string[], what: string): void => {
    if (Array.isArray(value) && value.length > bounds.maxBodyArrayLength) throw tooLarge(path, what, 'maxBodyArrayLength', bounds.maxBodyArrayLength)
  }
  const walk = (model: Model, object: PlainObject, path: string[]): void => {
    for (const [key, value] of Object.entries(object)) {
      const attribute = model.attributes[key]
      if (attribute === undefined || value === null || value === undefined) continue
      const keyPath = [...path, key]
      if (attribute.type === 'relation') {
        if (!isPlainObject(value)) list(value, keyPath, 'relations')
        else for (const op of ['connect', 'disconnect', 'set']) list(value[op], [...keyPath, op], 'relations')
      } else if (attribute.type === 'component' || attribute.type === 'dynamiczone') {
        list(value, keyPath, 'components')
        const items = Array.isArray(value) ? value : [value]
        components += items.length
        if (components > bounds.maxBodyComponents) throw tooLarge(keyPath, 'components in the body', 'maxBodyComponents', bounds.maxBodyComponents)
        items.forEach((item, index) => {
          if (!isPlainObject(item)) return
          const uid = attribute.type === 'component' ? attribute.component : item.__component
          const component = typeof uid === 'string' ? schema.get(uid) : undefined
          if (component !== undefined) walk(component, item, Array.isArray(value) ? [...keyPath, String(index)] : keyPath)
        })
      }
    }
  }
  if (isPlainObject(data)) walk(model, data, [])
}

// ---------------------------------------------------------------------------------------------
// stored rows, checked when published

function validateStoredObject (errors: ValidationErrorItem[], schema: Schema, model: Model, row: PlainObject, path: string[]): void {
  const ctx = { errors }
  for (const attribute of Object.values(model.attributes)) {
    const keyPath = [...path, attribute.name]
    const value = row[attribute.name]
    if (attribute.type === 'relation' || attribute.type === 'morph') continue
    if (attribute.type === 'component' || attribute.type === 'dynamiczone') {
      const items = Array.isArray(value) ? value : value === null || value === undefined ? [] : [value]
      if (attribute.required && (value === null || value === undefined)) {
        const single = attribute.type === 'component' && !attribute.repeatable
        add(ctx, keyPath, single ? typeMessage('object', keyPath, null) : `${displayPath(keyPath)} must be defined.`, null)
      }
      if (attribute.type === 'dynamiczone' || attribute.repeatable) countRules(ctx, attribute, items.length, keyPath, true, value ?? null)
      items.forEach((item, index) => {
        if (!isPlainObject(item)) return
        const uid = attribute.type === 'component' ? attribute.component : String(item.__component)
        const component = schema.get(uid)
        if (component === undefined) return
        const itemPath = attribute.type === 'component' && !attribute.repeatable ? keyPath : [...keyPath, String(index)]
        validateStoredObject(errors, schema, component, item, itemPath)
      })
      continue
    }
    if (value === null || value === undefined) {
      if (attribute.required) add(ctx, keyPath, requiredNullMessage(attribute, keyPath), null)
      continue
    }
    checkRules(ctx, attribute, value, keyPath, true)
  }
}

/** The publish-only rules on a stored draft (read back with its components and zones). */
export function validateStored (schema: Schema, model: Model, row: PlainObject, path: string[] = []): ValidationErrorItem[] {
  const errors: ValidationErrorItem[] = []
  validateStoredObject(errors, schema, model, row, path)
  return errors
}
