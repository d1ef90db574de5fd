import { ValidationError } from '../../errors.js'
import type { ModelInfo } from '../../query/index.js'
import { limitError, queryInvalidKey } from './errors.js'
import { checkList } from './limits.js'
import { isPlainObject, type PlainObject } from '../../query/index.js'

/**
 * REST `populate` (contract §8.5) in every accepted form, normalized to one object per level, checked for
 * what only REST has (its option names, `count`, fragments, the depth limit, `localizations`) and turned into
 * the Query Engine's syntax, whose parser then checks every key against the model.
 */

const RELATION_OPTIONS = new Set(['fields', 'filters', 'sort', 'populate', 'count'])
const COMPONENT_OPTIONS = new Set(['fields', 'filters', 'sort', 'populate'])
const ZONE_OPTIONS = new Set(['on', 'populate'])
const FRAGMENT_OPTIONS = new Set(['fields', 'populate'])
const LOCALIZATION_OPTIONS = new Set(['fields', 'filters', 'sort', 'populate'])
const BOOLEAN_LIKE = new Map<unknown, boolean>([
  [true, true], ['true', true], ['t', true], ['1', true], [1, true],
  [false, false], ['false', false], ['f', false], ['0', false], [0, false]
])

function entriesObject (): PlainObject {
  return Object.create(null) as PlainObject
}

function invalidShape (path: readonly string[], value: unknown, expected: string): ValidationError {
  const where = path.join('.')
  return new ValidationError(`Invalid value for populate${where === '' ? '' : ` at ${where}`}: expected ${expected}`, {
    ...(path.length > 0 && { key: path[path.length - 1] }),
    path: where === '' ? 'populate' : where,
    source: 'query',
    param: 'populate',
    value
  })
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
  const options: PlainObject = isPlainObject(existing) ? { ...existing } : entriesObject()
  const nested = isPlainObject(options.populate) ? { ...options.populate } : entriesObject()
  if (options.populate === '*' || options.populate === true) nested['*'] = true
  addDotted(nested, rest)
  options.populate = nested
  into[head] = options
}

/**
 * Every populate form as `{ name: true | options }`, `'*'` meaning every first-level attribute:
 * `'*'`, `'a,b.c'`, `['a', 'b.c']`, `{ a: true, b: { populate: … } }`. Nothing to populate → `{}`.
 */
export function populateEntries (value: unknown, path: readonly string[], maxArrayLength: number): PlainObject {
  const entries = entriesObject()
  if (value === undefined || value === null || value === false || value === 'false' || value === '') return entries
  if (value === true || value === 'true' || value === '*') {
    entries['*'] = true
    return entries
  }
  if (isPlainObject(value)) return Object.assign(entries, value)
  let items: unknown[]
  if (typeof value === 'string') items = checkList(value, maxArrayLength, 'populate', path)
  else if (Array.isArray(value)) items = value
  else throw invalidShape(path, value, 'true, "*", a list of names or an object')
  for (const item of items) {
    if (typeof item !== 'string') throw invalidShape(path, value, 'true, "*", a list of names or an object')
    for (const name of checkList(item, maxArrayLength, 'populate', path)) {
      if (name === '*') entries['*'] = true
      else addDotted(entries, name.split('.').map(s => s.trim()))
    }
  }
  return entries
}

/** The options of one populated attribute: `true`/`'*'` → `{}`, `false` → undefined (not populated). */
export function optionsOf (value: unknown, path: readonly string[]): PlainObject | undefined {
  if (value === false || value === undefined || value === null || value === 'false') return undefined
  if (value === true || value === 'true' || value === '*') return {}
  if (isPlainObject(value)) return value
  throw invalidShape(path, value, 'true or an object of options')
}

/** The virtual `localizations` relation of localized content types (not an attribute). */
export function isLocalizations (info: ModelInfo, name: string): boolean {
  return name === 'localizations' && info.model.kind !== 'component' && info.model.localized &&
    info.model.attributes.localizations === undefined
}

export interface ConvertContext {
  maxPopulateDepth: number
  maxArrayLength: number
  /** Called for each `localizations` entry: its options are checked against the same model. */
  onLocalizations: (info: ModelInfo, options: PlainObject, path: string[], level: number) => void
  /** Called with the raw `filters` of every populated level, before conversion (the filter-depth limit). */
  onFilters: (filters: unknown, path: string[]) => void
  resolve: (uid: string) => ModelInfo
}

function checkOptions (options: PlainObject, allowed: Set<string>, path: string[]): void {
  for (const key of Object.keys(options)) if (!allowed.has(key)) throw queryInvalidKey('populate', key, path)
}

function listOption (ctx: ConvertContext, value: unknown, path: string[]): unknown {
  // Comma lists in nested `fields`/`sort` count against the array limit too.
  if (typeof value === 'string') checkList(value, ctx.maxArrayLength, 'populate', path)
  return value
}

