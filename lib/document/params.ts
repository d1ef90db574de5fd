import type { Model } from '../content-types/index.js'
import { PaginationError, ValidationError } from '../errors.js'
import { invalidKey, isPlainObject, parseFind, type ParseOptions, type PlainObject } from '../query/index.js'
import { and, isLocalized, localeWhere, type ServiceContext, statusWhere } from './context.js'
import type { Status } from './types.js'

/**
 * Document Service read params (REST syntax, contract §8) → Query Engine params. `filters` → `where`,
 * `fields` → `select`, `sort` → `orderBy`, `populate` → `populate` with, at every level, the request's status
 * added for draft-and-publish targets and its locale for localized ones, so relations never leak drafts into
 * published reads (nor the other way round). The virtual `localizations` relation is taken out here and
 * loaded after the main query (see output.ts), following the `OutputNode` tree built alongside.
 */

export interface ReadScope {
  status: Status
  /** A locale code, or `'*'`. */
  locale: string
}

/** How the result of a query is walked afterwards: which model each populated value holds. */
export interface OutputNode {
  model: Model
  relations: Map<string, OutputNode>
  components: Map<string, OutputNode>
  zones: Map<string, Map<string, OutputNode>>
  localizations?: { params: PlainObject, node: OutputNode }
}

/** Query Engine find params, plus the tree to shape its result with. */
export interface ReadPlan {
  params: PlainObject
  output: OutputNode
}

const RELATION_OPTIONS = new Set(['fields', 'filters', 'sort', 'populate', 'count'])
const COMPONENT_OPTIONS = new Set(['fields', 'filters', 'sort', 'populate'])
const ZONE_OPTIONS = new Set(['on', 'populate'])
const FRAGMENT_OPTIONS = new Set(['fields', 'populate'])
const LOCALIZATION_OPTIONS = new Set(['fields', 'filters', 'sort', 'populate'])
const PARAM_NAMES: Record<string, string> = { where: 'filters', select: 'fields', orderBy: 'sort' }

function emptyNode (model: Model): OutputNode {
  return { model, relations: new Map(), components: new Map(), zones: new Map() }
}

function invalidValue (path: string[], value: unknown, expected: string): ValidationError {
  const where = path.join('.')
  return new ValidationError(`Invalid value for populate${where === '' ? '' : ` at ${where}`}: expected ${expected}`, { path: where, param: 'populate', value })
}

/** Adds `a.b.c` as `{ a: { populate: { b: { populate: { c: true } } } } }`. */
function addDotted (into: PlainObject, parts: string[]): void {
  const [head, ...rest] = parts
  if (head === undefined || head === '') return
  if (rest.length === 0) {
    if (into[head] === undefined || into[head] === false) into[head] = true
    return
  }
  const existing = into[head]
  const options: PlainObject = isPlainObject(existing) ? { ...existing } : {}
  const nested = populateEntries(options.populate, [])
  addDotted(nested, rest)
  into[head] = { ...options, populate: nested }
}

/** Every accepted populate form as one object `name → true | options`, `'*'` meaning all. */
function populateEntries (value: unknown, path: string[]): PlainObject {
  if (value === undefined || value === null || value === false || value === 'false') return {}
  if (value === true || value === '*' || value === 'true') return { '*': true }
  if (isPlainObject(value)) return { ...value }
  const items = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : undefined
  if (items === undefined) throw invalidValue(path, value, 'true, "*", a list of names or an object')
  const entries: PlainObject = {}
  for (const item of items) {
    if (typeof item !== 'string') throw invalidValue(path, value, 'true, "*", a list of names or an object')
    const name = item.trim()
    if (name === '*') entries['*'] = true
    else addDotted(entries, name.split('.'))
  }
  return entries
}

function optionsOf (value: unknown, path: string[]): PlainObject | undefined {
  if (value === false || value === undefined || value === null || value === 'false') return undefined
  if (value === true || value === '*' || value === 'true') return {}
  if (isPlainObject(value)) return value
  throw invalidValue(path, value, 'true or an object of options')
}

function checkOptions (options: PlainObject, allowed: Set<string>, path: string[]): void {
  for (const key of Object.keys(options)) if (!allowed.has(key)) throw invalidKey('populate', key, path)
}

function isTrue (value: unknown): boolean {
  return value === true || value === 'true' || value === '1' || value === 't'
}

interface Ctx {
  service: ServiceContext
  scope: ReadScope
  allowPrivate: boolean
}

