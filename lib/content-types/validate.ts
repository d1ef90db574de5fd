import {
  EXTRA_LIFECYCLE_HOOKS, LIFECYCLE_ACTIONS, MEDIA_TYPES, MORPH_KINDS, RELATION_KINDS, SCALAR_TYPES,
  type AttributeSchema, type ComponentSchema, type ContentTypeSchema, type LifecyclesFile, type RelationKind, type ScalarType
} from './types.js'
import type { RawEntry } from './entries.js'
import {
  ATTRIBUTE_NAME, COLLECTION_NAME, KEBAB_CASE, RESERVED_ATTRIBUTE_NAMES, SYSTEM_COLUMNS, UID_PART, enumKey, kebabCase, snakeCase
} from './names.js'
import { closest, didYouMean, show, type Problems } from './problems.js'
import { AttributeShape, ComponentShape, ContentTypeShape, KNOWN_ATTRIBUTE_KEYS, shapeErrors } from './schema.js'
import safeRegex from 'safe-regex2'

/**
 * Validation of raw schemas. Every check adds to the shared problem list and carries on, so one load
 * reports everything wrong at once. A model or attribute whose basic shape is wrong is left out of the
 * later checks, which would only repeat the same mistake in other words.
 */

/** A schema whose basic shape is right, with its identity worked out. */
export interface Candidate {
  modelType: 'contentType' | 'component'
  uid: string
  source: string
  /** `<api>` for content types, `<category>` for components. */
  namespace: string
  /** Component name (`<name>` of `<category>.<name>`). */
  name: string
  schema: ContentTypeSchema | ComponentSchema
  /** Attributes whose shape passed, in schema order. */
  attributes: Map<string, AttributeSchema>
  /** Attribute names already reported as malformed: later checks stay quiet about them. */
  broken: Set<string>
  /**
   * false when the schema is too malformed to check (no readable info or attributes). It stays registered so
   * relations and components pointing at it are not reported as missing on top of its own problems.
   */
  usable: boolean
  lifecycles?: unknown
  lifecyclesFile?: LifecyclesFile
}

const HOOK_NAMES: readonly string[] = [...LIFECYCLE_ACTIONS, ...EXTRA_LIFECYCLE_HOOKS]
const STRUCTURE_TYPES = ['relation', 'component', 'dynamiczone', 'media'] as const
const KNOWN_TYPES: readonly string[] = [...SCALAR_TYPES, ...STRUCTURE_TYPES]
const STRING_TYPES: ReadonlySet<string> = new Set(['string', 'text', 'richtext', 'email', 'password', 'uid'])
const UID_TARGET_TYPES: ReadonlySet<string> = new Set(['string', 'text'])
/** The kind the inverse (mappedBy) side must have for each owning (inversedBy) kind. */
const INVERSE_KIND: Record<RelationKind, RelationKind> = {
  oneToOne: 'oneToOne',
  manyToOne: 'oneToMany',
  manyToMany: 'manyToMany',
  oneToMany: 'manyToOne'
}

function isObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function stringAt (value: unknown, ...path: string[]): string | undefined {
  let current = value
  for (const key of path) current = isObject(current) ? current[key] : undefined
  return typeof current === 'string' && current !== '' ? current : undefined
}

function isRelationKind (value: unknown): value is RelationKind {
  return (RELATION_KINDS as readonly unknown[]).includes(value)
}

// ---------------------------------------------------------------------------------------------
// Identity and shape.

