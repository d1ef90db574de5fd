import type { Model } from '../content-types/index.js'
import { PaginationError, ValidationError } from '../errors.js'
import {
  checkFilterDepth, checkList, checkPopulateDepth, contentKey, copyContent, lruPerOwner, type Catalog, invalidKey, isPlainObject, type ModelInfo, optionsOf,
  type PlainObject, populateEntries, type PublicationFilter, type ReadLimits, zoneFragments
} from '../query/index.js'
import { and, cohortWhere, isLocalized, localeWhere, statusWhere } from './context.js'
import type { Status } from './types.js'

/**
 * REST-syntax `populate` (contract §8.5) → Query Engine `populate`, checked against the catalog only (no
 * database, no service context), so both the Document Service (`buildRead`) and the REST layer
 * (`validateQuery`) convert with this one implementation. Every accepted form is normalized per level,
 * option names are checked (`fields`/`filters`/`sort`/`populate`/`count` on relations, fragments on zones),
 * `*` is expanded, and the `OutputNode` tree is built alongside (what output.ts walks afterwards). The Query
 * Engine's parser checks the rest.
 */

export interface ReadScope {
  status: Status
  /** A locale code, or `'*'`. */
  locale: string
  publication?: PublicationFilter
}

/** The read conditions of a scope on a model: its status, locale and publication cohort. */
export function scopeWhere (model: Model, scope: ReadScope): unknown[] {
  return [statusWhere(model, scope.status), localeWhere(model, scope.locale), cohortWhere(model, scope.publication)]
}

/** How the result of a query is walked afterwards: which model each populated value holds. */
export interface OutputNode {
  model: Model
  relations: Map<string, OutputNode>
  components: Map<string, OutputNode>
  zones: Map<string, Map<string, OutputNode>>
  /** Polymorphic owning sides: a node per linked type, picked by each item's `__type`. */
  morphs: Map<string, Map<string, OutputNode>>
  localizations?: OutputNode
}

export interface PopulateOptions {
  /** false: private attributes are unknown keys (untrusted callers). Default true. */
  allowPrivate?: boolean
  /** The status and locale added to the conditions of every populated relation (the Document Service's reads). */
  scope?: ReadScope
  /**
   * Untrusted input (REST): `count` must be boolean-like, and a counted relation keeps (so the Query Engine
   * checks) its other options. Otherwise `count` is true for `true`/`'true'`/`'t'`/`'1'`/`1` and a counted
   * relation loads nothing else.
   */
  strict?: boolean
  /**
   * Untrusted input (REST): comma lists (populate names, nested `fields`/`sort`), the populate depth and the
   * `filters` of every populated relation and component within these limits.
   */
  limits?: ReadLimits
}

const RELATION_OPTIONS = new Set(['fields', 'filters', 'sort', 'populate', 'count', 'start', 'limit', 'page', 'pageSize'])
/** A populated list's window, as Strapi takes it on to-many relations: `start`/`limit` or `page`/`pageSize`. */
const WINDOW_OPTIONS = ['start', 'limit', 'page', 'pageSize'] as const
const COMPONENT_OPTIONS = new Set(['fields', 'filters', 'sort', 'populate'])
const ZONE_OPTIONS = new Set(['on', 'populate'])
const FRAGMENT_OPTIONS = new Set(['fields', 'populate'])
/** A zone's fragments also take `filters` (its items of that component that match), as Strapi's. */
const ZONE_FRAGMENT_OPTIONS = new Set(['fields', 'populate', 'filters'])
const LOCALIZATION_OPTIONS = new Set(['fields', 'filters', 'sort', 'populate'])
/** A polymorphic owning side: each item as its type's default select, or its type's fragment in `on`. */
const MORPH_OPTIONS = new Set(['on'])
const BOOLEAN_LIKE = new Map<unknown, boolean>([
  [true, true], ['true', true], ['t', true], ['1', true], [1, true],
  [false, false], ['false', false], ['f', false], ['0', false], [0, false]
])

