import { createHash } from 'node:crypto'
import { snakeCase } from '../content-types/index.js'

export { snakeCase }

/** PostgreSQL silently truncates identifiers beyond this many bytes. */
export const MAX_IDENTIFIER_BYTES = 63

/**
 * Keeps an identifier within PostgreSQL's limit. A long name keeps a readable prefix and gets a short
 * hash of the full name, so the result is deterministic and two long names sharing a prefix never collide.
 */
export function identifier (name: string): string {
  if (Buffer.byteLength(name) <= MAX_IDENTIFIER_BYTES) return name
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8)
  let prefix = name.slice(0, MAX_IDENTIFIER_BYTES - hash.length - 1)
  while (Buffer.byteLength(prefix) > MAX_IDENTIFIER_BYTES - hash.length - 1) prefix = prefix.slice(0, -1)
  return `${prefix}_${hash}`
}

/** Column of an attribute in its model's table. */
export function columnName (attributeName: string): string {
  return identifier(snakeCase(attributeName))
}

/** `<table>_<attr>_lnk`: the link table of a relation, named from its owning side. */
export function linkTableName (ownerTable: string, attributeName: string): string {
  return identifier(`${ownerTable}_${snakeCase(attributeName)}_lnk`)
}

/** `<table>_<attr>_mph`: the link table of a morphToOne/morphToMany attribute (Strapi's "morphs" suffix). */
export function morphTableName (ownerTable: string, attributeName: string): string {
  return identifier(`${ownerTable}_${snakeCase(attributeName)}_mph`)
}

/** `<table>_cmps`: the join table from a model's rows to its components and dynamic-zone entries. */
export function componentJoinTableName (table: string): string {
  return identifier(`${table}_cmps`)
}

/** `<singular>_id`: a link table's column pointing at a model's rows. */
export function joinColumnName (singularName: string): string {
  return identifier(`${snakeCase(singularName)}_id`)
}

/** `<singular>_ord`: a link table's order column. */
export function orderColumnName (singularName: string): string {
  return identifier(`${snakeCase(singularName)}_ord`)
}

/** Index and constraint names: `<table>_<suffix>`, shortened like every identifier. */
export function indexName (table: string, suffix: string): string {
  return identifier(`${table}_${suffix}`)
}