/** Works out uid and source, checks the shape, and returns the candidate (or undefined when hopeless). */
export function prepare (entry: RawEntry, problems: Problems): Candidate | undefined {
  const identity = entry.modelType === 'contentType' ? contentTypeIdentity(entry) : componentIdentity(entry)
  const { uid, source, namespace, name } = identity
  problems.declare(source)
  for (const message of identity.problems) problems.add(source, message)

  const errors = shapeErrors(entry.modelType === 'contentType' ? ContentTypeShape : ComponentShape, entry.data)
  for (const error of errors) problems.add(source, error.message)
  if (uid === undefined) return undefined
  // Without a readable info/attributes nothing below can be checked; other shape errors are reported and we go on.
  const usable = !errors.some(e => e.path === '' || /^(info|attributes)\b/.test(e.path))

  const schema = entry.data as ContentTypeSchema | ComponentSchema
  const attributes = new Map<string, AttributeSchema>()
  const broken = new Set<string>()
  for (const [attributeName, raw] of usable ? Object.entries(schema.attributes) : []) {
    const attributeErrors = shapeErrors(AttributeShape, raw)
    for (const error of attributeErrors) problems.add(source, error.message, attributeName)
    if (attributeErrors.length > 0) broken.add(attributeName)
    else attributes.set(attributeName, raw as AttributeSchema)
  }
  return {
    modelType: entry.modelType,
    uid,
    source,
    namespace,
    name,
    schema,
    attributes,
    broken,
    usable,
    ...(entry.lifecycles !== undefined && { lifecycles: entry.lifecycles }),
    ...(entry.lifecyclesFile !== undefined && { lifecyclesFile: entry.lifecyclesFile })
  }
}

interface Identity { uid?: string, source: string, namespace: string, name: string, problems: string[] }

function contentTypeIdentity (entry: RawEntry): Identity {
  const singular = stringAt(entry.data, 'info', 'singularName')
  const problems: string[] = []
  if (entry.plugin !== undefined) {
    const name = singular ?? ''
    return { uid: `plugin::${entry.plugin}.${name}`, source: `builtin:plugin::${entry.plugin}.${name}`, namespace: entry.plugin, name, problems }
  }
  if (entry.apiDir !== undefined) {
    // From a file: the uid comes from the api directory and singularName (the type's directory as a fallback,
    // so relations pointing at a type with a broken info still resolve and are not reported twice).
    if (!UID_PART.test(entry.apiDir)) problems.push(`api directory "${entry.apiDir}" is not a valid uid part (letters, digits, "-" and "_")`)
    const name = singular ?? entry.typeDir ?? ''
    return { uid: `api::${entry.apiDir}.${name}`, source: entry.source, namespace: entry.apiDir, name, problems }
  }
  if (entry.uid === undefined) {
    const name = singular ?? ''
    const uid = singular === undefined ? undefined : `api::${singular}.${singular}`
    return { uid, source: uid === undefined ? entry.source : `inline:${uid}`, namespace: name, name, problems }
  }
  const source = `inline:${entry.uid}`
  const match = /^api::([^.]+)\.([^.]+)$/.exec(entry.uid)
  if (match === null) {
    return { source, namespace: '', name: '', problems: [`uid "${entry.uid}" must look like "api::<api>.<singularName>"`] }
  }
  const [, api = '', name = ''] = match
  if (!UID_PART.test(api)) problems.push(`uid "${entry.uid}": "${api}" is not a valid uid part (letters, digits, "-" and "_")`)
  if (singular !== undefined && name !== singular) {
    problems.push(`uid "${entry.uid}" must end with info.singularName ("api::${api}.${singular}")`)
  }
  return { uid: entry.uid, source, namespace: api, name, problems }
}

function componentIdentity (entry: RawEntry): Identity {
  if (entry.category !== undefined && entry.name !== undefined) {
    const problems: string[] = []
    for (const part of [entry.category, entry.name]) {
      if (!UID_PART.test(part)) problems.push(`"${part}" is not a valid component category or name (letters, digits, "-" and "_")`)
    }
    return { uid: `${entry.category}.${entry.name}`, source: entry.source, namespace: entry.category, name: entry.name, problems }
  }
  const uid = typeof entry.uid === 'string' ? entry.uid : undefined
  const source = uid === undefined ? entry.source : `inline:${uid}`
  const match = uid === undefined ? null : /^([^.:]+)\.([^.:]+)$/.exec(uid)
  if (match === null) {
    return { source, namespace: '', name: '', problems: [uid === undefined ? 'uid is required ("<category>.<name>")' : `uid "${uid}" must look like "<category>.<name>"`] }
  }
  const [, category = '', name = ''] = match
  const problems: string[] = []
  for (const part of [category, name]) {
    if (!UID_PART.test(part)) problems.push(`"${part}" is not a valid component category or name (letters, digits, "-" and "_")`)
  }
  return { uid, source, namespace: category, name, problems }
}

