import { getTableColumns } from 'drizzle-orm'
import {
  boolean, customType, date, doublePrecision, integer, jsonb, numeric, pgTable, real, smallint, text, varchar,
  type PgColumn, type PgColumnBuilderBase, type PgTable
} from 'drizzle-orm/pg-core'
import type { Column, PhysicalModel } from './physical.js'
import { toBigintString, toIsoTimestamp, toTime } from './values.js'

/**
 * Drizzle tables built at runtime from the physical model, for the query layer. Each Drizzle column has the
 * physical column's name (explicit, no `casing`) and is keyed by its `field`: the attribute name or the
 * camelCase system field (`documentId`, `publishedAt`) on model tables, `source`/`target`/`targetOrder`/
 * `sourceOrder` on link tables, `entity`/`component`/`componentType`/`field`/`order` on `_cmps` tables. So
 * `select().from(table)` returns rows keyed like the API.
 *
 * Values read through these columns have the types listed in values.ts, as `Database.execute` returns them.
 */

/** timestamptz as an ISO string (UTC, milliseconds); a Date or an ISO string is accepted on write. */
const timestamptz = customType<{ data: string, driverData: string, config: { precision: number, withTimezone: boolean } }>({
  dataType: config => `timestamp(${config?.precision ?? 6})${config?.withTimezone === false ? '' : ' with time zone'}`,
  fromDriver: value => toIsoTimestamp(value) as string,
  toDriver: value => (value as unknown) instanceof Date ? (value as unknown as Date).toISOString() : value
})

/** time as `HH:mm:ss.SSS`. */
const time = customType<{ data: string, driverData: string, config: { precision: number } }>({
  dataType: config => `time(${config?.precision ?? 3})`,
  fromDriver: value => toTime(value) as string
})

/** bigint as an exact string: PGlite would give a number or a BigInt, postgres.js a string. */
const bigintString = customType<{ data: string, driverData: string }>({
  dataType: () => 'bigint',
  fromDriver: value => toBigintString(value) as string
})

/** Any other type: passed through untouched, its SQL type kept for getTableConfig(). */
const passthrough = customType<{ data: unknown, driverData: unknown, config: { sqlType: string } }>({
  dataType: config => config?.sqlType ?? 'text'
})

const IDENTITY = /^(\w+) generated (?:by default|always) as identity$/i
const VARCHAR = /^(?:varchar|character varying)\((\d+)\)$/i
const NUMERIC = /^(?:numeric|decimal)\((\d+),\s*(\d+)\)$/i
const TIME = /^time\((\d)\)(?: without time zone)?$/i
const TIMESTAMP = /^timestamp\((\d)\)( with time zone| without time zone)?$/i

/** The Drizzle column builder for one physical column. */
export function columnBuilder (column: Column): PgColumnBuilderBase {
  const name = column.name
  const sqlType = column.sqlType.trim()
  const identity = IDENTITY.exec(sqlType)
  if (identity !== null && identity[1]!.toLowerCase() === 'integer') {
    const builder = integer(name).generatedByDefaultAsIdentity()
    return column.primaryKey === true ? builder.primaryKey() : builder
  }
  // Other identity types: Drizzle sends `default` for any column an insert leaves out, so the flag is not needed.
  const builder = scalarBuilder(name, identity === null ? sqlType : identity[1]!)
  return column.primaryKey === true ? (builder as ReturnType<typeof integer>).primaryKey() : builder
}

function scalarBuilder (name: string, sqlType: string): PgColumnBuilderBase {
  switch (sqlType.toLowerCase()) {
    case 'integer': case 'int': case 'int4': return integer(name)
    case 'smallint': case 'int2': return smallint(name)
    case 'bigint': case 'int8': return bigintString(name)
    case 'text': return text(name)
    case 'varchar': case 'character varying': return varchar(name)
    case 'boolean': case 'bool': return boolean(name)
    case 'double precision': case 'float8': return doublePrecision(name)
    case 'real': case 'float4': return real(name)
    case 'numeric': case 'decimal': return numeric(name)
    case 'jsonb': return jsonb(name)
    case 'date': return date(name, { mode: 'string' })
    case 'time': return time(name, { precision: 6 })
    case 'timestamptz': case 'timestamp with time zone': return timestamptz(name, { precision: 6, withTimezone: true })
    case 'timestamp': case 'timestamp without time zone': return timestamptz(name, { precision: 6, withTimezone: false })
  }
  let m = VARCHAR.exec(sqlType)
  if (m !== null) return varchar(name, { length: Number(m[1]) })
  m = NUMERIC.exec(sqlType)
  if (m !== null) return numeric(name, { precision: Number(m[1]), scale: Number(m[2]) })
  m = TIME.exec(sqlType)
  if (m !== null) return time(name, { precision: Number(m[1]) })
  m = TIMESTAMP.exec(sqlType)
  if (m !== null) return timestamptz(name, { precision: Number(m[1]), withTimezone: m[2]?.trim().toLowerCase() !== 'without time zone' })
  return passthrough(name, { sqlType })
}

/** One Drizzle table per physical table (model, link and `_cmps` tables), by table name. */
export function buildTables (physical: PhysicalModel): Map<string, PgTable> {
  const tables = new Map<string, PgTable>()
  for (const table of physical.tables) {
    const columns: Record<string, PgColumnBuilderBase> = {}
    for (const column of table.columns) columns[column.field] = columnBuilder(column)
    tables.set(table.name, pgTable(table.name, columns))
  }
  return tables
}

/** The Drizzle column of a physical column (keyed by its field). */
export function columnOf (table: PgTable, column: Column): PgColumn {
  const found = getTableColumns(table)[column.field]
  if (found === undefined) throw new Error(`table has no column for field ${column.field}`)
  return found
}
