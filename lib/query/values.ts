import type { ScalarType } from '../content-types/index.js'
import { toIsoTimestamp } from '../db/index.js'

/**
 * Values crossing the SQL boundary, per attribute type: `castInput` turns what a caller gave into a SQL
 * parameter (or says what was expected), `outputNormalizer` turns what PostgreSQL returned inside a row's
 * JSON into the wire value, so both drivers give identical results.
 */

/** A SQL parameter: json values travel as their JSON text. */
export type SqlValue = string | number | boolean | null

export type CastResult = { ok: true, value: SqlValue } | { ok: false, expected: string }

/** The type a parameter is cast to in SQL, so PostgreSQL never guesses (and never truncates: no varchar(n)). */
export const PARAM_TYPES: Record<ScalarType, string> = {
  string: 'text',
  text: 'text',
  richtext: 'text',
  blocks: 'jsonb',
  email: 'text',
  password: 'text',
  uid: 'text',
  integer: 'integer',
  biginteger: 'bigint',
  float: 'double precision',
  decimal: 'numeric',
  boolean: 'boolean',
  date: 'date',
  time: 'time',
  datetime: 'timestamptz',
  timestamp: 'timestamptz',
  enumeration: 'text',
  json: 'jsonb'
}

const TEXT_TYPES = new Set<ScalarType>(['string', 'text', 'richtext', 'email', 'password', 'uid', 'enumeration'])
const NUMBER_TYPES = new Set<ScalarType>(['integer', 'biginteger', 'float', 'decimal'])
const TEMPORAL_TYPES = new Set<ScalarType>(['date', 'time', 'datetime', 'timestamp'])

export const isTextType = (type: ScalarType): boolean => TEXT_TYPES.has(type)
/** Types with a meaningful order (`$lt`, `$between`, sorting). */
export const isOrderedType = (type: ScalarType): boolean => TEXT_TYPES.has(type) || NUMBER_TYPES.has(type) || TEMPORAL_TYPES.has(type)
export const isJsonType = (type: ScalarType): boolean => type === 'json' || type === 'blocks'

const EXPECTED: Record<ScalarType, string> = {
  string: 'a string',
  text: 'a string',
  richtext: 'a string',
  blocks: 'a JSON value',
  email: 'a string',
  password: 'a string',
  uid: 'a string',
  integer: 'an integer',
  biginteger: 'an integer',
  float: 'a number',
  decimal: 'a number',
  boolean: 'a boolean',
  date: 'a date (YYYY-MM-DD)',
  time: 'a time (HH:mm:ss.SSS)',
  datetime: 'a datetime (ISO 8601)',
  timestamp: 'a datetime (ISO 8601)',
  enumeration: 'a string',
  json: 'a JSON value'
}

const INT_RE = /^[-+]?\d+$/
const NUMBER_RE = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/
const TIME_RE = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$/
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i
const INT32_MIN = -2147483648
const INT32_MAX = 2147483647
const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const BOOLEANS: Record<string, boolean> = { true: true, false: false, 1: true, 0: false, t: true, f: false }

/** What a value of this type looks like, for error messages. */
export const expectedFor = (type: ScalarType): string => EXPECTED[type]

const fail = (type: ScalarType): CastResult => ({ ok: false, expected: EXPECTED[type] })
const ok = (value: SqlValue): CastResult => ({ ok: true, value })

function validDate (year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day))
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day
}

function castInteger (value: unknown, big: boolean): SqlValue | undefined {
  let n: bigint
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) return undefined
    n = BigInt(value)
  } else if (typeof value === 'bigint') {
    n = value
  } else if (typeof value === 'string' && INT_RE.test(value.trim())) {
    n = BigInt(value.trim())
  } else {
    return undefined
  }
  if (big) return n >= INT64_MIN && n <= INT64_MAX ? n.toString() : undefined
  return n >= INT32_MIN && n <= INT32_MAX ? Number(n) : undefined
}

function castNumber (value: unknown): SqlValue | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'string' && NUMBER_RE.test(value.trim())) return value.trim()
  return undefined
}