// ---------------------------------------------------------------------------------------------
// Per-model checks.

export interface Registry {
  contentTypes: Map<string, Candidate>
  components: Map<string, Candidate>
}

/** State of the checks that compare models with each other (names and tables must be unique). */
export interface Seen {
  apiIds: Map<string, { uid: string, as: 'singularName' | 'pluralName' }>
  collectionNames: Map<string, string>
}

export function checkModel (candidate: Candidate, registry: Registry, seen: Seen, collectionName: string, problems: Problems): void {
  const { source } = candidate
  if (candidate.modelType === 'contentType') checkContentTypeInfo(candidate, seen, problems)

  if (candidate.schema.collectionName !== undefined && !COLLECTION_NAME.test(collectionName)) {
    problems.add(source, `collectionName "${collectionName}" must start with a letter and contain only letters, digits, "-" and "_"`)
  }
  const owner = seen.collectionNames.get(collectionName)
  if (owner !== undefined) problems.add(source, `collectionName "${collectionName}" is already used by ${owner}`)
  else if (collectionName !== '') seen.collectionNames.set(collectionName, candidate.uid)

  checkAttributeNames(candidate, problems)
  checkRenames(candidate, problems)
  for (const [name, attribute] of candidate.attributes) checkAttribute(candidate, name, attribute, registry, problems)
}

/**
 * `renamedFrom` makes schema sync rename a column instead of dropping it: the old name must be a name an
 * attribute could have had, must not be in use now, and only one attribute may claim it.
 */
function checkRenames (candidate: Candidate, problems: Problems): void {
  const claimed = new Map<string, string>()
  for (const [name, attribute] of candidate.attributes) {
    const from = attribute.renamedFrom
    if (from === undefined) continue
    const add = (message: string): void => problems.add(candidate.source, message, name)
    const other = claimed.get(from)
    if (!ATTRIBUTE_NAME.test(from)) add(`renamedFrom "${from}" is not a valid attribute name`)
    else if (from === name) add('renamedFrom names the attribute itself')
    else if (Object.hasOwn(candidate.schema.attributes, from)) add(`renamedFrom "${from}" is still an attribute of ${candidate.uid}`)
    else if (other !== undefined) add(`renamedFrom "${from}" is also claimed by "${other}"`)
    else claimed.set(from, name)
  }
}

function checkContentTypeInfo (candidate: Candidate, seen: Seen, problems: Problems): void {
  const { source } = candidate
  const schema = candidate.schema as ContentTypeSchema
  const kind: unknown = schema.kind
  // A non-string kind was reported by the shape check.
  if (typeof kind === 'string' && kind !== 'collectionType' && kind !== 'singleType') {
    problems.add(source, `kind "${kind}" is not valid${didYouMean(kind, ['collectionType', 'singleType']) || ' (expected "collectionType" or "singleType")'}`)
  }
  const { singularName, pluralName } = schema.info
  for (const [key, value] of [['singularName', singularName], ['pluralName', pluralName]] as const) {
    if (value === '') problems.add(source, `info.${key} is required`)
    else if (!KEBAB_CASE.test(value)) {
      const fix = kebabCase(value)
      problems.add(source, `info.${key} "${value}" must be kebab-case${fix !== '' && KEBAB_CASE.test(fix) ? ` (did you mean "${fix}"?)` : ''}`)
    }
  }
  if (singularName !== '' && singularName === pluralName) {
    problems.add(source, `info.singularName and info.pluralName must differ (both are "${singularName}")`)
  }
  // Both names are API ids (routes, permissions): none may repeat across content types, in either role. A plugin's
  // types have no routes of their own, so a project may reuse their names (api::file.file next to plugin::upload.file).
  for (const [key, value] of [['singularName', singularName], ['pluralName', pluralName]] as const) {
    if (value === '' || candidate.uid.startsWith('plugin::')) continue
    const other = seen.apiIds.get(value)
    if (other === undefined) {
      seen.apiIds.set(value, { uid: candidate.uid, as: key })
    } else if (other.uid !== candidate.uid) {
      const role = other.as === key ? 'used by' : `the ${other.as} of`
      problems.add(source, `info.${key} "${value}" is already ${role} ${other.uid}`)
    }
  }
  checkLifecycles(candidate, problems)
}