/** The virtual `localizations` relation of localized content types (not an attribute). */
export function isLocalizations (model: Model, name: string): boolean {
  return name === 'localizations' && isLocalized(model) && model.attributes.localizations === undefined
}

// Per model, for trusted and untrusted callers: computed on every `populate=*` request otherwise.
const starCache = new WeakMap<Model, { trusted: readonly string[], untrusted: readonly string[] }>()

/** Every attribute `populate=*` populates on a model, in attribute order, `localizations` last. */
export function starNames (model: Model, allowPrivate: boolean): readonly string[] {
  let cached = starCache.get(model)
  if (cached === undefined) {
    const names = (trusted: boolean): string[] => {
      const list = Object.values(model.attributes)
        .filter(a => (trusted || !a.private) && (a.type === 'relation' || a.type === 'component' || a.type === 'dynamiczone'))
        .map(a => a.name)
      if (isLocalizations(model, 'localizations')) list.push('localizations')
      return list
    }
    cached = { trusted: names(true), untrusted: names(false) }
    starCache.set(model, cached)
  }
  return allowPrivate ? cached.trusted : cached.untrusted
}

function emptyNode (model: Model): OutputNode {
  return { model, relations: new Map(), components: new Map(), zones: new Map(), morphs: new Map() }
}

interface Ctx extends PopulateOptions {
  catalog: Catalog
  allowPrivate: boolean
}

/** `known`: the key names an attribute that may not be populated (located at itself, see invalidKey). */
function keyError (key: string, path: string[], known = false): ValidationError {
  return invalidKey('populate', key, path, known)
}

function shapeError (path: readonly string[], value: unknown, expected: string): ValidationError {
  const where = path.join('.')
  return new ValidationError(`Invalid value for populate${where === '' ? '' : ` at ${where}`}: expected ${expected}`, {
    ...(path.length > 0 && { key: path[path.length - 1] }),
    path: where === '' ? 'populate' : where,
    param: 'populate',
    value
  })
}

function entriesOf (ctx: Ctx, value: unknown, path: string[]): PlainObject {
  const { limits } = ctx
  const split = limits === undefined ? undefined : (text: string) => checkList(text, limits.maxArrayLength, 'populate', path)
  const entries = populateEntries(value, split)
  if (entries === undefined) throw shapeError(path, value, 'true, "*", a list of names or an object')
  return entries
}

function optionsAt (ctx: Ctx, value: unknown, path: string[]): PlainObject | undefined {
  const result = optionsOf(value)
  if (result === undefined) throw shapeError(path, value, 'true or an object of options')
  return result.options
}

function checkOptions (options: PlainObject, allowed: Set<string>, path: string[]): void {
  for (const key of Object.keys(options)) if (!allowed.has(key)) throw keyError(key, path)
}

function listOption (ctx: Ctx, value: unknown, path: string[]): unknown {
  // Comma lists in nested `fields`/`sort` count against the array limit too.
  if (typeof value === 'string' && ctx.limits !== undefined) checkList(value, ctx.limits.maxArrayLength, 'populate', path)
  return value
}

function countOf (ctx: Ctx, value: unknown, path: string[]): boolean {
  if (value === undefined) return false
  const count = BOOLEAN_LIKE.get(value)
  if (count === undefined && ctx.strict === true) throw keyError('count', path)
  return count ?? false
}

/** `fields`/`filters`/`sort` → `select`/`where`/`orderBy`, keeping only what was given; `where` gets `extra`. */
function shapeOptions (ctx: Ctx, options: PlainObject, path: string[], extra: unknown[] = []): PlainObject {
  const select = options.fields === undefined ? undefined : listOption(ctx, options.fields, [...path, 'fields'])
  if (options.filters !== undefined && ctx.limits !== undefined) checkFilterDepth(options.filters, ctx.limits.maxFilterDepth, 'populate', path)
  const where = extra.length === 0 ? options.filters : and(options.filters, ...extra)
  return {
    ...(select !== undefined && { select }),
    ...(where !== undefined && { where }),
    ...(options.sort !== undefined && { orderBy: listOption(ctx, options.sort, [...path, 'sort']) })
  }
}

