import type {
  ComponentAttribute, DynamicZoneAttribute, Model, ScalarAttribute, ScalarType, Schema
} from '../content-types/index.js'
import type { ComponentJoinTable, LinkTable, ModelTables, PhysicalModel, RelationLink } from '../db/index.js'
import { isScalar } from '../db/index.js'

/**
 * The Query Engine's view of one model: which keys exist, of what kind, in which column. It is the
 * whitelist every parsed parameter is checked against, and the only source of SQL identifiers.
 */

export interface FieldInfo {
  /** Attribute or system-field name (camelCase), the key in results. */
  name: string
  column: string
  type: ScalarType
  /** Private or password: hidden from untrusted callers (`allowPrivate: false`). */
  private: boolean
  system: boolean
  attribute?: ScalarAttribute
}

export interface ModelInfo {
  uid: string
  model: Model
  tables: ModelTables
  /** Table name. */
  table: string
  /** Stored scalars: system fields and scalar attributes, in result order. */
  fields: Map<string, FieldInfo>
  relations: Map<string, RelationLink>
  components: Map<string, ComponentAttribute>
  zones: Map<string, DynamicZoneAttribute>
  componentJoin?: ComponentJoinTable
  /**
   * Every link-table column that points at this model's rows (both sides, one-way relations included); in a
   * `*_mph` table only the rows whose `typeColumn` names this model (`morphType`).
   */
  incomingLinks: Array<{ link: LinkTable, column: string, morph?: { typeColumn: string, type: string } }>
  /** Result order of keys: id, documentId, attributes, then the other system fields. */
  keyOrder: string[]
  /**
   * Has the virtual `localizations` relation (as Strapi v5's i18n declares it): a localized content type
   * without an attribute of that name. It joins the other rows with the same documentId.
   */
  localizations: boolean
}

export interface Catalog {
  schema: Schema
  physical: PhysicalModel
  get (uid: string): ModelInfo
  has (uid: string): boolean
}

const SYSTEM_TYPES: Record<string, ScalarType> = {
  id: 'integer',
  documentId: 'string',
  createdAt: 'datetime',
  updatedAt: 'datetime',
  publishedAt: 'datetime',
  locale: 'string'
}

export const LOCALIZATIONS = 'localizations'

function buildInfo (tables: ModelTables): ModelInfo {
  const { model } = tables
  const localizations = model.kind !== 'component' && model.localized && model.attributes[LOCALIZATIONS] === undefined
  const fields = new Map<string, FieldInfo>()
  const relations = new Map<string, RelationLink>()
  const components = new Map<string, ComponentAttribute>()
  const zones = new Map<string, DynamicZoneAttribute>()
  const head: FieldInfo[] = []
  const tail: FieldInfo[] = []
  for (const [field, column] of Object.entries(tables.columns)) {
    const type = SYSTEM_TYPES[field]
    if (type === undefined) continue
    ;(field === 'id' || field === 'documentId' ? head : tail).push({ name: field, column: column.name, type, private: false, system: true })
  }
  // Fields in result order: a row whose JSON comes in this order is kept as parsed (select.ts readerOf).
  for (const field of head) fields.set(field.name, field)
  const body: string[] = []
  for (const attribute of Object.values(model.attributes)) {
    body.push(attribute.name)
    if (isScalar(attribute)) {
      const column = tables.columns[attribute.name]
      if (column === undefined) throw new Error(`${model.uid}.${attribute.name} has no column`)
      fields.set(attribute.name, {
        name: attribute.name,
        column: column.name,
        type: attribute.type,
        private: attribute.private || attribute.type === 'password',
        system: false,
        attribute
      })
    } else if (attribute.type === 'relation') {
      const link = tables.relations[attribute.name]
      if (link === undefined) throw new Error(`${model.uid}.${attribute.name} has no link table`)
      relations.set(attribute.name, link)
    } else if (attribute.type === 'component') {
      components.set(attribute.name, attribute)
    } else if (attribute.type === 'morph') {
      // The owning side of a polymorphic relation is neither filtered, sorted nor populated here (contract §3.1).
      continue
    } else {
      zones.set(attribute.name, attribute)
    }
  }
  for (const field of tail) fields.set(field.name, field)
  return {
    uid: model.uid,
    model,
    tables,
    table: tables.table.name,
    fields,
    relations,
    components,
    zones,
    ...(tables.componentJoin !== undefined && { componentJoin: tables.componentJoin }),
    incomingLinks: [],
    keyOrder: [...head.map(f => f.name), ...body, ...tail.map(f => f.name), ...(localizations ? [LOCALIZATIONS] : [])],
    localizations
  }
}

export function createCatalog (schema: Schema, physical: PhysicalModel): Catalog {
  const infos = new Map<string, ModelInfo>()
  for (const tables of physical.models.values()) infos.set(tables.uid, buildInfo(tables))
  // Link tables are owned by one side; deleting a row must clear every link pointing at it, including
  // one-way relations declared on other models.
  for (const info of infos.values()) {
    for (const link of info.tables.linkTables) {
      info.incomingLinks.push({ link, column: link.sourceColumn })
      const owner = Object.values(info.tables.relations).find(r => r.link === link)
      const target = owner === undefined ? undefined : infos.get(owner.attribute.target)
      target?.incomingLinks.push({ link, column: link.targetColumn })
    }
    for (const relation of Object.values(info.tables.relations)) {
      const scope = relation.morph
      if (scope !== undefined && !info.incomingLinks.some(l => l.link === relation.link && l.morph !== undefined)) {
        info.incomingLinks.push({ link: relation.link, column: relation.selfColumn, morph: { typeColumn: scope.typeColumn, type: scope.type } })
      }
    }
  }
  return {
    schema,
    physical,
    get (uid) {
      const info = infos.get(uid)
      if (info === undefined) throw new Error(`unknown model ${uid}`)
      return info
    },
    has: (uid) => infos.has(uid)
  }
}
