/**
 * The normalized content-type model: the single source for tables, schemas, whitelists and routes.
 * `*Schema` types are the raw Strapi-format input; the rest is what the loader produces.
 */

/** Attribute types stored in one column of the owning row. */
export const SCALAR_TYPES = [
  'string', 'text', 'richtext', 'blocks', 'email', 'password', 'uid',
  'integer', 'biginteger', 'float', 'decimal', 'boolean',
  'date', 'time', 'datetime', 'timestamp', 'enumeration', 'json'
] as const
export type ScalarType = typeof SCALAR_TYPES[number]

export const RELATION_KINDS = ['oneToOne', 'oneToMany', 'manyToOne', 'manyToMany'] as const
export type RelationKind = typeof RELATION_KINDS[number]

/** Polymorphic relations (contract §3.1): owning sides `morphTo*`, inverse sides `morphOne`/`morphMany` (with `morphBy`). */
export const MORPH_KINDS = ['morphToOne', 'morphToMany', 'morphOne', 'morphMany'] as const
export type MorphKind = typeof MORPH_KINDS[number]

/** `allowedTypes` of a media attribute. */
export const MEDIA_TYPES = ['images', 'files', 'videos', 'audios'] as const
export type MediaType = typeof MEDIA_TYPES[number]

/** Everything an attribute of any type may carry. */
interface AttributeBase {
  /** The attribute's key in the schema (camelCase as written by the user). */
  name: string
  required: boolean
  /** Never returned and never usable in filters, sort, fields or populate. Password attributes are always private. */
  private: boolean
  /** false → rejected in input. */
  writable: boolean
  configurable: boolean
  /** Per-attribute i18n flag; only meaningful on a localized content type (false otherwise). */
  localized: boolean
  /** The attribute's previous name: sync renames the column instead of refusing a destructive change. */
  renamedFrom?: string
}

/** A scalar's value constraints, as a schema.json writes them and as the normalized model keeps them. */
export interface ScalarConstraints {
  minLength?: number
  maxLength?: number
  /** Numbers for integer/float/decimal; strings for biginteger (kept exact). */
  min?: number | string
  max?: number | string
  regex?: string
  /** enumeration values (never empty once normalized). */
  enum?: string[]
  /** uid: the attribute a missing value is generated from. */
  targetField?: string
}

export interface ScalarAttribute extends AttributeBase, ScalarConstraints {
  type: ScalarType
  /** `regex`, compiled once when the model is loaded (validation tests values against this one). */
  pattern?: RegExp
  unique: boolean
  default?: unknown
  /** _q search opt-out (Strapi's `searchable: false`). */
  searchable: boolean
}

export interface RelationAttribute extends AttributeBase {
  type: 'relation'
  /**
   * How the link is stored and shared. A morph inverse side (`morphOne`/`morphMany`, media) reads and writes
   * like a manyToOne/manyToMany owning side, its rows in the target's `*_mph` table (see `morph`).
   */
  relation: RelationKind
  /** uid of the target content type. */
  target: string
  inversedBy?: string
  mappedBy?: string
  /** true on the side whose link table stores the relation (no mappedBy). */
  owner: boolean
  /** true when the attribute holds an array (oneToMany, manyToMany). */
  toMany: boolean
  /** On the inverse side: the owning attribute on the target (same as mappedBy). */
  ownerAttribute?: string
  /**
   * A `morphOne`/`morphMany` side (media included): the kind as the schema wrote it and the target's
   * `morphToMany`/`morphToOne` attribute (`morphBy`) whose `*_mph` table holds the links.
   */
  morph?: { kind: 'morphOne' | 'morphMany', by: string }
  /** A `media` attribute (a morph side to plugin::upload.file by `related`): its options. */
  media?: { multiple: boolean, allowedTypes?: MediaType[] }
}

/**
 * The owning side of a polymorphic relation (`morphToOne`/`morphToMany`): its rows live in `<table>_<attr>_mph`
 * (`related_id`, `related_type`, `field`, `order`); it points at rows of any type.
 */
export interface MorphAttribute extends AttributeBase {
  type: 'morph'
  relation: 'morphToOne' | 'morphToMany'
  toMany: boolean
}

export interface ComponentAttribute extends AttributeBase {
  type: 'component'
  /** uid `<category>.<name>`. */
  component: string
  repeatable: boolean
  min?: number
  max?: number
}

export interface DynamicZoneAttribute extends AttributeBase {
  type: 'dynamiczone'
  /** Allowed component uids. */
  components: string[]
  min?: number
  max?: number
}

export type Attribute = ScalarAttribute | RelationAttribute | MorphAttribute | ComponentAttribute | DynamicZoneAttribute

export type ModelKind = 'collectionType' | 'singleType' | 'component'

/** A content type or a component, normalized. Components have kind 'component' and no system fields but `id`. */
export interface Model {
  uid: string
  kind: ModelKind
  /** Table name (`collectionName`). */
  collectionName: string
  /** kebab-case API ids; for components, the component's name and its plural (as used in `collectionName`). */
  singularName: string
  pluralName: string
  displayName: string
  description?: string
  /** 'api' for `api::<api>.<name>`; the category for components. */
  namespace: string
  draftAndPublish: boolean
  localized: boolean
  attributes: Record<string, Attribute>
  /** Extra indexes on the model's table (built-in types carry Strapi's), by physical column names. */
  indexes?: ModelIndex[]
  /**
   * Where the definition came from, for error messages: the absolute path of its schema.json (a
   * `lifecycles.(ts|js)` file may sit next to it) or component .json file, or `inline:<uid>`.
   */
  source: string
}

