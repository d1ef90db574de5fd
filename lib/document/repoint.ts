import type { ContentType } from '../content-types/index.js'
import { and, isDraftAndPublish, type ServiceContext } from './context.js'
import { canPend } from './copy.js'

/**
 * Keeping links when a document's published row appears or goes (publish, unpublish). Links to a draft &
 * publish document are stored on the rows that own them (`R.attribute → row`):
 * - a published row R of another document that links this document's draft is "pending": the link was
 *   published while this document was not; when this document is first published, the link moves to the new
 *   published row (publish), and back to the draft when it is unpublished (unpublish);
 * - a row R of a type without draft & publish links both rows of this document (to-many) or the published
 *   one when there is one (to-one): publishing adds (or swaps in) the published row.
 * Each row changed is updated through the Query Engine (an Update event on R's type), from the owning side,
 * the link's position in R's list kept. Draft rows never change here.
 */

type Mode = 'publish' | 'unpublish'

/**
 * Re-points the links of other rows from row `from` to row `to` of the same document and locale.
 * `only`: attribute names of this model written in the same action (a brand-new document can only be linked
 * through those); undefined = every relation that can point here.
 */
export async function repoint (ctx: ServiceContext, model: ContentType, from: number, to: number, mode: Mode, only?: Set<string>): Promise<void> {
  for (const { uid, attribute } of ctx.incoming.get(model.uid) ?? []) {
    if (!attribute.owner) continue
    if (only !== undefined && (attribute.inversedBy === undefined || !only.has(attribute.inversedBy))) continue
    const owner = ctx.schema.contentTypes.get(uid)
    if (owner === undefined) continue
    const ownerDp = isDraftAndPublish(owner)
    // A pending link can only come back if the relation kind allows one (see canPend).
    if (mode === 'unpublish' && ownerDp && !canPend(attribute)) continue
    // Rows without draft & publish that link both rows lose the published one with it.
    if (mode === 'unpublish' && !ownerDp && attribute.toMany) continue
    const repo = ctx.db.query(uid)
    const rows = await repo.findMany({
      where: and({ [attribute.name]: { id: from } }, ownerDp ? { publishedAt: { $notNull: true } } : undefined),
      select: ['id'],
      populate: { [attribute.name]: { select: ['id'] } },
      orderBy: { id: 'asc' }
    })
    for (const row of rows) {
      const value = row[attribute.name]
      const list = (Array.isArray(value) ? value : value === null || value === undefined ? [] : [value]).map(v => Number((v as { id: unknown }).id))
      let next: number[]
      if (!ownerDp && attribute.toMany) {
        // Both rows: the published one goes right after the draft.
        if (list.includes(to)) continue
        const at = list.indexOf(from)
        next = [...list.slice(0, at + 1), to, ...list.slice(at + 1)]
      } else {
        next = [...new Set(list.map(id => id === from ? to : id))]
      }
      await repo.update({ where: { id: row.id }, data: { [attribute.name]: { set: next.map(id => ({ id })) } }, select: ['id'] })
    }
  }
}
