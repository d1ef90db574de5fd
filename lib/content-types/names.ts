/**
 * Name rules of the schema format: what a valid attribute, API id or uid part looks like, the reserved
 * names, and the derived names (snake_case columns, pluralized component tables, enum keys).
 */
import lodashSnakeCase from 'lodash.snakecase'

/**
 * An attribute or model name as Strapi 5 writes it in column names: lodash's snakeCase, whose word rules also
 * split digits (`address2` → `address_2`, `h1Title` → `h_1_title`, `CTAs` → `ct_as`). The one transform:
 * lib/db names columns with it, and the collision check here predicts those names.
 */
export const snakeCase: (name: string) => string = lodashSnakeCase

/** Strapi's `isKebabCase` for `info.singularName` / `info.pluralName`. */
export const KEBAB_CASE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/

/** A kebab-case spelling of a name, offered as the fix for a non-kebab API id. */
export function kebabCase (name: string): string {
  return snakeCase(name).replace(/_+/g, '-').replace(/[^a-z0-9-]/g, '').replace(/^-+|-+$/g, '')
}

/** Strapi's attribute-name rule (the Content-Type Builder's NAME_REGEX): names become columns and JSON keys. */
export const ATTRIBUTE_NAME = /^[A-Za-z][_0-9A-Za-z]*$/

/** Strapi's table-name rule (the Content-Type Builder's COLLECTION_NAME_REGEX). */
export const COLLECTION_NAME = /^[A-Za-z][-_0-9A-Za-z]*$/

/** One part of a uid (`<api>`, `<category>`, `<name>`): no dots or colons, which separate the parts. */
export const UID_PART = /^[A-Za-z][-_0-9A-Za-z]*$/

/** System fields and markers every model row or response already uses. */
export const RESERVED_ATTRIBUTE_NAMES: ReadonlySet<string> = new Set([
  'id', 'documentId', 'document_id', 'locale', 'localizations',
  'publishedAt', 'published_at', 'createdAt', 'created_at', 'updatedAt', 'updated_at',
  'createdBy', 'updatedBy', '__component', '__type'
])

/** Columns of the system fields: an attribute whose column would be one of these is refused too. */
export const SYSTEM_COLUMNS: ReadonlySet<string> = new Set([
  'id', 'document_id', 'locale', 'localizations', 'published_at', 'created_at', 'updated_at',
  'created_by', 'updated_by', 'created_by_id', 'updated_by_id'
])

/**
 * English plural of a kebab-case name, for default component table names (`components_shared_seos`).
 * Strapi uses the `pluralize` package; this covers its regular rules (not irregulars such as person → people):
 * give `collectionName` explicitly for those.
 */
export function pluralize (name: string): string {
  if (/(?:s|x|z|ch|sh)$/.test(name) || /(?:^|-)(?:buffalo|tomato|potato|echo|hero|veto)$/.test(name)) return `${name}es`
  if (/[^aeiou]y$/.test(name)) return `${name.slice(0, -1)}ies`
  return `${name}s`
}

/**
 * The key Strapi derives from an enumeration value (its `toRegressedEnumValue`: accents dropped, runs of
 * other characters turned into `_`). Values must give a non-empty key that does not start with a digit
 * and does not collide with another value's key, so every value stays usable as a GraphQL enum name.
 */
export function enumKey (value: string): string {
  return value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
}
