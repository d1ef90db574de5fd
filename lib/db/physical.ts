import { USERS_PERMISSIONS_UIDS, type Attribute, type Model, type RelationAttribute, type ScalarType, type Schema } from '../content-types/index.js'
import {
  columnName, componentJoinTableName, indexName, joinColumnName, linkTableName, morphTableName, orderColumnName, physicalName, tableName
} from './naming.js'

/**
 * The physical shape of the model in PostgreSQL, in Strapi v5's layout: one row per document × locale ×
 * draft/published, link tables (`*_lnk`) for every relation, and a `*_cmps` join table for components and
 * dynamic zones. Everything that reads or writes the database takes names from here, never from user input.
 */

export interface Column {
  name: string
  /** SQL type as written in DDL (`varchar(255)`, `jsonb`, ...). */
  sqlType: string
  /** The attribute (or system field, camelCase) this column stores. */
  field: string
  primaryKey?: boolean
}

export interface Index {
  name: string
  columns: string[]
  unique: boolean
  /** Partial-index predicate, written by vellum only. */
  where?: string
  /** Operator class of each column (`null`: the type's default), written by vellum only. */
  opclasses?: Array<string | null>
}

export interface ForeignKey {
  name: string
  column: string
  foreignTable: string
  foreignColumn: string
}

export interface Table {
  name: string
  columns: Column[]
  indexes: Index[]
  foreignKeys: ForeignKey[]
  /** Created and owned elsewhere (lib/auth's Users & Permissions tables): schema sync leaves it alone. */
  external?: true
}

/** A relation's link table. `source` is the owning side's model, `target` the other side. */
export interface LinkTable extends Table {
  sourceColumn: string
  targetColumn: string
  /** Position of a target among one source's targets (owner side to-many). */
  targetOrderColumn?: string
  /** Position of a source among one target's sources (inverse side to-many). */
  sourceOrderColumn?: string
}

/**
 * A polymorphic link table (`<table>_<attr>_mph`), owned by a morphToOne/morphToMany attribute: `sourceColumn`
 * holds the owner's row id, `targetColumn` (`related_id`) a row of the model named in `typeColumn`, for the
 * attribute named in `fieldColumn`, at `orderColumn` among that attribute's rows.
 */
export interface MorphLinkTable extends LinkTable {
  typeColumn: 'related_type'
  fieldColumn: 'field'
  orderColumn: 'order'
}

/** The constant columns of a morph side's rows in a `*_mph` table: its model's uid and its attribute's name. */
export interface MorphScope {
  typeColumn: string
  fieldColumn: string
  type: string
  field: string
}

/** How one relation attribute reaches its link table from its own model's rows. */
export interface RelationLink {
  attribute: RelationAttribute
  link: LinkTable
  /** Link column holding this model's row id. */
  selfColumn: string
  /** Link column holding the related row id. */
  otherColumn: string
  /** Order column for this side's list of related rows, if this side is to-many. */
  orderColumn?: string
  /** Order column of the other side, maintained when this side writes. */
  otherOrderColumn?: string
  /** A morphOne/morphMany side (media): only the link rows with these constants are this attribute's. */
  morph?: MorphScope
}

/** Join table from a model's rows to component rows (`<table>_cmps`). */
export interface ComponentJoinTable extends Table {
  entityColumn: 'entity_id'
  componentIdColumn: 'cmp_id'
  componentTypeColumn: 'component_type'
  fieldColumn: 'field'
  orderColumn: 'order'
}

export interface ModelTables {
  uid: string
  model: Model
  table: Table
  /** Column name of each attribute stored in the row, and of the system fields (`id`, `documentId`, ...). */
  columns: Record<string, Column>
  /** Link used by each relation attribute (owner and inverse sides alike). */
  relations: Record<string, RelationLink>
  /** Link tables this model owns (created with it). */
  linkTables: LinkTable[]
  /** The `*_mph` table of each morphToOne/morphToMany attribute (also in `linkTables`). */
  morphLinks: Record<string, MorphLinkTable>
  componentJoin?: ComponentJoinTable
}

export interface PhysicalModel {
  models: Map<string, ModelTables>
  /** Every table, in creation order (model tables before the tables that reference them). */
  tables: Table[]
  get (uid: string): ModelTables
}