/** `fields`/`filters`/`sort` → `select`/`where`/`orderBy`, keeping only what was given. */
function shapeOptions (ctx: ConvertContext, options: PlainObject, path: string[]): PlainObject {
  const out: PlainObject = {}
  if (options.fields !== undefined) out.select = listOption(ctx, options.fields, [...path, 'fields'])
  if (options.filters !== undefined) {
    ctx.onFilters(options.filters, path)
    out.where = options.filters
  }
  if (options.sort !== undefined) out.orderBy = listOption(ctx, options.sort, [...path, 'sort'])
  return out
}

/**
 * Checks one level of REST populate on a model and returns it in Query Engine syntax (undefined when nothing
 * is populated). `level` is the nesting of this level's attributes: 1 at the root.
 */
export function convertPopulate (ctx: ConvertContext, info: ModelInfo, value: unknown, path: string[], level: number): PlainObject | undefined {
  const entries = populateEntries(value, path, ctx.maxArrayLength)
  const names = Object.keys(entries)
  if (names.length === 0) return undefined
  if (level > ctx.maxPopulateDepth) {
    throw limitError(`Populate is nested too deeply: at most ${ctx.maxPopulateDepth} levels allowed (rest.maxPopulateDepth)`,
      'rest.maxPopulateDepth', ctx.maxPopulateDepth, { param: 'populate', key: names[0], path: [...path, names[0] ?? ''] })
  }
  const out: PlainObject = {}
  for (const name of names) {
    const raw = entries[name]
    if (name === '*') {
      if (raw !== false && raw !== 'false') out['*'] = true
      continue
    }
    const keyPath = [...path, name]
    const options = optionsOf(raw, keyPath)
    if (options === undefined) continue
    if (isLocalizations(info, name)) {
      checkOptions(options, LOCALIZATION_OPTIONS, keyPath)
      ctx.onLocalizations(info, options, keyPath, level)
      continue
    }
    const attribute = info.model.attributes[name]
    const relation = info.relations.get(name)
    const component = info.components.get(name)
    const zone = info.zones.get(name)
    if (attribute === undefined || attribute.private || (relation === undefined && component === undefined && zone === undefined)) {
      throw queryInvalidKey('populate', name, path)
    }
    if (zone === undefined && 'on' in options) {
      throw new ValidationError(`Using fragments is not permitted to populate "${name}" in "${info.uid}"`, {
        key: 'on', path: [...keyPath, 'on'].join('.'), source: 'query', param: 'populate'
      })
    }
    if (relation !== undefined) {
      checkOptions(options, RELATION_OPTIONS, keyPath)
      const node = shapeOptions(ctx, options, keyPath)
      if (options.count !== undefined) {
        const count = BOOLEAN_LIKE.get(options.count)
        if (count === undefined) throw queryInvalidKey('populate', 'count', keyPath)
        if (count) node.count = true
      }
      const nested = convertPopulate(ctx, ctx.resolve(relation.attribute.target), options.populate, keyPath, level + 1)
      if (nested !== undefined) node.populate = nested
      out[name] = node
    } else if (component !== undefined) {
      checkOptions(options, COMPONENT_OPTIONS, keyPath)
      const node = shapeOptions(ctx, options, keyPath)
      const nested = convertPopulate(ctx, ctx.resolve(component.component), options.populate, keyPath, level + 1)
      if (nested !== undefined) node.populate = nested
      out[name] = node
    } else if (zone !== undefined) {
      checkOptions(options, ZONE_OPTIONS, keyPath)
      let fragments: PlainObject
      if (options.on === undefined) {
        // Every allowed component, each with the zone's `populate` (Strapi documents only `populate=*`).
        fragments = Object.fromEntries(zone.components.map(uid => [uid, options.populate === undefined ? true : { populate: options.populate }]))
      } else if (isPlainObject(options.on)) {
        fragments = options.on
      } else {
        throw invalidShape([...keyPath, 'on'], options.on, 'an object of component uids')
      }
      const on: PlainObject = {}
      for (const [uid, fragment] of Object.entries(fragments)) {
        const fragmentPath = [...keyPath, 'on', uid]
        if (!zone.components.includes(uid)) throw queryInvalidKey('populate', uid, [...keyPath, 'on'])
        const fragmentOptions = optionsOf(fragment, fragmentPath)
        if (fragmentOptions === undefined) continue
        checkOptions(fragmentOptions, FRAGMENT_OPTIONS, fragmentPath)
        const node: PlainObject = {}
        if (fragmentOptions.fields !== undefined) node.select = listOption(ctx, fragmentOptions.fields, [...fragmentPath, 'fields'])
        const nested = convertPopulate(ctx, ctx.resolve(uid), fragmentOptions.populate, fragmentPath, level + 1)
        if (nested !== undefined) node.populate = nested
        on[uid] = node
      }
      out[name] = { on }
    }
  }
  return out
}