/** `start`/`limit` or `page`/`pageSize` of a populated to-many relation → the Query Engine's `offset`/`limit`. */
function windowOf (options: PlainObject, toMany: boolean, path: string[]): { limit?: number, offset?: number } {
  const given = WINDOW_OPTIONS.filter(key => options[key] !== undefined && options[key] !== null)
  if (given.length === 0) return {}
  if (!toMany) throw keyError(given[0]!, path)
  const integer = (key: typeof WINDOW_OPTIONS[number], min: number): number | undefined => {
    const value = options[key]
    if (value === undefined || value === null) return undefined
    const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min) {
      throw new ValidationError(`Invalid value for populate at ${[...path, key].join('.')}: expected an integer greater than or equal to ${min}`, {
        key, path: [...path, key].join('.'), param: 'populate', value
      })
    }
    return n
  }
  const pages = options.page !== undefined || options.pageSize !== undefined
  if (pages && (options.start !== undefined || options.limit !== undefined)) {
    throw new PaginationError('Invalid pagination attributes. You cannot use page and offset pagination in the same query', { path: path.join('.'), param: 'populate' })
  }
  if (pages) {
    const pageSize = integer('pageSize', 1) ?? 25
    const offset = ((integer('page', 1) ?? 1) - 1) * pageSize
    return { limit: pageSize, ...(offset > 0 && { offset }) }
  }
  const limit = integer('limit', 1)
  const offset = integer('start', 0)
  return { ...(limit !== undefined && { limit }), ...(offset !== undefined && offset > 0 && { offset }) }
}

/**
 * The `on` fragments of a zone or a polymorphic side (`fields`, `populate` per uid, each uid one of `allowed`) in
 * Query Engine syntax; each fragment's output tree goes into `nodes`.
 */
function convertFragments (ctx: Ctx, fragments: PlainObject, allowed: readonly string[], keyPath: string[], level: number, nodes: Map<string, OutputNode>, zone = false): PlainObject {
  const on: PlainObject = {}
  for (const [uid, fragment] of Object.entries(fragments)) {
    const fragmentPath = [...keyPath, 'on', uid]
    if (!allowed.includes(uid)) throw keyError(uid, [...keyPath, 'on'])
    const fragmentOptions = optionsAt(ctx, fragment, fragmentPath)
    if (fragmentOptions === undefined) continue
    checkOptions(fragmentOptions, zone ? ZONE_FRAGMENT_OPTIONS : FRAGMENT_OPTIONS, fragmentPath)
    if (fragmentOptions.filters !== undefined && ctx.limits !== undefined) checkFilterDepth(fragmentOptions.filters, ctx.limits.maxFilterDepth, 'populate', fragmentPath)
    const sub = convert(ctx, ctx.catalog.get(uid), fragmentOptions.populate, fragmentPath, level + 1)
    on[uid] = {
      ...(fragmentOptions.fields !== undefined && { select: listOption(ctx, fragmentOptions.fields, [...fragmentPath, 'fields']) }),
      ...(fragmentOptions.filters !== undefined && { where: fragmentOptions.filters }),
      ...(sub.populate !== undefined && { populate: sub.populate })
    }
    nodes.set(uid, sub.node)
  }
  return on
}

/**
 * A zone's own `populate` (`populate[0]=blocks.compo`, `populate[blocks][populate]=…`) as one fragment per
 * component, as Strapi spreads it: each component gets the names it has among its relations, components and
 * zones; a name that is a plain field of some component is accepted and populates nothing; a name no
 * component has is an invalid key at the zone.
 */
