import type { Column, ForeignKey, Index } from './physical.js'

/**
 * DDL text from the physical model. Every identifier is quoted; names and SQL types come from physical.ts
 * (built from validated schemas), never from a request.
 */

/** `"name"`, with embedded quotes doubled. */
export function quoteIdent (name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/** `'text'`, with embedded quotes doubled (standard_conforming_strings is on by default since 9.1). */
export function quoteLiteral (value: string): string {
  return `'${value.replaceAll("'", "''")}'`
}

function columnDefinition (column: Column): string {
  return `${quoteIdent(column.name)} ${column.sqlType}${column.primaryKey === true ? ' PRIMARY KEY' : ''}`
}

export function createTable (table: string, columns: Column[]): string {
  return `CREATE TABLE IF NOT EXISTS ${quoteIdent(table)} (${columns.map(columnDefinition).join(', ')})`
}

export function addColumn (table: string, column: Column): string {
  return `ALTER TABLE ${quoteIdent(table)} ADD COLUMN IF NOT EXISTS ${columnDefinition(column)}`
}

export function createIndex (table: string, index: Index): string {
  const where = index.where === undefined ? '' : ` WHERE ${index.where}`
  const columns = index.columns.map((c, i) => {
    const opclass = index.opclasses?.[i] ?? null
    return opclass === null ? quoteIdent(c) : `${quoteIdent(c)} ${opclass}`
  })
  return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${quoteIdent(index.name)} ON ${quoteIdent(table)} (${columns.join(', ')})${where}`
}

export function addForeignKey (table: string, fk: ForeignKey): string {
  return `ALTER TABLE ${quoteIdent(table)} ADD CONSTRAINT ${quoteIdent(fk.name)} FOREIGN KEY (${quoteIdent(fk.column)}) ` +
    `REFERENCES ${quoteIdent(fk.foreignTable)} (${quoteIdent(fk.foreignColumn)}) ON DELETE CASCADE`
}

export function alterColumnType (table: string, column: string, sqlType: string): string {
  const type = baseType(sqlType)
  return `ALTER TABLE ${quoteIdent(table)} ALTER COLUMN ${quoteIdent(column)} TYPE ${type} USING ${quoteIdent(column)}::${type}`
}

/** The type without identity/default clauses, for `ALTER … TYPE` and comparisons. */
export function baseType (sqlType: string): string {
  return sqlType.replace(/\s+generated\s+(?:by\s+default|always)\s+as\s+identity.*$/i, '').trim()
}

/**
 * A type as PostgreSQL's `format_type()` spells it, so the physical model's `varchar(255)` compares equal to
 * the catalog's `character varying(255)`.
 */
export function canonicalType (sqlType: string): string {
  const type = baseType(sqlType).toLowerCase().replace(/\s+/g, ' ').replace(/\s*\(\s*/g, '(').replace(/\s*,\s*/g, ',').replace(/\s*\)/g, ')')
  const aliases: Record<string, string> = {
    int: 'integer',
    int4: 'integer',
    int2: 'smallint',
    int8: 'bigint',
    float8: 'double precision',
    float4: 'real',
    bool: 'boolean',
    decimal: 'numeric',
    varchar: 'character varying',
    timestamptz: 'timestamp with time zone',
    timestamp: 'timestamp without time zone',
    time: 'time without time zone',
    timetz: 'time with time zone'
  }
  if (aliases[type] !== undefined) return aliases[type]
  let m = /^(?:varchar|character varying)\((\d+)\)$/.exec(type)
  if (m !== null) return `character varying(${m[1]!})`
  m = /^(?:decimal|numeric)\((\d+)(?:,(\d+))?\)$/.exec(type)
  if (m !== null) return `numeric(${m[1]!},${m[2] ?? '0'})`
  m = /^(?:timestamptz|timestamp)\((\d)\)( with time zone| without time zone)?$/.exec(type)
  if (m !== null) return `timestamp(${m[1]!})${type.startsWith('timestamptz') ? ' with time zone' : (m[2] ?? ' without time zone')}`
  m = /^timestamp( with time zone| without time zone)$/.exec(type)
  if (m !== null) return type
  m = /^(?:timetz|time)\((\d)\)( with time zone| without time zone)?$/.exec(type)
  if (m !== null) return `time(${m[1]!})${type.startsWith('timetz') ? ' with time zone' : (m[2] ?? ' without time zone')}`
  return type
}

interface ParsedType { base: string, args: number[] }

function parseType (canonical: string): ParsedType {
  const m = /^([a-z ]+?)(?:\(([\d,]+)\))?( with time zone| without time zone)?$/.exec(canonical)
  if (m === null) return { base: canonical, args: [] }
  return { base: `${m[1]!}${m[3] ?? ''}`, args: m[2] === undefined ? [] : m[2].split(',').map(Number) }
}

/** Decimal digits left of the point each integer type needs. */
const INTEGER_DIGITS: Record<string, number> = { smallint: 5, integer: 10, bigint: 19 }
/** Types that hold every value of the key type exactly. */
const WIDER: Record<string, string[]> = {
  smallint: ['integer', 'bigint', 'real', 'double precision'],
  integer: ['bigint', 'double precision'],
  real: ['double precision']
}

/**
 * Whether changing `from` to `to` keeps every value exactly (a safe widening): longer or unbounded varchar,
 * varchar → text, smallint → integer → bigint, integer → double precision (53-bit mantissa holds every int4),
 * real → double precision, numeric with no fewer integer and fractional digits, integers → a numeric with
 * room for their digits, and more fractional-second precision on time/timestamp.
 */
export function isSafeWidening (fromType: string, toType: string): boolean {
  const from = parseType(canonicalType(fromType))
  const to = parseType(canonicalType(toType))
  if (from.base === 'character varying' && to.base === 'character varying') {
    return to.args.length === 0 || (from.args.length > 0 && to.args[0]! >= from.args[0]!)
  }
  if (from.base === 'character varying' && to.base === 'text') return true
  if (from.base === 'text' && to.base === 'character varying') return to.args.length === 0
  if (to.base === 'numeric') {
    if (to.args.length === 0) return from.base === 'numeric' || from.base in INTEGER_DIGITS
    const [precision = 0, scale = 0] = to.args
    if (from.base in INTEGER_DIGITS) return precision - scale >= INTEGER_DIGITS[from.base]!
    if (from.base === 'numeric' && from.args.length > 0) {
      const [fromPrecision = 0, fromScale = 0] = from.args
      return scale >= fromScale && precision - scale >= fromPrecision - fromScale
    }
    return false
  }
  if (from.base === to.base && (from.base.startsWith('time') || from.base.startsWith('timestamp'))) {
    // No precision means 6, the maximum.
    return (to.args[0] ?? 6) >= (from.args[0] ?? 6)
  }
  if (from.args.length === 0 && to.args.length === 0) return WIDER[from.base]?.includes(to.base) ?? false
  return false
}
