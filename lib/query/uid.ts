import { sql, type SQL } from 'drizzle-orm'
import type { Statement } from '../db/index.js'
import type { ModelInfo } from './model.js'
import { prepared } from './prepared.js'
import { textArray } from './values.js'
import { ident } from './where.js'

/** Whose values a generated uid must differ from. */
export interface UidScope {
  /** The document written: its own rows do not count. */
  documentId: string
  /** Only rows of this locale count (localized types). */
  locale?: string
}

/**
 * The rows whose uid value is `base` or `base-…`, other than the document's own: the values a generated uid
 * must differ from. The prefix is a range in byte order, `base-` ≤ v < `base.` ('.' follows '-', and neither
 * byte occurs inside a multibyte UTF-8 character), so with bound parameters the generic plan still bounds a scan
 * of the pattern-ops index (physical.ts) where `starts_with`/`LIKE $n` would read the whole table.
 */
function uidTaken (info: ModelInfo, name: string, base: string, scope: UidScope): SQL {
  const field = info.fields.get(name)
  const documentId = info.fields.get('documentId')
  const locale = info.fields.get('locale')
  if (field === undefined || documentId === undefined) throw new Error(`${info.uid}.${name} is not a uid of a content type`)
  const value = ident(field.column)
  const inLocale = scope.locale === undefined || locale === undefined ? sql`` : sql` AND ${ident(locale.column)} = ${scope.locale}::text`
  return sql`(${value} = ${base}::text OR (${value} ~>=~ ${`${base}-`}::text AND ${value} ~<~ ${`${base}.`}::text)) AND ${ident(documentId.column)} <> ${scope.documentId}::text${inLocale}`
}

/** The `"taken"` CTE: the values (as `"v"`) a uid generated from `base` must differ from (see uidTaken). */
function uidTakenCte (info: ModelInfo, name: string, base: string, scope: UidScope): SQL {
  const field = info.fields.get(name)
  if (field === undefined) throw new Error(`${info.uid}.${name} is not a uid of a content type`)
  return sql`"taken" AS (SELECT ${ident(field.column)} AS "v" FROM ${ident(info.table)} WHERE ${uidTaken(info, name, base, scope)})`
}

/**
 * The `"taken"` and `"pick"` CTEs: `"pick"` holds the first free value (as `"v"`): `base`, else `base-1`,
 * `base-2`, … neither taken nor in `skip` (the values this process's running writes hold). With `c` values
 * taken, one of suffixes 0..c + skip is free, so the search runs over that series and reads only the rows
 * matching the base. `locked`: the base's lock (see uidLock) is taken first, inside the statement.
 */
export function uidPickCtes (info: ModelInfo, name: string, base: string, scope: UidScope, skip: readonly string[], locked: boolean): SQL[] {
  const lock = locked ? sql`(SELECT ${uidLock(info, name, base, scope.locale)}) AS "lock", ` : sql``
  const candidate = sql`CASE WHEN g."n" = 0 THEN ${base}::text ELSE ${base}::text || '-' || g."n" END`
  return [
    uidTakenCte(info, name, base, scope),
    sql`"pick" AS (SELECT c."v" FROM ${lock}generate_series(0, (SELECT count(*) FROM "taken")::integer + cardinality(${textArray(skip)}::text[])) AS g("n") CROSS JOIN LATERAL (SELECT ${candidate} AS "v") c WHERE NOT EXISTS (SELECT 1 FROM "taken" WHERE "taken"."v" = c."v") AND c."v" <> ALL(${textArray(skip)}::text[]) ORDER BY g."n" LIMIT 1)`
  ]
}

/** The first free value of a uid (see uidPickCtes), as the row's `v`, for a write that holds the base's lock. */
export function compileFreeUid (info: ModelInfo, name: string, base: string, scope: UidScope, skip: readonly string[]): Statement {
  return prepared(sql`WITH ${sql.join(uidPickCtes(info, name, base, scope, skip, false), sql`, `)} SELECT "v" FROM "pick"`)
}

/**
 * Waits for, then holds until the transaction ends, the lock of one uid base: the value a write generates
 * from the base is reserved until it commits, and a statement run once it holds the lock sees every value
 * generated from the base before (one waiting inside a statement runs on the snapshot taken before it waited).
 */
function uidLock (info: ModelInfo, name: string, base: string, locale?: string): SQL {
  return sql`pg_advisory_xact_lock(hashtext(${`${info.table}.${name}:${locale ?? ''}:${base}`}::text))`
}

/** The uid base's lock (see uidLock) as a statement of its own. */
export function compileUidLock (info: ModelInfo, name: string, base: string, locale?: string): Statement {
  return prepared(sql`SELECT ${uidLock(info, name, base, locale)}`)
}