const SQL_TYPES: Record<ScalarType, string> = {
  string: 'varchar(255)',
  text: 'text',
  richtext: 'text',
  blocks: 'jsonb',
  email: 'varchar(255)',
  password: 'varchar(255)',
  uid: 'varchar(255)',
  integer: 'integer',
  biginteger: 'bigint',
  float: 'double precision',
  decimal: 'numeric(10,2)',
  boolean: 'boolean',
  date: 'date',
  time: 'time(3)',
  datetime: 'timestamp(6) with time zone',
  timestamp: 'timestamp(6) with time zone',
  enumeration: 'varchar(255)',
  json: 'jsonb'
}

export function sqlTypeOf (type: ScalarType): string {
  return SQL_TYPES[type]
}

export function isScalar (attribute: Attribute): attribute is Extract<Attribute, { type: ScalarType }> {
  return attribute.type !== 'relation' && attribute.type !== 'morph' && attribute.type !== 'component' && attribute.type !== 'dynamiczone'
}

const TIMESTAMP = 'timestamp(6) with time zone'

function systemColumns (model: Model): Column[] {
  const id: Column = { name: 'id', sqlType: 'integer generated by default as identity', field: 'id', primaryKey: true }
  if (model.kind === 'component') return [id]
  return [
    id,
    { name: 'document_id', sqlType: 'varchar(255)', field: 'documentId' },
    { name: 'created_at', sqlType: TIMESTAMP, field: 'createdAt' },
    { name: 'updated_at', sqlType: TIMESTAMP, field: 'updatedAt' },
    { name: 'published_at', sqlType: TIMESTAMP, field: 'publishedAt' },
    { name: 'locale', sqlType: 'varchar(255)', field: 'locale' }
  ]
}

function buildModelTable (model: Model): { table: Table, columns: Record<string, Column> } {
  const name = tableName(model.collectionName)
  const columns: Record<string, Column> = {}
  for (const column of systemColumns(model)) columns[column.field] = column
  const indexes: Index[] = []
  for (const attribute of Object.values(model.attributes)) {
    if (!isScalar(attribute)) continue
    const column: Column = { name: columnName(attribute.name), sqlType: sqlTypeOf(attribute.type), field: attribute.name }
    columns[attribute.name] = column
    // uid is always unique. Uniqueness is among published rows of one locale, as Strapi checks it; the database
    // enforces it so two concurrent writes cannot both win.
    const declared = model.indexes?.some(index => index.type === 'unique' && index.columns.length === 1 && index.columns[0] === column.name) === true
    if (model.kind !== 'component' && !declared && (attribute.unique || attribute.type === 'uid')) {
      indexes.push({
        name: indexName([name, column.name], 'unique'),
        columns: model.localized ? [column.name, 'locale'] : [column.name],
        unique: true,
        where: 'published_at IS NOT NULL'
      })
    }
    // A generated uid's free-suffix search reads every row (draft or published) whose value is the base or
    // starts with `base-`. A btree serves that prefix range only with the pattern operator class, since the
    // database collation need not be C; locale second narrows the search on localized types.
    if (model.kind !== 'component' && attribute.type === 'uid') {
      indexes.push({
        name: indexName([name, column.name], 'prefix_idx'),
        columns: model.localized ? [column.name, 'locale'] : [column.name],
        unique: false,
        opclasses: model.localized ? ['text_pattern_ops', null] : ['text_pattern_ops']
      })
    }
  }
  if (model.kind !== 'component') {
    indexes.push({ name: indexName([name, 'documents'], 'idx'), columns: ['document_id', 'locale', 'published_at'], unique: false })
  }
  for (const index of model.indexes ?? []) indexes.push({ name: physicalName([index.name]), columns: [...index.columns], unique: index.type === 'unique' })
  return { table: { name, columns: Object.values(columns), indexes, foreignKeys: [] }, columns }
}