export interface ModelIndex {
  name: string
  columns: string[]
  /** Strapi's `type: 'unique'`. */
  type?: 'unique'
}

export interface ContentType extends Model {
  kind: 'collectionType' | 'singleType'
  /** The `<api>` of `api::<api>.<singular>`; the plugin's name for `plugin::<plugin>.<singular>`. */
  apiName: string
  /** Set on a plugin's built-in type (`plugin::upload.file`): it has no generated routes, actions or controllers. */
  plugin?: string
  /** Lifecycle handlers given inline with `defineContentType`. */
  lifecycles?: Lifecycles
  /** Lifecycle handlers of the `lifecycles.(ts|js)` file next to `source`, when there is one. */
  lifecyclesFile?: LifecyclesFile
}

export interface Component extends Model {
  kind: 'component'
  category: string
}

/** The whole normalized model. */
export interface Schema {
  /** Every content type: the project's and the built-in ones (`plugin` set). */
  contentTypes: Map<string, ContentType>
  components: Map<string, Component>
  /** Content types and components by uid. */
  get (uid: string): Model | undefined
}

// ---------------------------------------------------------------------------------------------
// Raw input (Strapi's schema.json format, or the TypeScript helpers).

export interface AttributeSchema extends ScalarConstraints {
  type: string
  required?: boolean
  unique?: boolean
  private?: boolean
  configurable?: boolean
  writable?: boolean
  visible?: boolean
  searchable?: boolean
  default?: unknown
  relation?: string
  target?: string
  inversedBy?: string
  mappedBy?: string
  morphBy?: string
  component?: string
  repeatable?: boolean
  components?: string[]
  multiple?: boolean
  allowedTypes?: string[]
  renamedFrom?: string
  pluginOptions?: { i18n?: { localized?: boolean }, [key: string]: unknown }
  [key: string]: unknown
}

export interface ContentTypeSchema {
  kind: 'collectionType' | 'singleType'
  collectionName?: string
  info: { singularName: string, pluralName: string, displayName?: string, description?: string }
  options?: { draftAndPublish?: boolean, [key: string]: unknown }
  pluginOptions?: { i18n?: { localized?: boolean }, [key: string]: unknown }
  attributes: Record<string, AttributeSchema>
  /** Extra table indexes (Strapi's model `indexes`), by column names. */
  indexes?: ModelIndex[]
}

export interface ComponentSchema {
  collectionName?: string
  info: { displayName: string, description?: string, icon?: string }
  options?: Record<string, unknown>
  attributes: Record<string, AttributeSchema>
}

// ---------------------------------------------------------------------------------------------
// Lifecycle hooks declared with a content type (contract §15).

export const LIFECYCLE_ACTIONS = [
  'beforeCreate', 'afterCreate', 'beforeCreateMany', 'afterCreateMany',
  'beforeUpdate', 'afterUpdate', 'beforeUpdateMany', 'afterUpdateMany',
  'beforeDelete', 'afterDelete', 'beforeDeleteMany', 'afterDeleteMany',
  'beforeFindOne', 'afterFindOne', 'beforeFindMany', 'afterFindMany',
  'beforeCount', 'afterCount'
] as const
export type LifecycleAction = typeof LIFECYCLE_ACTIONS[number]

/** vellum's own hook: called once the transaction that carried a write has committed, never after a rollback. */
export const EXTRA_LIFECYCLE_HOOKS = ['afterCommit'] as const
export type LifecycleHookName = LifecycleAction | typeof EXTRA_LIFECYCLE_HOOKS[number]

/** The least a lifecycle handler receives; the query engine's event may carry more. */
export interface LifecycleEvent {
  /** The hook's name (an afterCommit call carries the action's after-name). */
  action: LifecycleAction
  uid: string
  /** The model of `uid`, with Strapi's `tableName`. */
  model: Model & { tableName: string }
  /** Query Engine params: editable in `before*` handlers. */
  params: Record<string, unknown>
  /** Only in `after*` handlers; may be replaced. */
  result?: unknown
  /** Shared between the before and after call of one operation. */
  state: Record<string, unknown>
}

export type LifecycleHandler = (event: LifecycleEvent) => unknown
export type Lifecycles = Partial<Record<LifecycleHookName, LifecycleHandler>>

/** A `lifecycles.(ts|js)` file's exports, as read by lib/project; the Query Engine checks them. */
export interface LifecyclesFile {
  file: string
  hooks: Readonly<Record<string, unknown>>
}

// ---------------------------------------------------------------------------------------------
// Inline definitions (TypeScript instead of schema.json).

/** A content type given inline. `uid` defaults to `api::<singularName>.<singularName>`. */
export type ContentTypeDefinition = ContentTypeSchema & { uid?: string, lifecycles?: Lifecycles }

/** A component given inline; `uid` is `<category>.<name>`. */
export type ComponentDefinition = ComponentSchema & { uid: string }