/** The populate of one model: Query Engine populate and the output tree. */
function convertPopulate (ctx: Ctx, model: Model, value: unknown, path: string[]): { populate?: PlainObject, node: OutputNode } {
  const node = emptyNode(model)
  const entries = populateEntries(value, path)
  const all = entries['*'] !== undefined
  delete entries['*']
  const names: Array<[string, unknown]> = []
  if (all) {
    for (const attribute of Object.values(model.attributes)) {
      if (attribute.type !== 'relation' && attribute.type !== 'component' && attribute.type !== 'dynamiczone') continue
      if ((attribute.private && !ctx.allowPrivate) || attribute.name in entries) continue
      names.push([attribute.name, true])
    }
    if (isLocalized(model) && model.attributes.localizations === undefined && !('localizations' in entries)) names.push(['localizations', true])
  }
  names.push(...Object.entries(entries))
  const populate: PlainObject = {}
  for (const [name, raw] of names) {
    const keyPath = [...path, name]
    const options = optionsOf(raw, keyPath)
    if (options === undefined) continue
    if (name === 'localizations' && isLocalized(model) && model.attributes.localizations === undefined) {
      checkOptions(options, LOCALIZATION_OPTIONS, keyPath)
      const sub = convertPopulate(ctx, model, options.populate, keyPath)
      node.localizations = {
        params: {
          ...(options.fields !== undefined && { select: options.fields }),
          ...(options.filters !== undefined && { where: options.filters }),
          ...(options.sort !== undefined && { orderBy: options.sort }),
          ...(sub.populate !== undefined && { populate: sub.populate })
        },
        node: sub.node
      }
      continue
    }
    const attribute = model.attributes[name]
    if (attribute === undefined || (attribute.private && !ctx.allowPrivate)) throw invalidKey('populate', name, path)
    if (attribute.type !== 'dynamiczone' && 'on' in options && (attribute.type === 'relation' || attribute.type === 'component')) {
      throw new ValidationError(`Using fragments is not permitted to populate "${name}" in "${model.uid}"`, { key: 'on', path: [...keyPath, 'on'].join('.'), param: 'populate' })
    }
    if (attribute.type === 'relation') {
      checkOptions(options, RELATION_OPTIONS, keyPath)
      const target = ctx.service.schema.get(attribute.target)
      if (target === undefined) throw new Error(`unknown relation target ${attribute.target}`)
      const count = isTrue(options.count)
      const sub = count ? { node: emptyNode(target) } : convertPopulate(ctx, target, options.populate, keyPath)
      const where = and(options.filters, statusWhere(target, ctx.scope.status), localeWhere(target, ctx.scope.locale))
      populate[name] = {
        ...(options.fields !== undefined && !count && { select: options.fields }),
        ...(where !== undefined && { where }),
        ...(options.sort !== undefined && !count && { orderBy: options.sort }),
        ...(sub.populate !== undefined && { populate: sub.populate }),
        ...(count && { count: true })
      }
      if (!count) node.relations.set(name, sub.node)
    } else if (attribute.type === 'component') {
      checkOptions(options, COMPONENT_OPTIONS, keyPath)
      const component = ctx.service.schema.get(attribute.component)
      if (component === undefined) throw new Error(`unknown component ${attribute.component}`)
      const sub = convertPopulate(ctx, component, options.populate, keyPath)
      populate[name] = {
        ...(options.fields !== undefined && { select: options.fields }),
        ...(options.filters !== undefined && { where: options.filters }),
        ...(options.sort !== undefined && { orderBy: options.sort }),
        ...(sub.populate !== undefined && { populate: sub.populate })
      }
      node.components.set(name, sub.node)
    } else if (attribute.type === 'dynamiczone') {
      checkOptions(options, ZONE_OPTIONS, keyPath)
      let fragments: PlainObject
      if (options.on === undefined) {
        fragments = Object.fromEntries(attribute.components.map(uid => [uid, options.populate === undefined ? true : { populate: options.populate }]))
      } else if (isPlainObject(options.on)) {
        fragments = options.on
      } else {
        throw invalidValue([...keyPath, 'on'], options.on, 'an object of component uids')
      }
      const on: PlainObject = {}
      const zone = new Map<string, OutputNode>()
      for (const [uid, fragment] of Object.entries(fragments)) {
        const fragmentPath = [...keyPath, 'on', uid]
        if (!attribute.components.includes(uid)) throw invalidKey('populate', uid, [...keyPath, 'on'])
        const fragmentOptions = optionsOf(fragment, fragmentPath)
        if (fragmentOptions === undefined) continue
        checkOptions(fragmentOptions, FRAGMENT_OPTIONS, fragmentPath)
        const component = ctx.service.schema.get(uid)
        if (component === undefined) throw new Error(`unknown component ${uid}`)
        const sub = convertPopulate(ctx, component, fragmentOptions.populate, fragmentPath)
        on[uid] = {
          ...(fragmentOptions.fields !== undefined && { select: fragmentOptions.fields }),
          ...(sub.populate !== undefined && { populate: sub.populate })
        }
        zone.set(uid, sub.node)
      }
      populate[name] = { on }
      node.zones.set(name, zone)
    } else {
      throw invalidKey('populate', name, path)
    }
  }
  return { ...(Object.keys(populate).length > 0 && { populate }), node }
}

