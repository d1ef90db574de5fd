import type { ContentType } from '../content-types/index.js'
import type { RequestContext } from '../hooks/index.js'
import { contentKey, lruPerOwner } from '../query/index.js'
import type { Vellum } from '../types.js'
import type { RequestGuards } from './core/controller.js'
import { canReadOf, readableOf } from './permissions.js'
import type { TextPlan } from './core/documents.js'
import { type CanRead, type Pagination, sanitizeQuery as sanitize, validateQuery } from './query/index.js'
import { checkInputRelations, sanitizeInputRelations, sanitizeOutput } from './sanitize/index.js'

/** The sanitizers' canRead: none at all for a caller who may read everything (nothing to check, nothing to drop). */
function readLimits (ctx: RequestContext): { canRead?: CanRead } {
  const canRead = readableOf(ctx)
  return canRead === undefined ? {} : { canRead }
}

/** Valid queries remembered per content type and caller permissions, least recently used dropped first. */
const VALIDATED_CACHE_SIZE = 500

/** A query found valid: the pagination it asks for, and its pass-through plan once a core read built it. */
interface Validated {
  pagination?: Pagination
  text?: TextPlan
}

export function guardsFor (contentType: ContentType, vellum: Vellum): RequestGuards {
  const { uid, kind } = contentType
  // Most requests repeat a few queries: one found valid for a caller's permissions (canRead, one function
  // per auth strategy and role) is valid again, and plans the same read, since the model and the limits do
  // not change at run time.
  const validated = lruPerOwner<CanRead, Validated>(VALIDATED_CACHE_SIZE)

  function validate (ctx: RequestContext): Validated {
    const handler = String((ctx.state.route as { handler?: unknown } | undefined)?.handler ?? '')
    const action = handler.slice(handler.lastIndexOf('.') + 1) as 'find' | 'findOne' | 'create' | 'update' | 'delete'
    const canRead = canReadOf(ctx)
    const content = contentKey(ctx.query)
    const key = content === undefined ? undefined : `${action}\n${content}`
    const seen = validated(canRead)
    let entry = key === undefined ? undefined : seen.get(key)
    if (entry !== undefined) return entry
    // canRead: filtering or sorting through a relation the caller may not read is a 400, not an oracle.
    const pagination = validateQuery(ctx.query, uid, {
      catalog: vellum.db.catalog, rest: vellum.config.rest, action, kind, canRead, locales: vellum.config.i18n.locales
    })
    entry = pagination === undefined ? {} : { pagination }
    if (key !== undefined) seen.set(key, entry)
    return entry
  }

  const sanitizeQuery = (ctx: RequestContext): Record<string, unknown> => sanitize(ctx.query, uid, { schema: vellum.schema, ...readLimits(ctx) })

  return {
    validateQuery (ctx) { validate(ctx) },
    sanitizeQuery,
    textPlan (ctx, plan) {
      const entry = validate(ctx)
      entry.text ??= plan(sanitizeQuery(ctx), entry.pagination)
      return { plan: entry.text, ...(entry.pagination !== undefined && { pagination: entry.pagination }) }
    },
    validateInput (data, ctx) {
      const canRead = readableOf(ctx)
      if (canRead !== undefined) checkInputRelations(data, uid, { schema: vellum.schema, canRead })
    },
    sanitizeInput (data, ctx) {
      const canRead = readableOf(ctx)
      return canRead === undefined ? data : sanitizeInputRelations(data, uid, { schema: vellum.schema, canRead })
    },
    sanitizeOutput: (data, ctx) => sanitizeOutput(data, uid, { schema: vellum.schema, ...readLimits(ctx) })
  }
}