function buildLinkTable (owner: Model, ownerTable: string, attribute: RelationAttribute, target: Model, targetTable: string): LinkTable {
  const name = linkTableName(ownerTable, attribute.name)
  const self = target.singularName === owner.singularName
  const sourceColumn = joinColumnName(owner.singularName)
  const targetColumn = joinColumnName(target.singularName, self)
  const columns: Column[] = [
    { name: 'id', sqlType: 'integer generated by default as identity', field: 'id', primaryKey: true },
    { name: sourceColumn, sqlType: 'integer', field: 'source' },
    { name: targetColumn, sqlType: 'integer', field: 'target' }
  ]
  const link: LinkTable = { name, columns, indexes: [], foreignKeys: [], sourceColumn, targetColumn }
  link.indexes.push(
    { name: indexName(name, 'fk'), columns: [sourceColumn], unique: false },
    { name: indexName(name, 'ifk'), columns: [targetColumn], unique: false },
    { name: indexName(name, 'uq'), columns: [sourceColumn, targetColumn], unique: true }
  )
  // Strapi's order columns: the targets' positions on a to-many side; the sources' positions only when the
  // relation is bidirectional and many sources share a target (a unidirectional side has no list to order).
  if (attribute.relation === 'oneToMany' || attribute.relation === 'manyToMany') {
    link.targetOrderColumn = orderColumnName(target.singularName)
    columns.push({ name: link.targetOrderColumn, sqlType: 'double precision', field: 'targetOrder' })
    link.indexes.push({ name: indexName(name, 'ofk'), columns: [link.targetOrderColumn], unique: false })
  }
  if (attribute.inversedBy !== undefined && (attribute.relation === 'manyToOne' || attribute.relation === 'manyToMany')) {
    link.sourceOrderColumn = orderColumnName(owner.singularName, self && attribute.relation === 'manyToMany')
    columns.push({ name: link.sourceOrderColumn, sqlType: 'double precision', field: 'sourceOrder' })
    link.indexes.push({ name: indexName(name, 'oifk'), columns: [link.sourceOrderColumn], unique: false })
  }
  link.foreignKeys.push(
    { name: indexName(name, 'fk'), column: sourceColumn, foreignTable: ownerTable, foreignColumn: 'id' },
    { name: indexName(name, 'ifk'), column: targetColumn, foreignTable: targetTable, foreignColumn: 'id' }
  )
  return link
}

function buildMorphLinkTable (owner: Model, ownerTable: string, attributeName: string): MorphLinkTable {
  const name = morphTableName(ownerTable, attributeName)
  const sourceColumn = joinColumnName(owner.singularName)
  return {
    name,
    columns: [
      { name: 'id', sqlType: 'integer generated by default as identity', field: 'id', primaryKey: true },
      { name: sourceColumn, sqlType: 'integer', field: 'source' },
      { name: 'related_id', sqlType: 'integer', field: 'target' },
      { name: 'related_type', sqlType: 'varchar(255)', field: 'relatedType' },
      { name: 'field', sqlType: 'varchar(255)', field: 'field' },
      { name: 'order', sqlType: 'double precision', field: 'order' }
    ],
    // Strapi's names; related_id has no foreign key (it points at rows of any table).
    indexes: [
      { name: indexName(name, 'fk'), columns: [sourceColumn], unique: false },
      { name: indexName(name, 'oidx'), columns: ['order'], unique: false },
      { name: indexName(name, 'idix'), columns: ['related_id'], unique: false }
    ],
    foreignKeys: [{ name: indexName(name, 'fk'), column: sourceColumn, foreignTable: ownerTable, foreignColumn: 'id' }],
    sourceColumn,
    targetColumn: 'related_id',
    typeColumn: 'related_type',
    fieldColumn: 'field',
    orderColumn: 'order'
  }
}

/** `collectionName`: the owner's as written; Strapi names the join table's indexes and key from it, not from the join table. */
function buildComponentJoinTable (collectionName: string, table: string): ComponentJoinTable {
  const name = componentJoinTableName(collectionName)
  return {
    name,
    columns: [
      { name: 'id', sqlType: 'integer generated by default as identity', field: 'id', primaryKey: true },
      { name: 'entity_id', sqlType: 'integer', field: 'entity' },
      { name: 'cmp_id', sqlType: 'integer', field: 'component' },
      { name: 'component_type', sqlType: 'varchar(255)', field: 'componentType' },
      { name: 'field', sqlType: 'varchar(255)', field: 'field' },
      { name: 'order', sqlType: 'double precision', field: 'order' }
    ],
    indexes: [
      { name: indexName([collectionName, 'field'], 'idx'), columns: ['field'], unique: false },
      { name: indexName([collectionName, 'component_type'], 'idx'), columns: ['component_type'], unique: false },
      { name: indexName([collectionName, 'entity'], 'fk'), columns: ['entity_id'], unique: false },
      { name: indexName(collectionName, 'uq'), columns: ['entity_id', 'cmp_id', 'field', 'component_type'], unique: true }
    ],
    foreignKeys: [
      { name: indexName([collectionName, 'entity'], 'fk'), column: 'entity_id', foreignTable: table, foreignColumn: 'id' }
    ],
    entityColumn: 'entity_id',
    componentIdColumn: 'cmp_id',
    componentTypeColumn: 'component_type',
    fieldColumn: 'field',
    orderColumn: 'order'
  }
}