function zoneWidePopulate (ctx: Ctx, components: readonly string[], value: unknown, keyPath: string[]): PlainObject {
  const entries = entriesOf(ctx, value, keyPath)
  const models = components.map(uid => ctx.catalog.get(uid).model)
  for (const name of Object.keys(entries)) {
    if (name === '*') continue
    const known = models.some(model => { const a = model.attributes[name]; return a !== undefined && (!a.private || ctx.allowPrivate) })
    if (!known) throw keyError(name, keyPath, true)
  }
  return Object.fromEntries(models.map(model => {
    const own = Object.entries(entries).filter(([name]) => {
      const type = model.attributes[name]?.type
      return name === '*' || type === 'relation' || type === 'component' || type === 'dynamiczone' || type === 'morph'
    })
    return [model.uid, own.length === 0 ? true : { populate: Object.fromEntries(own) }]
  }))
}

function convert (ctx: Ctx, info: ModelInfo, value: unknown, path: string[], level: number): { populate?: PlainObject, node: OutputNode } {
  const { model } = info
  const node = emptyNode(model)
  const entries = entriesOf(ctx, value, path)
  const given = Object.keys(entries)
  if (given.length === 0) return { node }
  if (ctx.limits !== undefined) checkPopulateDepth(level, ctx.limits.maxPopulateDepth, given, path)
  const names: Array<[string, unknown]> = []
  if (entries['*'] !== undefined) {
    // Every first-level relation, component and zone, unless named explicitly with its own options.
    for (const name of starNames(model, ctx.allowPrivate)) if (!(name in entries)) names.push([name, true])
  }
  for (const name of given) if (name !== '*') names.push([name, entries[name]])
  const populate: PlainObject = {}
  for (const [name, raw] of names) {
    const keyPath = [...path, name]
    const options = optionsAt(ctx, raw, keyPath)
    if (options === undefined) continue
    if (isLocalizations(model, name)) {
      checkOptions(options, LOCALIZATION_OPTIONS, keyPath)
      // Same model, one level down: its own fields/filters/sort, and its populate as a new level.
      const sub = convert(ctx, info, options.populate, keyPath, level + 1)
      // The document's other locales in the same status and cohort (the Query Engine's virtual relation).
      const extra = ctx.scope === undefined ? [] : [statusWhere(model, ctx.scope.status), cohortWhere(model, ctx.scope.publication)]
      populate[name] = { ...shapeOptions(ctx, options, keyPath, extra), ...(sub.populate !== undefined && { populate: sub.populate }) }
      node.localizations = sub.node
      continue
    }
    const attribute = model.attributes[name]
    // A name the list form (`populate=bogus`) gives is located at itself, as Strapi reports it.
    if (attribute === undefined || (attribute.private && !ctx.allowPrivate)) throw keyError(name, path, attribute !== undefined || !isPlainObject(value))
    if ((attribute.type === 'relation' || attribute.type === 'component') && 'on' in options) {
      throw new ValidationError(`Using fragments is not permitted to populate "${name}" in "${model.uid}"`, {
        key: 'on', path: [...keyPath, 'on'].join('.'), param: 'populate'
      })
    }
    if (attribute.type === 'relation') {
      checkOptions(options, RELATION_OPTIONS, keyPath)
      const target = ctx.catalog.get(attribute.target)
      const extra = ctx.scope === undefined ? [] : scopeWhere(target.model, ctx.scope)
      const shaped: PlainObject = { ...shapeOptions(ctx, options, keyPath, extra), ...windowOf(options, attribute.relation.endsWith('ToMany'), keyPath) }
      const count = countOf(ctx, options.count, keyPath)
      if (count && ctx.strict !== true) {
        // Counted: no rows are loaded, so only the conditions apply.
        populate[name] = { ...(shaped.where !== undefined && { where: shaped.where }), count: true }
        continue
      }
      const sub = convert(ctx, target, options.populate, keyPath, level + 1)
      populate[name] = { ...shaped, ...(sub.populate !== undefined && { populate: sub.populate }), ...(count && { count: true }) }
      node.relations.set(name, sub.node)
    } else if (attribute.type === 'component') {
      checkOptions(options, COMPONENT_OPTIONS, keyPath)
      const shaped = shapeOptions(ctx, options, keyPath)
      const sub = convert(ctx, ctx.catalog.get(attribute.component), options.populate, keyPath, level + 1)
      populate[name] = { ...shaped, ...(sub.populate !== undefined && { populate: sub.populate }) }
      node.components.set(name, sub.node)
    } else if (attribute.type === 'dynamiczone') {
      checkOptions(options, ZONE_OPTIONS, keyPath)
      const fragments = options.on === undefined && options.populate !== undefined
        ? zoneWidePopulate(ctx, attribute.components, options.populate, keyPath)
        : zoneFragments(attribute.components, options)
      if (fragments === undefined) throw shapeError([...keyPath, 'on'], options.on, 'an object of component uids')
      const zone = new Map<string, OutputNode>()
      const on = convertFragments(ctx, fragments, attribute.components, keyPath, level, zone, true)
      populate[name] = { on }
      node.zones.set(name, zone)
    } else if (attribute.type === 'morph') {
      // Every linked row as its type's default select, or as its type's fragment in `on` (`fields`, `populate`);
      // items carry `__type` (walked like zone fragments).
      checkOptions(options, MORPH_OPTIONS, keyPath)
      const typeUids = info.morphs.get(name)?.types ?? []
      if (options.on !== undefined && !isPlainObject(options.on)) throw shapeError([...keyPath, 'on'], options.on, 'an object of content type uids')
      const fragments = (options.on ?? {}) as PlainObject
      const types = new Map<string, OutputNode>()
      for (const uid of typeUids) types.set(uid, emptyNode(ctx.catalog.get(uid).model))
      const on = convertFragments(ctx, fragments, typeUids, keyPath, level, types)
      populate[name] = Object.keys(on).length === 0 ? true : { on }
      node.morphs.set(name, types)
    } else {
      throw keyError(name, path, true)
    }
  }
  return { ...(Object.keys(populate).length > 0 && { populate }), node }
}

