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
const INT32_MIN = -2147483648n
const INT32_MAX = 2147483647n
const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const BOOLEANS: Record<string, boolean> = { true: true, false: false, 1: true, 0: false, t: true, f: false }

/** What a value of this type looks like, for error messages. */
export const expectedFor = (type: ScalarType): string => EXPECTED[type]

/**
 * Why a value does not cast: the wrong type, a fractional or unsafe number given for an integer, an integer
 * out of the column's range (`limit` is the bound passed), or text that is not a valid date, time or datetime.
 * Each caller words it in its own dialect (the Query Engine's "expected …", the Document Service's yup messages).
 */
export type CastFailure =
  | { reason: 'type' | 'fraction' | 'unsafe' | 'format' }
  | { reason: 'min' | 'max', limit: string }

/** A cast value: json values stay values here (see `castInput` for the SQL parameter). */
export type ScalarCast = { ok: true, value: SqlValue | object } | { ok: false, failure: CastFailure }

const TYPE: ScalarCast = { ok: false, failure: { reason: 'type' } }
const FORMAT: ScalarCast = { ok: false, failure: { reason: 'format' } }
const FRACTION: ScalarCast = { ok: false, failure: { reason: 'fraction' } }
const UNSAFE: ScalarCast = { ok: false, failure: { reason: 'unsafe' } }
const valid = (value: SqlValue | object): ScalarCast => ({ ok: true, value })

function validDate (year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day))
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day
}

function castInteger (value: unknown, big: boolean): ScalarCast {
  let n: bigint
  if (typeof value === 'number' && Number.isFinite(value)) {
    if (!Number.isInteger(value)) return FRACTION
    if (!Number.isSafeInteger(value)) return UNSAFE
    n = BigInt(value)
  } else if (typeof value === 'bigint') {
    n = value
  } else if (typeof value === 'string' && INT_RE.test(value.trim())) {
    n = BigInt(value.trim())
  } else if (typeof value === 'string' && NUMBER_RE.test(value.trim())) {
    return FRACTION
  } else {
    return TYPE
  }
  const [lo, hi] = big ? [INT64_MIN, INT64_MAX] : [INT32_MIN, INT32_MAX]
  if (n < lo) return { ok: false, failure: { reason: 'min', limit: lo.toString() } }
  if (n > hi) return { ok: false, failure: { reason: 'max', limit: hi.toString() } }
  return valid(big ? n.toString() : Number(n))
}

function castNumber (value: unknown): ScalarCast {
  if (typeof value === 'number') return Number.isFinite(value) ? valid(value) : TYPE
  if (typeof value === 'bigint') return valid(value.toString())
  // Kept as text: numeric columns hold more digits than a double.
  if (typeof value === 'string' && NUMBER_RE.test(value.trim())) return valid(value.trim())
  return TYPE
}

function castBoolean (value: unknown): ScalarCast {
  if (typeof value === 'boolean') return valid(value)
  const parsed = typeof value === 'string' ? BOOLEANS[value.trim().toLowerCase()] : value === 0 || value === 1 ? value === 1 : undefined
  return parsed === undefined ? TYPE : valid(parsed)
}

/** A date, or the day of a datetime (as Strapi's parseDate). */
function castDate (value: unknown): ScalarCast {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? FORMAT : valid(value.toISOString().slice(0, 10))
  if (typeof value !== 'string') return TYPE
  const trimmed = value.trim()
  const day = DATETIME_RE.test(trimmed) ? trimmed.slice(0, 10) : trimmed
  const m = DATE_RE.exec(day)
  return m !== null && validDate(Number(m[1]), Number(m[2]), Number(m[3])) ? valid(day) : FORMAT
}

function castTime (value: unknown): ScalarCast {
  if (typeof value !== 'string') return TYPE
  const m = TIME_RE.exec(value.trim())
  if (m === null || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3] ?? 0) > 59) return FORMAT
  return valid(`${m[1]}:${m[2]}:${m[3] ?? '00'}.${(m[4] ?? '').padEnd(3, '0').slice(0, 3)}`)
}

function castDatetime (value: unknown): ScalarCast {
  let date: Date
  if (value instanceof Date) date = value
  else if (typeof value === 'number' && Number.isFinite(value)) date = new Date(value)
  else if (typeof value === 'string' && DATETIME_RE.test(value.trim())) {
    const text = value.trim()
    const m = DATE_RE.exec(text.slice(0, 10))
    if (m === null || !validDate(Number(m[1]), Number(m[2]), Number(m[3]))) return FORMAT
    date = new Date(text.length === 10 ? `${text}T00:00:00Z` : text.replace(' ', 'T'))
  } else return typeof value === 'string' ? FORMAT : TYPE
  return Number.isNaN(date.getTime()) ? FORMAT : valid(date.toISOString())
}

function castText (value: unknown): ScalarCast {
  if (typeof value === 'string') return valid(value)
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint') return valid(String(value))
  return TYPE
}

/** Any value JSON can hold. */
function castJson (value: unknown): ScalarCast {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') return TYPE
  try {
    if (JSON.stringify(value) === undefined) return TYPE
  } catch {
    // A cycle, or a toJSON that throws.
    return TYPE
  }
  return valid(value as SqlValue | object)
}

/** The one table of input rules, per attribute type: writes (both layers) and filter values use it. */
const CASTS: Record<ScalarType, (value: unknown) => ScalarCast> = {
  string: castText,
  text: castText,
  richtext: castText,
  email: castText,
  password: castText,
  uid: castText,
  enumeration: castText,
  integer: value => castInteger(value, false),
  biginteger: value => castInteger(value, true),
  float: castNumber,
  decimal: castNumber,
  boolean: castBoolean,
  date: castDate,
  time: castTime,
  datetime: castDatetime,
  timestamp: castDatetime,
  json: castJson,
  blocks: castJson
}

/** Casts one non-null value to an attribute's type, or says why it cannot. */
export function castScalar (type: ScalarType, value: unknown): ScalarCast {
  return CASTS[type](value)
}

/** Casts one value to a SQL parameter. `null` stays null (callers decide whether it is allowed). */
export function castInput (type: ScalarType, value: unknown): CastResult {
  if (value === null) return { ok: true, value: null }
  const cast = castScalar(type, value)
  if (!cast.ok) return { ok: false, expected: EXPECTED[type] }
  return { ok: true, value: isJsonType(type) ? JSON.stringify(cast.value) : cast.value as SqlValue }
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

/** An array as one text parameter (PostgreSQL's array literal): both drivers bind it without knowing its type. */
export function textArray (values: ReadonlyArray<string | null>): string {
  return `{${values.map(v => v === null ? 'NULL' : `"${v.replace(/[\\"]/g, c => `\\${c}`)}"`).join(',')}}`
}
