import { USERS_PERMISSIONS_UIDS, type Attribute, type ContentType, type Model, type Schema } from '../content-types/index.js'
import { isObject, type Json, type JsonObject } from './format.js'

/**
 * Schemas in the archive: the project's model written as Strapi's export writes a schema line, and an
 * archive's schema lines compared with the project's model. Only what decides how rows and links are stored
 * is compared (kinds, draft & publish, i18n, each attribute's type, relation, target, component(s),
 * repeatable, multiple, enum): a difference there is an import that would lose or misplace data.
 */

/** Attributes Strapi adds to every content type; vellum keeps them as system columns (or not at all). */
const SYSTEM_ATTRIBUTES = new Set(['createdAt', 'updatedAt', 'publishedAt', 'createdBy', 'updatedBy', 'locale', 'localizations'])

function definedOnly (entries: Record<string, Json | undefined>): JsonObject {
  const object: JsonObject = {}
  for (const [key, value] of Object.entries(entries)) if (value !== undefined) object[key] = value
  return object
}

function attributeSchema (attribute: Attribute, localized: boolean): JsonObject {
  const common = definedOnly({
    required: attribute.required ? true : undefined,
    private: attribute.private ? true : undefined,
    pluginOptions: localized ? { i18n: { localized: attribute.localized } } : undefined
  })
  switch (attribute.type) {
    case 'relation':
      if (attribute.media !== undefined) {
        return { type: 'media', multiple: attribute.media.multiple, ...(attribute.media.allowedTypes !== undefined && { allowedTypes: [...attribute.media.allowedTypes] }), ...common }
      }
      if (attribute.morph !== undefined) return { type: 'relation', relation: attribute.morph.kind, target: attribute.target, morphBy: attribute.morph.by, ...common }
      return definedOnly({ type: 'relation', relation: attribute.relation, target: attribute.target, inversedBy: attribute.inversedBy, mappedBy: attribute.mappedBy, ...common })
    case 'morph':
      return { type: 'relation', relation: attribute.relation, ...common }
    case 'component':
      return definedOnly({ type: 'component', component: attribute.component, repeatable: attribute.repeatable, min: attribute.min, max: attribute.max, ...common })
    case 'dynamiczone':
      return definedOnly({ type: 'dynamiczone', components: [...attribute.components], min: attribute.min, max: attribute.max, ...common })
    default:
      return definedOnly({
        type: attribute.type,
        ...common,
        unique: attribute.unique ? true : undefined,
        minLength: attribute.minLength,
        maxLength: attribute.maxLength,
        min: attribute.min,
        max: attribute.max,
        regex: attribute.regex,
        enum: attribute.enum === undefined ? undefined : [...attribute.enum],
        targetField: attribute.targetField,
        default: attribute.default as Json | undefined
      })
  }
}

/** One schema line of an export: the model in Strapi's schema format, with `uid`, `modelType` and `modelName`. */
export function schemaLine (model: Model): JsonObject {
  const attributes: JsonObject = {}
  for (const attribute of Object.values(model.attributes)) attributes[attribute.name] = attributeSchema(attribute, model.localized)
  if (model.kind === 'component') {
    return { collectionName: model.collectionName, info: { displayName: model.displayName }, options: {}, attributes, modelType: 'component', modelName: model.singularName, uid: model.uid, category: model.namespace }
  }
  const contentType = model as ContentType
  return {
    collectionName: model.collectionName,
    info: definedOnly({ singularName: model.singularName, pluralName: model.pluralName, displayName: model.displayName, description: model.description }),
    options: { draftAndPublish: model.draftAndPublish },
    pluginOptions: model.localized ? { i18n: { localized: true } } : {},
    attributes,
    kind: model.kind,
    modelType: 'contentType',
    modelName: model.singularName,
    uid: model.uid,
    ...(contentType.plugin !== undefined && { plugin: contentType.plugin })
  }
}

/** The stored shape of a model or an attribute: property → value, compared one by one. */
type Shape = Record<string, string>

function shapeOfModel (model: Model): Shape {
  return { kind: model.kind, draftAndPublish: String(model.draftAndPublish), localized: String(model.localized) }
}

function shapeOfArchivedModel (schema: JsonObject): Shape {
  const options = isObject(schema.options) ? schema.options : {}
  const pluginOptions = isObject(schema.pluginOptions) ? schema.pluginOptions : {}
  const i18n = isObject(pluginOptions.i18n) ? pluginOptions.i18n : {}
  return {
    kind: schema.modelType === 'component' ? 'component' : String(schema.kind),
    draftAndPublish: String(options.draftAndPublish === true),
    localized: String(i18n.localized === true)
  }
}