/**
 * One model's REST `populate` in Query Engine syntax (undefined when nothing is populated) and the tree to
 * shape its result with; errors are ValidationErrors with `param: 'populate'`.
 */
export function convertPopulate (catalog: Catalog, uid: string, value: unknown, options: PopulateOptions = {}): Converted {
  const ctx: Ctx = { ...options, catalog, allowPrivate: options.allowPrivate ?? true }
  const key = cacheKey(uid, value, options)
  if (key === undefined) return convert(ctx, catalog.get(uid), value, [], 1)
  const cache = converted(catalog)
  let result = cache.get(key)
  if (result === undefined) {
    // Stored as a copy: the caller's filters are part of the result, and the caller may change them later.
    result = convert(ctx, catalog.get(uid), value, [], 1)
    cache.set(key, copyConverted(result))
    return result
  }
  // Handed out as a copy too: the Query Engine's lifecycle hooks receive it and may change it.
  return copyConverted(result)
}

interface Converted { populate?: PlainObject, node: OutputNode }

/** The populate copied (plain data), the output tree shared (never mutated). */
function copyConverted ({ populate, node }: Converted): Converted {
  return populate === undefined ? { node } : { populate: copyContent(populate), node }
}

/** Distinct populate values kept per catalog, least recently used dropped first. */
const CONVERTED_CACHE_SIZE = 500
const converted = lruPerOwner<Catalog, Converted>(CONVERTED_CACHE_SIZE)

/** Conversions are cached by content: nothing but data decides them. */
function cacheKey (uid: string, value: unknown, options: PopulateOptions): string | undefined {
  const { allowPrivate, scope, strict, limits } = options
  const content = contentKey(value)
  if (content === undefined) return undefined
  const bounds = limits === undefined ? '' : `${limits.maxArrayLength},${limits.maxPopulateDepth},${limits.maxFilterDepth}`
  return `${uid}\n${allowPrivate === false ? 0 : 1}${strict === true ? 1 : 0}\n${scope?.status ?? ''}\n${scope?.locale ?? ''}\n${scope?.publication ?? ''}\n${bounds}\n${content}`
}