/** Builds the physical model from the normalized one. Pure: no database access. */
export function buildPhysicalModel (schema: Schema): PhysicalModel {
  const all: Model[] = [...schema.contentTypes.values(), ...schema.components.values()]
  const models = new Map<string, ModelTables>()
  for (const model of all) {
    const { table, columns } = buildModelTable(model)
    const hasComponents = Object.values(model.attributes).some(a => a.type === 'component' || a.type === 'dynamiczone')
    const entry: ModelTables = { uid: model.uid, model, table, columns, relations: {}, linkTables: [], morphLinks: {} }
    for (const attribute of Object.values(model.attributes)) {
      if (attribute.type !== 'morph') continue
      const link = buildMorphLinkTable(model, table.name, attribute.name)
      entry.morphLinks[attribute.name] = link
      entry.linkTables.push(link)
    }
    if (hasComponents) entry.componentJoin = buildComponentJoinTable(model.collectionName, table.name)
    models.set(model.uid, entry)
  }
  // Owner sides first: they create the link tables the inverse sides then point at.
  for (const entry of models.values()) {
    for (const attribute of Object.values(entry.model.attributes)) {
      if (attribute.type !== 'relation' || !attribute.owner) continue
      const target = models.get(attribute.target)
      if (target === undefined) throw new Error(`relation target ${attribute.target} is not in the model`)
      if (attribute.morph !== undefined) {
        const link = target.morphLinks[attribute.morph.by]
        if (link === undefined) throw new Error(`${attribute.target}.${attribute.morph.by} is not a morphToOne or morphToMany relation`)
        entry.relations[attribute.name] = {
          attribute,
          link,
          selfColumn: link.targetColumn,
          otherColumn: link.sourceColumn,
          orderColumn: link.orderColumn,
          morph: { typeColumn: link.typeColumn, fieldColumn: link.fieldColumn, type: entry.model.uid, field: attribute.name }
        }
        continue
      }
      const link = buildLinkTable(entry.model, entry.table.name, attribute, target.model, target.table.name)
      entry.linkTables.push(link)
      entry.relations[attribute.name] = {
        attribute,
        link,
        selfColumn: link.sourceColumn,
        otherColumn: link.targetColumn,
        ...(link.targetOrderColumn !== undefined && { orderColumn: link.targetOrderColumn }),
        ...(link.sourceOrderColumn !== undefined && { otherOrderColumn: link.sourceOrderColumn })
      }
      if (attribute.inversedBy !== undefined) {
        const inverse = target.model.attributes[attribute.inversedBy]
        if (inverse?.type !== 'relation') throw new Error(`${attribute.target}.${attribute.inversedBy} is not a relation`)
        target.relations[inverse.name] = {
          attribute: inverse,
          link,
          selfColumn: link.targetColumn,
          otherColumn: link.sourceColumn,
          ...(link.sourceOrderColumn !== undefined && { orderColumn: link.sourceOrderColumn }),
          ...(link.targetOrderColumn !== undefined && { otherOrderColumn: link.targetOrderColumn })
        }
      }
    }
  }
  for (const entry of models.values()) {
    if (!USERS_PERMISSIONS_UIDS.has(entry.uid)) continue
    for (const table of [entry.table, ...entry.linkTables]) table.external = true
  }
  const tables: Table[] = []
  for (const entry of models.values()) tables.push(entry.table)
  for (const entry of models.values()) {
    tables.push(...entry.linkTables)
    if (entry.componentJoin !== undefined) tables.push(entry.componentJoin)
  }
  return {
    models,
    tables,
    get (uid: string): ModelTables {
      const entry = models.get(uid)
      if (entry === undefined) throw new Error(`unknown model ${uid}`)
      return entry
    }
  }
}
