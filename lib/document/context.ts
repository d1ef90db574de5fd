import type { Model, RelationAttribute, Schema } from '../content-types/index.js'
import { ValidationError } from '../errors.js'
import type { Logger } from '../logger.js'
import { type Catalog, isPlainObject, type PlainObject, PUBLICATION_KEY, type PublicationFilter, type QueryEngine } from '../query/index.js'
import type { I18nOptions, Status } from './types.js'

/** What every part of the Document Service shares: the engine, the model and the i18n settings. */
export interface ServiceContext {
  db: QueryEngine
  schema: Schema
  catalog: Catalog
  i18n: I18nOptions
  log: Logger
  /** For each uid: the relation attributes of content types that point at it (either side). */
  incoming: Map<string, Array<{ uid: string, attribute: RelationAttribute }>>
  /** Generated uid values of writes still running, by `<uid>.<attribute>:<locale>` (see uid.ts). */
  pendingUids: Map<string, Set<string>>
}

export function createServiceContext (db: QueryEngine, schema: Schema, i18n: Partial<I18nOptions> | undefined, log: Logger): ServiceContext {
  const locales = [...(i18n?.locales ?? ['en'])]
  const defaultLocale = i18n?.defaultLocale ?? locales[0] ?? 'en'
  if (!locales.includes(defaultLocale)) throw new TypeError(`i18n.defaultLocale ${defaultLocale} is not one of i18n.locales (${locales.join(', ')})`)
  const incoming = new Map<string, Array<{ uid: string, attribute: RelationAttribute }>>()
  for (const contentType of schema.contentTypes.values()) {
    for (const attribute of Object.values(contentType.attributes)) {
      if (attribute.type !== 'relation') continue
      const list = incoming.get(attribute.target) ?? []
      list.push({ uid: contentType.uid, attribute })
      incoming.set(attribute.target, list)
    }
  }
  return { db, schema, catalog: db.catalog, i18n: { locales, defaultLocale }, log, incoming, pendingUids: new Map() }
}

export function isDraftAndPublish (model: Model): boolean {
  return model.kind !== 'component' && model.draftAndPublish
}

export function isLocalized (model: Model): boolean {
  return model.kind !== 'component' && model.localized
}

/** The condition selecting rows of one status (none for types without draft & publish). */
export function statusWhere (model: Model, status: Status): PlainObject | undefined {
  if (!isDraftAndPublish(model)) return undefined
  return { publishedAt: status === 'draft' ? { $null: true } : { $notNull: true } }
}

/** The condition selecting a publication cohort (none without one, or for types without draft & publish). */
export function cohortWhere (model: Model, publication: PublicationFilter | undefined): PlainObject | undefined {
  if (publication === undefined || !isDraftAndPublish(model)) return undefined
  return { [PUBLICATION_KEY]: publication }
}

/** The condition selecting rows of one locale (none for non-localized types or `'*'`). */
export function localeWhere (model: Model, locale: string): PlainObject | undefined {
  if (!isLocalized(model) || locale === '*') return undefined
  return { locale }
}

/** `$and` of the conditions given, or undefined when there are none. */
export function and (...items: unknown[]): PlainObject | undefined {
  const kept = items.filter(i => i !== undefined && i !== null && !(isPlainObject(i) && Object.keys(i).length === 0))
  if (kept.length === 0) return undefined
  if (kept.length === 1 && isPlainObject(kept[0])) return kept[0]
  return { $and: kept }
}

/** A status the caller gave: `'draft'` or `'published'`; anything else is a ValidationError. */
export function checkStatus (value: unknown): Status {
  if (value === 'draft' || value === 'published') return value
  throw new ValidationError(`Invalid status ${JSON.stringify(value) ?? String(value)}: expected "draft" or "published"`, { key: 'status', param: 'status', value })
}

export function parseStatus (value: unknown): Status {
  return value === undefined || value === null ? 'draft' : checkStatus(value)
}

/**
 * A locale the caller gave: one of the configured codes, or `'*'` where allowed. An unknown code is a
 * ValidationError (Strapi accepts any code).
 */
export function checkLocale (locales: readonly string[], value: unknown, allowAll: boolean): string {
  if (value === '*' && allowAll) return '*'
  if (typeof value === 'string' && locales.includes(value)) return value
  const expected = [...locales, ...(allowAll ? ['*'] : [])].join(', ')
  throw new ValidationError(`Invalid locale ${JSON.stringify(value) ?? String(value)}: expected one of ${expected}`, { key: 'locale', param: 'locale', value })
}

/**
 * The locale a call works on: the default when none is given, else `checkLocale`'s. On non-localized types
 * the locale selects no rows but still applies to populated localized targets.
 */
export function parseLocale (ctx: ServiceContext, value: unknown, allowAll: boolean): string {
  if (value === undefined || value === null) return ctx.i18n.defaultLocale
  return checkLocale(ctx.i18n.locales, value, allowAll)
}

/** The locale stored in a row: the code on localized types, null otherwise. */
export function rowLocale (model: Model, locale: string): string | null {
  return isLocalized(model) && locale !== '*' ? locale : null
}