function parseInteger (name: string, value: unknown, min: number): number | undefined {
  if (value === undefined || value === null || value === '') return undefined
  const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min) {
    throw new ValidationError(`Invalid value ${JSON.stringify(value)} for ${name}: expected an integer greater than or equal to ${min}`, { key: name, param: 'pagination', value })
  }
  return n
}

/** `{ page, pageSize }` or `{ start, limit }`, in `pagination` or at the root (pagination wins); limit -1 = no limit. */
export function parsePagination (params: PlainObject): { limit?: number, offset?: number } {
  let source: PlainObject = params
  if (params.pagination !== undefined && params.pagination !== null) {
    if (!isPlainObject(params.pagination)) throw new ValidationError('The pagination parameter must be an object', { param: 'pagination', value: params.pagination })
    source = params.pagination
  }
  const pageMode = source.page !== undefined || source.pageSize !== undefined
  const offsetMode = source.start !== undefined || source.limit !== undefined
  if (pageMode && offsetMode) {
    throw new PaginationError('Invalid pagination attributes. You cannot use page and offset pagination in the same query', { param: 'pagination' })
  }
  if (pageMode) {
    const page = parseInteger('page', source.page, 1) ?? 1
    const pageSize = parseInteger('pageSize', source.pageSize, 1) ?? 25
    return { limit: pageSize, offset: (page - 1) * pageSize }
  }
  const start = parseInteger('start', source.start, 0)
  const limit = parseInteger('limit', source.limit, -1)
  return {
    ...(limit !== undefined && limit >= 0 && { limit }),
    ...(start !== undefined && start > 0 && { offset: start })
  }
}

/** A ValidationError from the Query Engine's parsers, with REST's parameter names. */
export function restError (err: unknown): unknown {
  if (!(err instanceof ValidationError)) return err
  const param = err.details.param
  if (typeof param !== 'string' || PARAM_NAMES[param] === undefined) return err
  const renamed = PARAM_NAMES[param]
  const message = err.message.replace(`The ${param} parameter`, `The ${renamed} parameter`)
  const copy = new ValidationError(message, { ...err.details, param: renamed })
  copy.stack = err.stack
  return copy
}

export interface ReadInput {
  fields?: unknown
  filters?: unknown
  sort?: unknown
  populate?: unknown
  _q?: unknown
  limit?: number
  offset?: number
}

/**
 * Builds (and checks against the model) the Query Engine params of a read: the caller's conditions ANDed
 * with `extra` (documentId, status, locale). Every problem is a ValidationError named after the REST param.
 */
export function buildRead (service: ServiceContext, model: Model, input: ReadInput, scope: ReadScope, extra: unknown[], options: ParseOptions = {}): ReadPlan {
  const ctx: Ctx = { service, scope, allowPrivate: options.allowPrivate ?? true }
  try {
    const { populate, node } = convertPopulate(ctx, model, input.populate, [])
    const where = and(input.filters, ...extra)
    const params: PlainObject = {
      ...(input.fields !== undefined && input.fields !== null && { select: input.fields }),
      ...(where !== undefined && { where }),
      ...(input.sort !== undefined && input.sort !== null && { orderBy: input.sort }),
      ...(populate !== undefined && { populate }),
      ...(input._q !== undefined && input._q !== null && { _q: input._q }),
      ...(input.limit !== undefined && { limit: input.limit }),
      ...(input.offset !== undefined && { offset: input.offset })
    }
    // Checked now, with the caller's trust level, so a bad key never reaches a lifecycle hook.
    parseFind(service.catalog, model.uid, params, { allowPrivate: ctx.allowPrivate })
    if (node.localizations !== undefined) {
      parseFind(service.catalog, model.uid, node.localizations.params, { allowPrivate: ctx.allowPrivate })
    }
    return { params, output: node }
  } catch (err) {
    throw restError(err)
  }
}

/** The read conditions of a scope on a model: its status and locale. */
export function scopeWhere (model: Model, scope: ReadScope): unknown[] {
  return [statusWhere(model, scope.status), localeWhere(model, scope.locale)]
}
