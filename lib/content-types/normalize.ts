import type {
  Attribute, AttributeSchema, Component, ComponentSchema, ContentType, ContentTypeSchema, Lifecycles, MediaType, RelationAttribute, RelationKind,
  ScalarAttribute, ScalarType
} from './types.js'
import { FILE_UID } from './builtin/upload.js'
import { pluralize, snakeCase } from './names.js'
import type { Candidate } from './validate.js'

/**
 * Raw (already validated) schemas → the normalized model of types.ts: every default filled in, relation
 * sides resolved, and the result frozen so no layer can change what the others read.
 */

const STRING_TYPES: ReadonlySet<string> = new Set(['string', 'text', 'richtext', 'email', 'password', 'uid'])
const NUMBER_TYPES: ReadonlySet<string> = new Set(['integer', 'float', 'decimal', 'biginteger'])

/** Table name: `collectionName` when given, else snake_case plural (content types) or `components_<category>_<plural>`. */
export function defaultCollectionName (candidate: Candidate): string {
  const given = candidate.schema.collectionName
  if (given !== undefined) return given
  if (candidate.modelType === 'component') {
    return `components_${snakeCase(candidate.namespace)}_${snakeCase(pluralize(candidate.name))}`
  }
  return snakeCase((candidate.schema as ContentTypeSchema).info.pluralName)
}

function localizedOption (options: AttributeSchema['pluginOptions'] | ContentTypeSchema['pluginOptions']): boolean | undefined {
  const value = options?.i18n?.localized
  return typeof value === 'boolean' ? value : undefined
}

function normalizeAttribute (name: string, raw: AttributeSchema, modelLocalized: boolean): Attribute {
  const common = {
    name,
    required: raw.required ?? false,
    private: raw.type === 'password' ? true : raw.private ?? false,
    writable: raw.writable ?? true,
    configurable: raw.configurable ?? true,
    // As in Strapi 5's i18n plugin: relations and uid attributes of a localized type are always localized;
    // other attributes only when they say `pluginOptions.i18n.localized: true` (the admin writes it on each).
    localized: modelLocalized && (raw.type === 'relation' || raw.type === 'uid' || localizedOption(raw.pluginOptions) === true),
    ...(raw.renamedFrom !== undefined && { renamedFrom: raw.renamedFrom })
  }
  switch (raw.type) {
    case 'media': {
      // Strapi models a media attribute as a morphOne/morphMany relation to plugin::upload.file by `related`.
      const multiple = raw.multiple === true
      return {
        ...common,
        ...morphSide(multiple ? 'morphMany' : 'morphOne', FILE_UID, 'related'),
        media: { multiple, ...(Array.isArray(raw.allowedTypes) && { allowedTypes: [...raw.allowedTypes] as MediaType[] }) }
      }
    }
    case 'relation': {
      if (raw.relation === 'morphToOne' || raw.relation === 'morphToMany') {
        return { ...common, type: 'morph', relation: raw.relation, toMany: raw.relation === 'morphToMany' }
      }
      if (raw.relation === 'morphOne' || raw.relation === 'morphMany') {
        return { ...common, ...morphSide(raw.relation, raw.target as string, raw.morphBy as string) }
      }
      const relation = raw.relation as RelationKind
      return {
        ...common,
        type: 'relation',
        relation,
        target: raw.target as string,
        ...(raw.inversedBy !== undefined && { inversedBy: raw.inversedBy }),
        ...(raw.mappedBy !== undefined && { mappedBy: raw.mappedBy, ownerAttribute: raw.mappedBy }),
        // The side without mappedBy stores the link: one-way relations, oneToMany "many way" included.
        owner: raw.mappedBy === undefined,
        toMany: relation === 'oneToMany' || relation === 'manyToMany'
      }
    }
    case 'component':
      return {
        ...common,
        type: 'component',
        component: raw.component as string,
        repeatable: raw.repeatable ?? false,
        ...(raw.min !== undefined && { min: Number(raw.min) }),
        ...(raw.max !== undefined && { max: Number(raw.max) })
      }
    case 'dynamiczone':
      return {
        ...common,
        type: 'dynamiczone',
        components: [...(raw.components as string[])],
        ...(raw.min !== undefined && { min: Number(raw.min) }),
        ...(raw.max !== undefined && { max: Number(raw.max) })
      }
    default:
      return normalizeScalar(common, raw.type as ScalarType, raw)
  }
}

/**
 * A morphOne/morphMany side: stored like an owning manyToOne/manyToMany side (the target's rows are shared by
 * any number of owners, nothing is taken from another row), its links in the target's `*_mph` table.
 */