function checkLifecycles (candidate: Candidate, problems: Problems): void {
  const { lifecycles, source } = candidate
  if (lifecycles === undefined) return
  if (!isObject(lifecycles)) {
    problems.add(source, 'lifecycles must be an object of functions')
    return
  }
  for (const [key, handler] of Object.entries(lifecycles)) {
    if (!HOOK_NAMES.includes(key)) {
      problems.add(source, `unknown lifecycle "${key}"${didYouMean(key, HOOK_NAMES)}`)
    } else if (typeof handler !== 'function') {
      problems.add(source, `lifecycle "${key}" must be a function (got ${show(handler)})`)
    }
  }
}

/** Reserved names, the name format, and two names that would land in the same column. */
function checkAttributeNames (candidate: Candidate, problems: Problems): void {
  const columns = new Map<string, string>()
  for (const name of Object.keys(candidate.schema.attributes)) {
    const column = snakeCase(name)
    if (RESERVED_ATTRIBUTE_NAMES.has(name) || name.startsWith('__')) {
      problems.add(candidate.source, name.startsWith('__') ? 'names starting with "__" are reserved' : `"${name}" is a reserved attribute name`, name)
      continue
    }
    if (!ATTRIBUTE_NAME.test(name)) {
      problems.add(candidate.source, 'attribute names must start with a letter and contain only letters, digits and "_"', name)
      continue
    }
    if (SYSTEM_COLUMNS.has(column)) {
      problems.add(candidate.source, `its column "${column}" is reserved for a system field`, name)
      continue
    }
    const other = columns.get(column)
    if (other !== undefined) problems.add(candidate.source, `collides with "${other}": both would be stored in column "${column}"`, name)
    else columns.set(column, name)
  }
}

function checkAttribute (candidate: Candidate, name: string, attribute: AttributeSchema, registry: Registry, problems: Problems): void {
  const add = (message: string): void => problems.add(candidate.source, message, name)
  for (const key of Object.keys(attribute)) {
    if (KNOWN_ATTRIBUTE_KEYS.includes(key)) continue
    const match = closest(key, KNOWN_ATTRIBUTE_KEYS, key.length <= 5 ? 1 : 2)
    if (match !== undefined) add(`unknown option "${key}" (did you mean "${match}"?)`)
  }
  const { type } = attribute
  if (type === 'media') return checkMedia(attribute, add)
  if (type === 'relation') return checkRelation(candidate, name, attribute, registry, add)
  if (type === 'component') return checkComponent(candidate, attribute, registry, add)
  if (type === 'dynamiczone') return checkDynamicZone(candidate, attribute, registry, add)
  if (!(SCALAR_TYPES as readonly string[]).includes(type)) {
    const hint = didYouMean(type, KNOWN_TYPES)
    add(`unknown type "${type}"${hint === '' ? ` (expected one of ${KNOWN_TYPES.join(', ')})` : hint}`)
    return
  }
  checkScalar(candidate, type as ScalarType, attribute, add)
}

// ---------------------------------------------------------------------------------------------
// Scalars.

