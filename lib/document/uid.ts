import slugify from '@sindresorhus/slugify'
import type { Model } from '../content-types/index.js'
import type { PlainObject } from '../query/index.js'
import { and, isLocalized, type ServiceContext } from './context.js'

/**
 * uid attributes left empty are generated from their `targetField` (beyond Strapi, whose REST API leaves them
 * null): the target's text slugified (`@sindresorhus/slugify`, as Strapi's admin does), then made unique
 * among the other documents' rows of the same locale by appending `-1`, `-2`, …. Two concurrent writes may
 * still pick the same value; the database's unique index then rejects the second one when it is published.
 */

const MAX_BASE = 240

function isEmpty (value: unknown): boolean {
  return value === undefined || value === null || value === ''
}

/** Fills `scalars` (the data written) with generated uids; `current` is the stored row on update. */
export async function generateUids (ctx: ServiceContext, model: Model, documentId: string, locale: string | null, scalars: PlainObject, current?: PlainObject): Promise<void> {
  for (const attribute of Object.values(model.attributes)) {
    if (attribute.type !== 'uid' || attribute.targetField === undefined) continue
    const value = scalars[attribute.name] === undefined ? current?.[attribute.name] : scalars[attribute.name]
    if (!isEmpty(value)) continue
    const source = scalars[attribute.targetField] === undefined ? current?.[attribute.targetField] : scalars[attribute.targetField]
    if (typeof source !== 'string' && typeof source !== 'number') continue
    const base = slugify(String(source)).slice(0, MAX_BASE).replace(/-+$/, '')
    if (base === '') continue
    const taken = await ctx.db.query(model.uid).findMany({
      where: and(
        { [attribute.name]: { $startsWith: base } },
        { documentId: { $ne: documentId } },
        isLocalized(model) && locale !== null ? { locale } : undefined
      ),
      select: [attribute.name]
    })
    const used = new Set(taken.map(row => row[attribute.name]))
    let candidate = base
    for (let n = 1; used.has(candidate); n++) candidate = `${base}-${n}`
    scalars[attribute.name] = candidate
  }
}