function shapeOfAttribute (attribute: Attribute): Shape {
  switch (attribute.type) {
    case 'relation':
      if (attribute.media !== undefined) return { type: 'media', multiple: String(attribute.media.multiple) }
      if (attribute.morph !== undefined) return { type: 'relation', relation: attribute.morph.kind, target: attribute.target }
      return {
        type: 'relation',
        relation: attribute.relation,
        target: attribute.target,
        ...(attribute.inversedBy !== undefined && { inversedBy: attribute.inversedBy }),
        ...(attribute.mappedBy !== undefined && { mappedBy: attribute.mappedBy })
      }
    case 'morph':
      return { type: 'relation', relation: attribute.relation }
    case 'component':
      return { type: 'component', component: attribute.component, repeatable: String(attribute.repeatable) }
    case 'dynamiczone':
      return { type: 'dynamiczone', components: [...attribute.components].sort().join(', ') }
    default:
      return { type: attribute.type, ...(attribute.enum !== undefined && { enum: attribute.enum.join(', ') }) }
  }
}

function shapeOfArchivedAttribute (attribute: JsonObject): Shape {
  const text = (key: string): Record<string, string> => typeof attribute[key] === 'string' ? { [key]: attribute[key] } : {}
  const type = String(attribute.type)
  switch (type) {
    case 'media':
      return { type, multiple: String(attribute.multiple === true) }
    case 'relation': {
      const relation = String(attribute.relation)
      if (relation === 'morphToOne' || relation === 'morphToMany') return { type, relation }
      if (relation === 'morphOne' || relation === 'morphMany') return { type, relation, ...text('target') }
      return { type, relation, ...text('target'), ...text('inversedBy'), ...text('mappedBy') }
    }
    case 'component':
      return { type, ...text('component'), repeatable: String(attribute.repeatable === true) }
    case 'dynamiczone':
      return { type, components: (Array.isArray(attribute.components) ? attribute.components.map(String) : []).sort().join(', ') }
    default:
      return { type, ...(Array.isArray(attribute.enum) && { enum: attribute.enum.map(String).join(', ') }) }
  }
}

function compareShapes (path: string, archived: Shape, project: Shape, out: string[]): void {
  for (const key of new Set([...Object.keys(archived), ...Object.keys(project)])) {
    if (archived[key] === project[key]) continue
    const show = (value: string | undefined): string => value === undefined ? 'nothing' : JSON.stringify(value)
    out.push(`${path}${key}: ${show(archived[key])} in the archive, ${show(project[key])} in the project`)
  }
}

function compareModel (archived: JsonObject, model: Model): string[] {
  const differences: string[] = []
  compareShapes('', shapeOfArchivedModel(archived), shapeOfModel(model), differences)
  const archivedAttributes = isObject(archived.attributes) ? archived.attributes : {}
  const names = new Set([...Object.keys(archivedAttributes), ...Object.keys(model.attributes)])
  for (const name of names) {
    if (SYSTEM_ATTRIBUTES.has(name)) continue
    const mine = model.attributes[name]
    const theirs = archivedAttributes[name]
    if (mine === undefined) differences.push(`attributes.${name} exists in the archive but not in the project`)
    else if (!isObject(theirs)) differences.push(`attributes.${name} exists in the project but not in the archive`)
    else compareShapes(`attributes.${name}.`, shapeOfArchivedAttribute(theirs), shapeOfAttribute(mine), differences)
  }
  return differences
}

/** Strapi's own types (admin, releases, review workflows, users & permissions…) that a vellum project may lack. */
export function isStrapiInternal (uid: string): boolean {
  return uid.startsWith('admin::') || uid.startsWith('plugin::')
}

export interface SchemaCheck {
  /** `- uid:` blocks of `  - difference` lines; empty when the archive fits the project. */
  differences: string[]
  /** Archived types the project does not have and whose rows are left out (Strapi's internal ones). */
  skipped: string[]
}

/**
 * The models an archive carries: every content type and component but the Users & Permissions ones, whose rows
 * (accounts, roles, grants) an import must never replace; links from content to users still travel.
 */
export function transferredModels (schema: Schema): Model[] {
  return [...schema.contentTypes.values(), ...schema.components.values()].filter(model => !USERS_PERMISSIONS_UIDS.has(model.uid))
}

/** Compares an archive's schema lines (by uid) with the project's model. */
export function checkSchemas (archived: ReadonlyMap<string, JsonObject>, schema: Schema): SchemaCheck {
  const differences: string[] = []
  const skipped: string[] = []
  for (const model of transferredModels(schema)) {
    const theirs = archived.get(model.uid)
    const lines = theirs === undefined ? ['exists in the project but not in the archive'] : compareModel(theirs, model)
    if (lines.length > 0) differences.push(`- ${model.uid}:`, ...lines.map(line => `  - ${line}`))
  }
  for (const uid of archived.keys()) {
    if (schema.get(uid) !== undefined && !USERS_PERMISSIONS_UIDS.has(uid)) continue
    if (isStrapiInternal(uid)) skipped.push(uid)
    else differences.push(`- ${uid}:`, '  - exists in the archive but not in the project')
  }
  return { differences, skipped }
}