function checkScalar (candidate: Candidate, type: ScalarType, attribute: AttributeSchema, add: (message: string) => void): void {
  if (type === 'enumeration') checkEnum(attribute, add)
  if (type === 'uid' && attribute.targetField !== undefined) {
    const target = candidate.attributes.get(attribute.targetField)
    if (target === undefined && !candidate.broken.has(attribute.targetField)) {
      const names = [...candidate.attributes].filter(([, a]) => UID_TARGET_TYPES.has(a.type)).map(([n]) => n)
      add(`targetField "${attribute.targetField}" is not an attribute of ${candidate.uid}${didYouMean(attribute.targetField, names)}`)
    } else if (target !== undefined && !UID_TARGET_TYPES.has(target.type)) {
      add(`targetField "${attribute.targetField}" must name a string or text attribute (it is ${target.type})`)
    }
  }
  if (STRING_TYPES.has(type)) {
    const { minLength, maxLength, regex } = attribute
    if (minLength !== undefined && maxLength !== undefined && minLength > maxLength) {
      add(`minLength (${minLength}) is greater than maxLength (${maxLength})`)
    }
    if (regex !== undefined && compiles(regex) === undefined) add(`regex ${show(regex)} is not a valid regular expression`)
  }
  if (type === 'integer' || type === 'float' || type === 'decimal' || type === 'biginteger') checkBounds(type, attribute, add)
  if (attribute.default !== undefined) checkDefault(type, attribute, add)
}

/**
 * A `regex` runs on every write of its attribute: one that can backtrack exponentially (`^(a+)+$`) lets a
 * 30-character value block the event loop for seconds. safe-regex2 (what Fastify's router uses for route
 * patterns) flags those; the project may still accept them (`allowUnsafeRegex`), bounded by maxLength.
 */
export function checkRegexes (candidate: Candidate, allowUnsafe: boolean, problems: Problems): void {
  if (allowUnsafe) return
  for (const [name, attribute] of candidate.attributes) {
    const { regex } = attribute
    if (regex === undefined || !STRING_TYPES.has(attribute.type) || compiles(regex) === undefined || safeRegex(regex)) continue
    problems.add(candidate.source, `regex ${show(regex)} may backtrack catastrophically (exponential time on some values); rewrite it, or set the allowUnsafeRegex option to accept it`, name)
  }
}

function compiles (regex: string): RegExp | undefined {
  try {
    return new RegExp(regex)
  } catch {
    return undefined
  }
}

function checkEnum (attribute: AttributeSchema, add: (message: string) => void): void {
  const values: unknown = attribute.enum
  if (!Array.isArray(values) || values.length === 0) {
    add('enumeration needs a non-empty "enum" list of strings')
    return
  }
  const seen = new Set<string>()
  const keys = new Map<string, string>()
  values.forEach((value: unknown, index) => {
    if (typeof value !== 'string') {
      add(`enum[${index}] must be a string (got ${show(value)})`)
      return
    }
    if (seen.has(value)) {
      add(`enum value "${value}" is listed twice`)
      return
    }
    seen.add(value)
    const key = enumKey(value)
    if (key === '') {
      add(`enum value "${value}" must contain a letter or digit`)
    } else if (/^[0-9]/.test(key)) {
      add(`enum value "${value}" must not start with a number`)
    } else {
      const other = keys.get(key)
      if (other !== undefined) add(`enum values "${other}" and "${value}" collide once normalized (both become "${key}")`)
      else keys.set(key, value)
    }
  })
  if (attribute.default !== undefined && attribute.default !== null && !values.includes(attribute.default)) {
    const hint = typeof attribute.default === 'string' ? didYouMean(attribute.default, [...seen]) : ''
    add(`default ${show(attribute.default)} is not one of the enum values${hint}`)
  }
}

function isBigIntegerLike (value: unknown): value is string | number {
  return (typeof value === 'string' && /^-?\d+$/.test(value)) || Number.isSafeInteger(value)
}

