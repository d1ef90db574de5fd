/**
 * One set of JS value types for both drivers.
 *
 * Drizzle makes both drivers hand over dates, times and timestamps as PostgreSQL's text output (postgres.js:
 * the driver rewrites the client's parsers; PGlite: per-query parsers), and the drivers disagree on int8
 * (postgres.js: string; PGlite: number, or BigInt beyond 2^53). After normalization, both return:
 *
 * | PostgreSQL                 | JS value                                                              |
 * |----------------------------|-----------------------------------------------------------------------|
 * | timestamptz, timestamp     | ISO string in UTC with milliseconds, `2024-05-06T07:08:09.123Z` (microseconds truncated; a timestamp without time zone is read as UTC) |
 * | date                       | `YYYY-MM-DD` string                                                   |
 * | time                       | `HH:mm:ss.SSS` string                                                 |
 * | numeric                    | string, exact (`'12.50'`, scale kept): a JS number would round it     |
 * | bigint (int8, count(*))    | string, exact (Strapi's wire format for biginteger)                   |
 * | integer, smallint          | number                                                                |
 * | real, double precision     | number                                                                |
 * | boolean                    | boolean                                                               |
 * | json, jsonb                | the parsed JSON value                                                 |
 * | varchar, text              | string                                                                |
 *
 * `infinity`/`-infinity` and years outside 0001–9999 are returned as PostgreSQL's text. Arrays are left as the
 * drivers give them, except bigint[] (strings).
 */

/** OIDs of the types we normalize. */
export const OID = {
  int8: 20,
  int8Array: 1016,
  json: 114,
  jsonb: 3802,
  numeric: 1700,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184
} as const

const TIMESTAMP_TEXT = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)?$/
/** An instant PostgreSQL printed in UTC: text output (`… 07:08:09.123456+00`), JSON (`…T07:08:09.1+00:00`) or ISO (`…Z`). */
const UTC_TEXT = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:\+00(?::00)?|Z)$/

/** A UTC_TEXT match as `YYYY-MM-DDTHH:mm:ss.SSSZ`: string operations, a tenth of a Date parse's cost. */
function utcIso (text: string): string {
  const end = text.length - (text.endsWith('Z') ? 1 : text.endsWith(':00') ? 6 : 3)
  const head = text.charCodeAt(10) === 84 /* T */ ? text.slice(0, 19) : `${text.slice(0, 10)}T${text.slice(11, 19)}`
  // Truncated, not rounded, as Date parsing does.
  const fraction = end > 20 ? text.slice(20, Math.min(end, 23)).padEnd(3, '0') : '000'
  return `${head}.${fraction}Z`
}

/** PostgreSQL's JSON for a UTC instant with milliseconds, `2024-05-06T07:08:09.123+00:00`: the most common by far. */
function isJsonUtcMillis (text: string): boolean {
  return text.length === 29 && text.charCodeAt(10) === 84 /* T */ && text.charCodeAt(19) === 46 /* . */ && text.endsWith('+00:00')
}

/** A timestamp (PostgreSQL text or JSON output, an ISO string or a Date) → ISO string in UTC with milliseconds. */
export function toIsoTimestamp (value: unknown): unknown {
  if (typeof value === 'string') {
    // Checked by length and separators: a regex test would cost as much as the rest.
    if (isJsonUtcMillis(value)) return `${value.slice(0, 23)}Z`
    if (UTC_TEXT.test(value)) return utcIso(value)
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? value : value.toISOString()
  if (typeof value !== 'string') return value
  const m = TIMESTAMP_TEXT.exec(value)
  if (m === null) return value
  const [, y, mo, d, h, mi, s, fraction = '', zulu, sign, oh = '0', om = '0', os = '0'] = m
  const date = new Date(0)
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999.
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d))
  date.setUTCHours(Number(h), Number(mi), Number(s), Number(fraction.slice(0, 3).padEnd(3, '0')))
  if (zulu === undefined && sign !== undefined) {
    const offset = (Number(oh) * 3600 + Number(om) * 60 + Number(os)) * 1000
    date.setTime(date.getTime() - (sign === '-' ? -offset : offset))
  }
  return date.toISOString()
}

const TIME_TEXT = /^(\d{2}:\d{2}:\d{2})(?:\.(\d+))?$/

/** `12:34:56` / `12:34:56.7` / `12:34:56.789123` → `12:34:56.789` (Strapi's `HH:mm:ss.SSS`). */
export function toTime (value: unknown): unknown {
  if (typeof value !== 'string') return value
  const m = TIME_TEXT.exec(value)
  if (m === null) return value
  return `${m[1]!}.${(m[2] ?? '').slice(0, 3).padEnd(3, '0')}`
}

/** A date as `YYYY-MM-DD`; a Date object (from a driver with its default parsers) is read in UTC. */
export function toDate (value: unknown): unknown {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? value : value.toISOString().slice(0, 10)
  return value
}

/** int8 as an exact string, whatever the driver made of it (string, number or BigInt). */
export function toBigintString (value: unknown): unknown {
  if (typeof value === 'bigint' || typeof value === 'number') return String(value)
  return value
}

/** numeric as an exact string. */
export function toNumericString (value: unknown): unknown {
  return typeof value === 'number' ? String(value) : value
}

/** JSON as a parsed value (both drivers parse it already; a raw string would come from a host's own parsers). */
export function toJson (value: unknown): unknown {
  if (typeof value !== 'string') return value
  try {
    return JSON.parse(value)
  } catch {
    return value
  }
}

function toBigintArray (value: unknown): unknown {
  return Array.isArray(value) ? value.map(toBigintString) : value
}

const NORMALIZERS = new Map<number, (value: unknown) => unknown>([
  [OID.int8, toBigintString],
  [OID.int8Array, toBigintArray],
  [OID.json, toJson],
  [OID.jsonb, toJson],
  [OID.numeric, toNumericString],
  [OID.date, toDate],
  [OID.time, toTime],
  [OID.timestamp, toIsoTimestamp],
  [OID.timestamptz, toIsoTimestamp]
])

/** The normalizer for a column of this type OID, if its driver values need one. */
export function normalizerFor (oid: number): ((value: unknown) => unknown) | undefined {
  return NORMALIZERS.get(oid)
}

/** A result column: its name and type OID (postgres.js `columns[].type`, PGlite `fields[].dataTypeID`). */
export interface ResultColumn {
  name: string
  oid: number
}

/** Rewrites rows in place (they are fresh objects from the driver) and returns them. */
export function normalizeRows<T> (rows: Record<string, unknown>[], columns: ResultColumn[]): T[] {
  const work: Array<[string, (value: unknown) => unknown]> = []
  for (const column of columns) {
    const normalize = NORMALIZERS.get(column.oid)
    if (normalize !== undefined) work.push([column.name, normalize])
  }
  if (work.length > 0) {
    for (const row of rows) {
      for (const [name, normalize] of work) {
        const value = row[name]
        if (value !== null && value !== undefined) row[name] = normalize(value)
      }
    }
  }
  return rows as T[]
}
