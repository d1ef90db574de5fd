import type { Model, Schema } from '../../content-types/index.js'
import type { RequestContext } from '../../hooks/index.js'
import { isPlainObject } from '../../query/index.js'
import { nestedKeys } from '../nested.js'

/**
 * Strapi's `Strapi-Response-Format: v4` (contract §27.1): the legacy shape of what `transformResponse` answers.
 * An entry becomes `{ id, documentId, attributes }`, a relation (media and `localizations` too) `{ data }` at any
 * depth; components and zone items stay flat, their relations wrapped. Driven by the model: a key is wrapped
 * because its attribute is a relation, never because of its value's shape.
 */

/** Whether the request asks for the v4 shape: the header's value is case-sensitive (`V4` keeps v5). */
export function wantsV4 (ctx: RequestContext | undefined): boolean {
  return ctx?.request.headers['strapi-response-format'] === 'v4'
}

type Entry = Record<string, unknown>

/** `data` (an entry, a list of entries or null) of the model `uid`, in the v4 shape. */
export function toV4 (data: unknown, uid: string, schema: Schema): unknown {
  return entries(schema, schema.get(uid), data)
}

/** An entry or a list of them; anything else (null) as it is. */
function entries (schema: Schema, model: Model | undefined, value: unknown): unknown {
  if (Array.isArray(value)) return value.map(item => entry(schema, model, item))
  return entry(schema, model, value)
}

function entry (schema: Schema, model: Model | undefined, value: unknown): unknown {
  if (!isPlainObject(value)) return value
  return { ...ids(value, true), attributes: fields(schema, model, value) }
}

/** A component (or zone item): flat, `id` first, as Strapi spreads its attributes after it. */
function component (schema: Schema, model: Model | undefined, value: unknown): unknown {
  if (Array.isArray(value)) return value.map(item => component(schema, model, item))
  if (!isPlainObject(value)) return value
  return { ...ids(value, false), ...fields(schema, model, value) }
}

/** `id` (and `documentId`) of a value; absent ones stay absent: a count (`{ count }`) has neither. */
function ids (value: Entry, withDocumentId: boolean): Entry {
  const out: Entry = {}
  if (value.id !== undefined) out.id = value.id
  if (withDocumentId && value.documentId !== undefined) out.documentId = value.documentId
  return out
}

/** Every key but `id` and `documentId`, relations wrapped, components and zones walked. */
function fields (schema: Schema, model: Model | undefined, value: Entry): Entry {
  const nested = model === undefined ? undefined : nestedKeys(model)
  const out: Entry = {}
  for (const key in value) {
    if (key === 'id' || key === 'documentId') continue
    const item = value[key]
    const kind = nested?.get(key)
    if (kind === undefined) out[key] = item
    else if (kind.kind === 'relation') out[key] = { data: entries(schema, schema.get(kind.target), item) }
    else if (kind.kind === 'component') out[key] = component(schema, schema.get(kind.uid), item)
    else out[key] = Array.isArray(item) ? item.map(zoneItem => component(schema, zoneModel(schema, zoneItem), zoneItem)) : item
  }
  return out
}

function zoneModel (schema: Schema, item: unknown): Model | undefined {
  return isPlainObject(item) && typeof item.__component === 'string' ? schema.get(item.__component) : undefined
}