function checkBounds (type: 'integer' | 'float' | 'decimal' | 'biginteger', attribute: AttributeSchema, add: (message: string) => void): void {
  const { min, max } = attribute
  let valid = true
  for (const [key, value] of [['min', min], ['max', max]] as const) {
    if (value === undefined) continue
    if (type === 'biginteger' ? !isBigIntegerLike(value) : typeof value !== 'number' || !Number.isFinite(value) || (type === 'integer' && !Number.isInteger(value))) {
      add(`${key} must be ${type === 'biginteger' ? 'an integer or a string of digits' : type === 'integer' ? 'an integer' : 'a number'} (got ${show(value)})`)
      valid = false
    }
  }
  if (!valid || min === undefined || max === undefined) return
  const greater = type === 'biginteger' ? BigInt(min) > BigInt(max) : Number(min) > Number(max)
  if (greater) add(`min (${String(min)}) is greater than max (${String(max)})`)
}

function isJsonValue (value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true
  if (typeof value === 'number') return Number.isFinite(value)
  if (Array.isArray(value)) return value.every(isJsonValue)
  if (isObject(value) && Object.getPrototypeOf(value) === Object.prototype) return Object.values(value).every(isJsonValue)
  return false
}

function checkDefault (type: ScalarType, attribute: AttributeSchema, add: (message: string) => void): void {
  const value = attribute.default
  if (value === null || type === 'enumeration') return
  let expected: string | undefined
  switch (type) {
    case 'boolean':
      if (typeof value !== 'boolean') expected = 'true or false'
      break
    case 'integer':
      if (!Number.isSafeInteger(value)) expected = 'an integer'
      break
    case 'float':
    case 'decimal':
      if (typeof value !== 'number' || !Number.isFinite(value)) expected = 'a number'
      break
    case 'biginteger':
      if (!isBigIntegerLike(value)) expected = 'an integer or a string of digits'
      break
    case 'json':
    case 'blocks':
      if (!isJsonValue(value)) expected = 'a JSON value'
      break
    default:
      if (typeof value !== 'string') expected = 'a string'
  }
  if (expected !== undefined) add(`default must be ${expected} (got ${show(value)})`)
}

// ---------------------------------------------------------------------------------------------
// Relations, components, dynamic zones.

