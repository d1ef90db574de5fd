import { createHash } from 'node:crypto'
import { snakeCase } from '../content-types/index.js'

export { snakeCase }

/**
 * Physical names exactly as Strapi 5 computes them (contract §28.5), so a database Strapi laid out is read
 * and written in place, and one vellum laid out is Strapi's too.
 *
 * A name is a list of tokens joined by `_`: the model's parts (table name, snake_cased attribute or singular
 * name), which may be shortened, and fixed prefixes/suffixes (`inv`, `lnk`, `fk`, …), which never are. A name
 * longer than 55 characters (Strapi's limit, below PostgreSQL's 63 bytes) shares the room left by the fixed
 * tokens among the long tokens; a shortened token keeps its start and ends with 5 hex digits of its SHAKE-256
 * hash, so two long names sharing a start still differ.
 */

/** Strapi 5's identifier limit: names are shortened beyond this many characters. */
export const MAX_IDENTIFIER_LENGTH = 55
const HASH_LENGTH = 5
/** A shortened token keeps at least this many characters before its hash. */
const MIN_KEPT_LENGTH = 3

interface NameParts {
  /** Fixed token before the parts (`inv`). */
  prefix?: string
  /** Fixed token after the parts (`lnk`, `id`, `fk`, …). */
  suffix?: string
}

const hashOf = (token: string): string =>
  createHash('shake256', { outputLength: Math.ceil(HASH_LENGTH / 2) }).update(token).digest('hex').slice(0, HASH_LENGTH)

/** `token` in at most `length` characters: its start followed by its hash. */
function shortenToken (token: string, length: number): string {
  if (token.length <= length) return token
  return `${token.slice(0, length - HASH_LENGTH)}${hashOf(token)}`
}

/** Joins `parts` (with the fixed prefix/suffix) and shortens the parts, as Strapi 5 does, to fit 55 characters. */
export function physicalName (parts: string[], fixed: NameParts = {}): string {
  const before = fixed.prefix === undefined ? [] : [fixed.prefix]
  const after = fixed.suffix === undefined ? [] : [fixed.suffix]
  const join = (names: string[]): string => [...before, ...names, ...after].join('_')
  const full = join(parts)
  if (full.length <= MAX_IDENTIFIER_LENGTH) return full

  const fixedLength = [...before, ...after].reduce((sum, token) => sum + token.length, 0)
  const available = MAX_IDENTIFIER_LENGTH - fixedLength - (before.length + parts.length + after.length - 1)
  const share = Math.floor(available / parts.length)
  // Tokens shorter than an even share keep their length and give the rest to the longer ones, one character
  // at a time in token order.
  let spare = available % parts.length
  const allotted = parts.map(part => {
    if (part.length < share) {
      spare += share - part.length
      return part.length
    }
    return share
  })
  let short = allotted.map((_, i) => i).filter(i => allotted[i]! < parts[i]!.length)
  while (spare > 0 && short.length > 0) {
    short = short.filter(i => {
      if (spare === 0 || allotted[i]! >= parts[i]!.length) return false
      allotted[i]! += 1
      spare -= 1
      return true
    })
  }
  if (allotted.some((length, i) => length < parts[i]!.length && length < HASH_LENGTH + MIN_KEPT_LENGTH)) {
    throw new Error(`cannot shorten "${full}" to ${MAX_IDENTIFIER_LENGTH} characters: too many long parts`)
  }
  return join(parts.map((part, i) => shortenToken(part, allotted[i]!)))
}

/** A model's table: its `collectionName` as written. */
export function tableName (collectionName: string): string {
  return physicalName([collectionName])
}

/** Column of an attribute in its model's table (lodash's snakeCase: `address2` → `address_2`). */
export function columnName (attributeName: string): string {
  return physicalName([snakeCase(attributeName)])
}

/** `<table>_<attr>_lnk`: the link table of a relation, named from its owning side. */
export function linkTableName (ownerTable: string, attributeName: string): string {
  return physicalName([ownerTable, snakeCase(attributeName)], { suffix: 'lnk' })
}

/** `<table>_<attr>_mph`: the link table of a morphToOne/morphToMany attribute (Strapi's "morphs" suffix). */
export function morphTableName (ownerTable: string, attributeName: string): string {
  return physicalName([ownerTable, snakeCase(attributeName)], { suffix: 'mph' })
}

/** `<table>_cmps`: the join table from a model's rows to its components and dynamic-zone entries. */
export function componentJoinTableName (collectionName: string): string {
  return physicalName([collectionName], { suffix: 'cmps' })
}

/** `<singular>_id` (`inv_<singular>_id` for the other side of a relation of a model to itself): a link table's row column. */
export function joinColumnName (singularName: string, inverse = false): string {
  return physicalName([snakeCase(singularName)], { suffix: 'id', ...(inverse && { prefix: 'inv' }) })
}

/** `<singular>_ord` (`inv_<singular>_ord` for a manyToMany of a model to itself): a link table's order column. */
export function orderColumnName (singularName: string, inverse = false): string {
  return physicalName([snakeCase(singularName)], { suffix: 'ord', ...(inverse && { prefix: 'inv' }) })
}

/** Index and constraint names: the parts (a table name, or a collection name and a column) and a fixed suffix. */
export function indexName (parts: string | string[], suffix: string): string {
  return physicalName(typeof parts === 'string' ? [parts] : parts, { suffix })
}