function castTime (value: unknown): SqlValue | undefined {
  if (typeof value !== 'string') return undefined
  const m = TIME_RE.exec(value.trim())
  if (m === null) return undefined
  const [h, min, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)]
  if (h > 23 || min > 59 || s > 59) return undefined
  return `${m[1]}:${m[2]}:${m[3] ?? '00'}.${(m[4] ?? '').padEnd(3, '0').slice(0, 3)}`
}

function castDatetime (value: unknown): SqlValue | undefined {
  let date: Date
  if (value instanceof Date) date = value
  else if (typeof value === 'number' && Number.isFinite(value)) date = new Date(value)
  else if (typeof value === 'string' && DATETIME_RE.test(value.trim())) {
    const text = value.trim()
    const m = DATE_RE.exec(text.slice(0, 10))
    if (m === null || !validDate(Number(m[1]), Number(m[2]), Number(m[3]))) return undefined
    date = new Date(text.length === 10 ? `${text}T00:00:00Z` : text.replace(' ', 'T'))
  } else return undefined
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString()
}

function castDate (value: unknown): SqlValue | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString().slice(0, 10)
  if (typeof value !== 'string') return undefined
  const m = DATE_RE.exec(value.trim())
  if (m === null || !validDate(Number(m[1]), Number(m[2]), Number(m[3]))) return undefined
  return value.trim()
}

function castBoolean (value: unknown): SqlValue | undefined {
  if (typeof value === 'boolean') return value
  if (typeof value === 'number' && (value === 0 || value === 1)) return value === 1
  if (typeof value === 'string') return BOOLEANS[value.trim().toLowerCase()]
  return undefined
}

function castText (value: unknown): SqlValue | undefined {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'bigint') return String(value)
  return undefined
}

function castJson (value: unknown): SqlValue | undefined {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') return undefined
  try {
    return JSON.stringify(value)
  } catch {
    return undefined
  }
}

/** Casts one non-null value to an attribute's type. `null` stays null (callers decide whether it is allowed). */
export function castInput (type: ScalarType, value: unknown): CastResult {
  if (value === null) return ok(null)
  let cast: SqlValue | undefined
  switch (type) {
    case 'integer': cast = castInteger(value, false); break
    case 'biginteger': cast = castInteger(value, true); break
    case 'float':
    case 'decimal': cast = castNumber(value); break
    case 'boolean': cast = castBoolean(value); break
    case 'date': cast = castDate(value); break
    case 'time': cast = castTime(value); break
    case 'datetime':
    case 'timestamp': cast = castDatetime(value); break
    case 'json':
    case 'blocks': cast = castJson(value); break
    default: cast = castText(value)
  }
  return cast === undefined ? fail(type) : ok(cast)
}

/** `$null` / `$notNull` values: `false/0/f/''` are false, anything else true (Strapi's rule). */
export function parseNullFlag (value: unknown): boolean {
  if (value === false || value === 0 || value === '' || value === null) return false
  if (typeof value === 'string' && ['false', '0', 'f'].includes(value.trim().toLowerCase())) return false
  return true
}

/** Escapes LIKE metacharacters so a client's `%`, `_` and `\` match literally. */
export function escapeLike (text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`)
}

/** A value read back from a row's JSON → its wire value. */
export type Normalize = (value: unknown) => unknown

// NaN and ±Infinity come as strings inside JSON.
const toNumber: Normalize = value => typeof value === 'number' ? value : Number(value)
const toText: Normalize = value => typeof value === 'string' ? value : String(value)
const toDateText: Normalize = value => String(value).slice(0, 10)
const toTimeText: Normalize = (value) => {
  const [hms, fraction = ''] = String(value).split('.')
  return `${hms}.${fraction.padEnd(3, '0').slice(0, 3)}`
}

/**
 * How a non-null value read back from a row's JSON becomes the wire value, or `undefined` when the JSON value
 * is already final (strings, integers, booleans, json), so readers can skip those fields.
 */
export function outputNormalizer (type: ScalarType): Normalize | undefined {
  switch (type) {
    case 'float':
    case 'decimal':
      return toNumber
    case 'biginteger':
      return toText
    case 'date':
      return toDateText
    case 'time':
      return toTimeText
    case 'datetime':
    case 'timestamp':
      return toIsoTimestamp
    default:
      return undefined
  }
}