function checkRelation (candidate: Candidate, name: string, attribute: AttributeSchema, registry: Registry, add: (message: string) => void): void {
  const { relation, target, inversedBy, mappedBy } = attribute
  if (relation === undefined) {
    add(`relation attribute needs "relation" (one of ${RELATION_KINDS.join(', ')})`)
    return
  }
  if ((MORPH_KINDS as readonly string[]).includes(relation)) return checkMorph(candidate, relation, attribute, registry, add)
  if (!isRelationKind(relation)) {
    const hint = didYouMean(relation, [...RELATION_KINDS, ...MORPH_KINDS])
    add(`unknown relation "${relation}"${hint === '' ? ` (expected one of ${RELATION_KINDS.join(', ')})` : hint}`)
  }
  let targetCandidate: Candidate | undefined
  if (target === undefined) {
    add('relation attribute needs a "target" content-type uid')
  } else {
    targetCandidate = registry.contentTypes.get(target)
    if (targetCandidate === undefined) {
      if (registry.components.has(target)) add(`relation target "${target}" is a component; relations must target a content type`)
      else add(`relation target "${target}" does not exist${didYouMean(target, registry.contentTypes.keys())}`)
    }
  }
  if (candidate.modelType === 'component') {
    if (inversedBy !== undefined || mappedBy !== undefined) add('relations in components must be one-way (no inversedBy or mappedBy)')
    return
  }
  if (inversedBy !== undefined && mappedBy !== undefined) {
    add('a relation cannot have both inversedBy and mappedBy')
    return
  }
  if (relation === 'oneToMany' && inversedBy !== undefined) {
    add('a oneToMany relation cannot use inversedBy: the manyToOne side owns the link (use mappedBy here and inversedBy there)')
    return
  }
  if (relation === 'manyToOne' && mappedBy !== undefined) {
    add('a manyToOne relation owns the link and cannot use mappedBy (use inversedBy here and mappedBy on the oneToMany side)')
    return
  }
  const otherName = inversedBy ?? mappedBy
  if (otherName === undefined || targetCandidate?.usable !== true || !isRelationKind(relation)) return

  const side = inversedBy !== undefined ? 'inversedBy' : 'mappedBy'
  const want = inversedBy !== undefined ? 'mappedBy' : 'inversedBy'
  const where = `${side} "${otherName}"`
  const other = targetCandidate.attributes.get(otherName)
  if (other === undefined) {
    if (targetCandidate.broken.has(otherName)) return
    const relations = [...targetCandidate.attributes].filter(([, a]) => a.type === 'relation').map(([n]) => n)
    add(`${where}: ${targetCandidate.uid} has no attribute "${otherName}"${didYouMean(otherName, relations)}`)
    return
  }
  const otherPath = `${targetCandidate.uid}.${otherName}`
  if (other.type !== 'relation') {
    add(`${where}: ${otherPath} is not a relation (its type is ${other.type})`)
    return
  }
  if (other[want] !== name) {
    const has = other[want] !== undefined
      ? `it has ${want} "${String(other[want])}"`
      : other[side] !== undefined ? `it has ${side} "${String(other[side])}"; only one side may use ${side}` : `it has no ${want}`
    add(`${where}: ${otherPath} must declare ${want} "${name}" (${has})`)
    return
  }
  if (other.target !== candidate.uid) {
    add(`${where}: ${otherPath} targets ${other.target === undefined ? 'nothing' : `"${other.target}"`}, not ${candidate.uid}`)
    return
  }
  // Kinds are compared once, from the owning side.
  if (side === 'inversedBy' && isRelationKind(other.relation) && other.relation !== INVERSE_KIND[relation]) {
    add(`${where}: a ${relation} relation pairs with a ${INVERSE_KIND[relation]} on the other side, but ${otherPath} is ${other.relation}`)
  }
}

/** `multiple` and `allowedTypes` (contract §25.1); the target is always plugin::upload.file. */
function checkMedia (attribute: AttributeSchema, add: (message: string) => void): void {
  const allowed: unknown = attribute.allowedTypes
  if (allowed === undefined || allowed === null) return
  if (!Array.isArray(allowed)) {
    add(`allowedTypes must be a list of ${MEDIA_TYPES.join(', ')} (got ${show(allowed)})`)
    return
  }
  for (const value of allowed) {
    if (typeof value !== 'string' || !(MEDIA_TYPES as readonly string[]).includes(value)) {
      add(`allowedTypes: ${show(value)} is not one of ${MEDIA_TYPES.join(', ')}${typeof value === 'string' ? didYouMean(value, MEDIA_TYPES) : ''}`)
    }
  }
}

/**
 * Polymorphic relations: an owning side (`morphToOne`/`morphToMany`) names no target; an inverse side
 * (`morphOne`/`morphMany`) names its target and, with `morphBy`, the target's owning side.
 */
function checkMorph (candidate: Candidate, relation: string, attribute: AttributeSchema, registry: Registry, add: (message: string) => void): void {
  if (attribute.inversedBy !== undefined || attribute.mappedBy !== undefined) add(`a ${relation} relation takes no inversedBy or mappedBy`)
  if (relation === 'morphToOne' || relation === 'morphToMany') {
    if (candidate.modelType === 'component') add(`${relation} relations are only allowed on content types`)
    return
  }
  const { target, morphBy } = attribute
  if (target === undefined) {
    add(`a ${relation} relation needs a "target" content-type uid`)
    return
  }
  const other = registry.contentTypes.get(target)
  if (other === undefined) {
    add(`relation target "${target}" does not exist${didYouMean(target, registry.contentTypes.keys())}`)
    return
  }
  if (typeof morphBy !== 'string' || morphBy === '') {
    add(`a ${relation} relation needs "morphBy": the morphToOne or morphToMany attribute of ${target}`)
    return
  }
  const by = other.attributes.get(morphBy)
  if (by === undefined) {
    if (!other.broken.has(morphBy)) add(`morphBy "${morphBy}": ${target} has no attribute "${morphBy}"`)
  } else if (by.type !== 'relation' || (by.relation !== 'morphToOne' && by.relation !== 'morphToMany')) {
    add(`morphBy "${morphBy}": ${target}.${morphBy} must be a morphToOne or morphToMany relation`)
  }
}

