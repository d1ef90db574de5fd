/**
 * Normalized schemas built by hand (the loader is tested on its own) and a Database on the per-test database.
 */
import type {
  Attribute, Component, ComponentAttribute, ContentType, DynamicZoneAttribute, Model, RelationAttribute, RelationKind,
  ScalarAttribute, ScalarType, Schema
} from '../../lib/content-types/types.js'
import { createDatabase, type Database, type Executor, executeOn } from '../../lib/db/index.js'
import { silentLogger } from '../../lib/logger.js'
import { createTestDatabase, databaseOption, type Teardown } from '../helpers/db.js'
import { sql } from 'drizzle-orm'

const base = { required: false, private: false, writable: true, configurable: true, localized: false }

export function scalar (name: string, type: ScalarType, extra: Partial<ScalarAttribute> = {}): ScalarAttribute {
  return { ...base, name, type, unique: false, searchable: true, ...extra }
}

export function relation (name: string, kind: RelationKind, target: string, extra: { inversedBy?: string, mappedBy?: string, renamedFrom?: string } = {}): RelationAttribute {
  return {
    ...base,
    name,
    type: 'relation',
    relation: kind,
    target,
    owner: extra.mappedBy === undefined,
    toMany: kind === 'oneToMany' || kind === 'manyToMany',
    ...extra,
    ...(extra.mappedBy !== undefined && { ownerAttribute: extra.mappedBy })
  }
}

export function component (name: string, uid: string, extra: Partial<ComponentAttribute> = {}): ComponentAttribute {
  return { ...base, name, type: 'component', component: uid, repeatable: false, ...extra }
}

export function dynamicZone (name: string, components: string[], extra: Partial<DynamicZoneAttribute> = {}): DynamicZoneAttribute {
  return { ...base, name, type: 'dynamiczone', components, ...extra }
}

function attributes (list: Attribute[]): Record<string, Attribute> {
  return Object.fromEntries(list.map(a => [a.name, a]))
}

/** `api::<name>.<name>` with table `collectionName`. */
export function contentType (singularName: string, collectionName: string, list: Attribute[], extra: Partial<ContentType> = {}): ContentType {
  return {
    uid: `api::${singularName}.${singularName}`,
    kind: 'collectionType',
    collectionName,
    singularName,
    pluralName: `${singularName}s`,
    displayName: singularName,
    namespace: 'api',
    apiName: singularName,
    draftAndPublish: false,
    localized: false,
    attributes: attributes(list),
    source: 'inline',
    ...extra
  }
}

/** `<category>.<name>` with table `components_<category>_<name>s`. */
export function componentModel (uid: string, list: Attribute[]): Component {
  const [category = '', name = ''] = uid.split('.')
  return {
    uid,
    kind: 'component',
    collectionName: `components_${category}_${name.replaceAll('-', '_')}s`,
    singularName: name,
    pluralName: `${name}s`,
    displayName: name,
    namespace: category,
    category,
    draftAndPublish: false,
    localized: false,
    attributes: attributes(list),
    source: 'inline'
  }
}

export function makeSchema (...models: Model[]): Schema {
  const contentTypes = new Map<string, ContentType>()
  const components = new Map<string, Component>()
  for (const model of models) {
    if (model.kind === 'component') components.set(model.uid, model as Component)
    else contentTypes.set(model.uid, model as ContentType)
  }
  return {
    contentTypes,
    components,
    get: uid => contentTypes.get(uid) ?? components.get(uid)
  }
}

/** A Database on this test's fresh database (PGlite, or PostgreSQL with DATABASE_URL), closed on teardown. */
export async function openTestDatabase (t: Teardown): Promise<Database> {
  const target = await createTestDatabase(t)
  const database = await createDatabase(databaseOption(target), silentLogger)
  t.teardown(() => database.close())
  return database
}

export interface CatalogColumn { table: string, column: string, type: string }

/** Every column of every table in the current schema (vellum_schema excluded), as format_type() spells types. */
export async function catalogColumns (db: Executor): Promise<CatalogColumn[]> {
  return executeOn<CatalogColumn>(db, sql`
    select c.relname as "table", a.attname as "column", format_type(a.atttypid, a.atttypmod) as "type"
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    where n.nspname = current_schema() and c.relkind = 'r' and c.relname <> 'vellum_schema'
    order by c.relname, a.attnum`)
}

export async function tableNames (db: Executor): Promise<string[]> {
  const rows = await executeOn<{ name: string }>(db, sql`
    select table_name as "name" from information_schema.tables
    where table_schema = current_schema() and table_name <> 'vellum_schema' order by 1`)
  return rows.map(r => r.name)
}

export async function columnsOf (db: Executor, table: string): Promise<Record<string, string>> {
  const rows = await catalogColumns(db)
  return Object.fromEntries(rows.filter(r => r.table === table).map(r => [r.column, r.type]))
}

/** Counts DDL statements seen by onQuery while `fn` runs. */
export async function countStatements (database: Database, fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = []
  const off = database.onQuery(sqlText => { seen.push(sqlText) })
  try {
    await fn()
  } finally {
    off()
  }
  return seen
}

export const isDdl = (statement: string): boolean => /^\s*(create|alter|drop|comment|truncate)\b/i.test(statement)