function morphSide (kind: 'morphOne' | 'morphMany', target: string, by: string): Omit<RelationAttribute, CommonKey> {
  return {
    type: 'relation',
    relation: kind === 'morphMany' ? 'manyToMany' : 'manyToOne',
    target,
    owner: true,
    toMany: kind === 'morphMany',
    morph: { kind, by }
  }
}

/** What every attribute carries (normalizeAttribute's `common`). */
type CommonKey = 'name' | 'required' | 'private' | 'writable' | 'configurable' | 'localized' | 'renamedFrom'

function normalizeScalar (common: Omit<ScalarAttribute, 'type' | 'unique' | 'searchable'>, type: ScalarType, raw: AttributeSchema): ScalarAttribute {
  const attribute: ScalarAttribute = {
    ...common,
    type,
    unique: type === 'uid' ? true : raw.unique ?? false,
    searchable: raw.searchable ?? true
  }
  if (raw.default !== undefined) attribute.default = structuredClone(raw.default)
  if (STRING_TYPES.has(type)) {
    if (raw.minLength !== undefined) attribute.minLength = raw.minLength
    if (raw.maxLength !== undefined) attribute.maxLength = raw.maxLength
    if (raw.regex !== undefined) {
      attribute.regex = raw.regex
      attribute.pattern = new RegExp(raw.regex)
    }
  }
  if (NUMBER_TYPES.has(type)) {
    // biginteger bounds stay strings so values beyond 2^53 are compared exactly.
    const bound = (value: number | string): number | string => type === 'biginteger' ? String(value) : value
    if (raw.min !== undefined) attribute.min = bound(raw.min)
    if (raw.max !== undefined) attribute.max = bound(raw.max)
  }
  if (type === 'biginteger' && typeof attribute.default === 'number') attribute.default = String(attribute.default)
  if (type === 'enumeration') attribute.enum = [...(raw.enum as string[])]
  if (type === 'uid' && raw.targetField !== undefined) attribute.targetField = raw.targetField
  return attribute
}

function normalizeAttributes (candidate: Candidate, localized: boolean): Record<string, Attribute> {
  // No prototype: `attributes[userKey]` must be undefined for 'constructor', 'toString' and the like, since
  // other layers look up query keys here to whitelist them.
  const attributes: Record<string, Attribute> = Object.create(null)
  for (const [name, raw] of candidate.attributes) attributes[name] = normalizeAttribute(name, raw, localized)
  return attributes
}

export function normalizeContentType (candidate: Candidate): ContentType {
  const schema = candidate.schema as ContentTypeSchema
  const localized = localizedOption(schema.pluginOptions) === true
  const lifecycles = candidate.lifecycles as Lifecycles | undefined
  return {
    uid: candidate.uid,
    kind: schema.kind ?? 'collectionType',
    collectionName: defaultCollectionName(candidate),
    singularName: schema.info.singularName,
    pluralName: schema.info.pluralName,
    displayName: schema.info.displayName ?? schema.info.singularName,
    ...(schema.info.description !== undefined && { description: schema.info.description }),
    namespace: candidate.uid.startsWith('plugin::') ? 'plugin' : 'api',
    apiName: candidate.namespace,
    ...(candidate.uid.startsWith('plugin::') && { plugin: candidate.namespace }),
    ...(schema.indexes !== undefined && { indexes: schema.indexes.map(index => ({ name: index.name, columns: [...index.columns], ...(index.type !== undefined && { type: index.type }) })) }),
    draftAndPublish: schema.options?.draftAndPublish === true,
    localized,
    attributes: normalizeAttributes(candidate, localized),
    source: candidate.source,
    ...(lifecycles !== undefined && { lifecycles: { ...lifecycles } }),
    ...(candidate.lifecyclesFile !== undefined && { lifecyclesFile: candidate.lifecyclesFile })
  }
}

export function normalizeComponent (candidate: Candidate): Component {
  const schema = candidate.schema as ComponentSchema
  // Optional in component files (unlike the TypeScript type): fall back to the file name.
  const info: Partial<ComponentSchema['info']> = schema.info ?? {}
  return {
    uid: candidate.uid,
    kind: 'component',
    collectionName: defaultCollectionName(candidate),
    singularName: candidate.name,
    pluralName: pluralize(candidate.name),
    displayName: info.displayName ?? candidate.name,
    ...(info.description !== undefined && { description: info.description }),
    namespace: candidate.namespace,
    category: candidate.namespace,
    draftAndPublish: false,
    localized: false,
    attributes: normalizeAttributes(candidate, false),
    source: candidate.source
  }
}

/** Freezes a model and everything it holds except functions (lifecycle handlers stay the user's). */
export function deepFreeze<T> (value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value
  for (const child of Object.values(value)) deepFreeze(child)
  return Object.freeze(value)
}