function checkComponent (candidate: Candidate, attribute: AttributeSchema, registry: Registry, add: (message: string) => void): void {
  const { component } = attribute
  if (component === undefined) {
    add('component attribute needs "component" (a "<category>.<name>" uid)')
  } else if (!registry.components.has(component)) {
    if (registry.contentTypes.has(component)) add(`"${component}" is a content type, not a component (use a relation)`)
    else add(`component "${component}" does not exist${didYouMean(component, registry.components.keys())}`)
  }
  checkCountBounds(attribute, add)
}

function checkDynamicZone (candidate: Candidate, attribute: AttributeSchema, registry: Registry, add: (message: string) => void): void {
  if (candidate.modelType === 'component') {
    add('dynamic zones are only allowed on content types')
    return
  }
  const list: unknown = attribute.components
  if (!Array.isArray(list) || list.length === 0) {
    add('dynamiczone needs a non-empty "components" list')
    return
  }
  const seen = new Set<string>()
  list.forEach((uid: unknown, index) => {
    if (typeof uid !== 'string') add(`components[${index}] must be a component uid (got ${show(uid)})`)
    else if (seen.has(uid)) add(`dynamiczone lists component "${uid}" twice`)
    else if (!registry.components.has(uid)) add(`dynamiczone component "${uid}" does not exist${didYouMean(uid, registry.components.keys())}`)
    if (typeof uid === 'string') seen.add(uid)
  })
  checkCountBounds(attribute, add)
}

/** min/max of a repeatable component or dynamic zone: item counts. */
function checkCountBounds (attribute: AttributeSchema, add: (message: string) => void): void {
  const { min, max } = attribute
  let valid = true
  for (const [key, value] of [['min', min], ['max', max]] as const) {
    if (value !== undefined && !(Number.isSafeInteger(value) && Number(value) >= 0)) {
      add(`${key} must be a non-negative integer (got ${show(value)})`)
      valid = false
    }
  }
  if (valid && min !== undefined && max !== undefined && Number(min) > Number(max)) add(`min (${String(min)}) is greater than max (${String(max)})`)
}

// ---------------------------------------------------------------------------------------------
// Whole-model checks.

/** Components nesting themselves (directly or through others) could never be stored or returned. */
export function checkComponentCycles (components: Map<string, Candidate>, problems: Problems): void {
  const reported = new Set<string>()
  const visit = (uid: string, path: string[]): string[] | undefined => {
    const candidate = components.get(uid)
    if (candidate === undefined) return undefined
    for (const attribute of candidate.attributes.values()) {
      if (attribute.type !== 'component' || attribute.component === undefined) continue
      const next = attribute.component
      if (next === path[0]) return [...path, next]
      if (path.includes(next)) continue
      const cycle = visit(next, [...path, next])
      if (cycle !== undefined) return cycle
    }
    return undefined
  }
  for (const [uid, candidate] of components) {
    const cycle = visit(uid, [uid])
    if (cycle === undefined) continue
    const key = [...new Set(cycle)].sort().join(' ')
    if (reported.has(key)) continue
    reported.add(key)
    const first = cycle[1]
    const attribute = [...candidate.attributes].find(([, a]) => a.type === 'component' && a.component === first)?.[0]
    problems.add(candidate.source, `component ${uid} nests itself (${cycle.join(' → ')})`, attribute)
  }
}
