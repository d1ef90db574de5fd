import type { Model, ScalarType, Schema } from '../../content-types/index.js'

/**
 * JSON Schemas of the content API's success envelopes, built from the model, for Fastify's `addSchema` and
 * route `schema.response` (and OpenAPI). They describe without restricting: nothing is required (`fields`
 * and `populate` change the shape), every object keeps `additionalProperties: true` (populated data, the v4
 * response format and custom keys pass through), and populated attributes are declared untyped, so a
 * serializer never drops or reshapes what a controller returns. Scalars are typed from the model, each type
 * a list (`['string', 'null']`): fast-json-stringify then throws on a value of another type instead of
 * coercing it (`{}` would print as `"[object Object]"` under `type: 'string'`), and `compileSerializer` falls
 * back to JSON.stringify. Private and password attributes are not in the schemas.
 *
 * Speed, measured (test/http/serialize/schemas.test.ts run with `node --import tsx`, Node 20.20.2, 2 cores):
 * through these schemas fast-json-stringify is slower than JSON.stringify, ×0.83 on 25 entries of scalars
 * and ×0.70 on 25 populated entries. Losslessness costs it its advantage: it must enumerate every key of
 * every object (`additionalProperties`), call JSON.stringify for each untyped value (relations, components,
 * json, long text) and check each value's type, while V8's native JSON.stringify is fast on plain data.
 */

export interface JsonSchema {
  $id?: string
  $ref?: string
  description?: string
  type?: string | string[]
  properties?: Record<string, JsonSchema>
  items?: JsonSchema
  additionalProperties?: boolean
}

export type ResponseAction = 'find' | 'findOne' | 'create' | 'update' | 'delete'

export interface ResponseSchemas {
  /** Every schema to register with `addSchema`: per content type its entry and its two envelopes. */
  schemas: JsonSchema[]
  /** `$id` of a content type's entry schema. */
  entryId: (uid: string) => string
  /** `{ data: entry, meta }` (findOne, create, update, single-type find). */
  singleId: (uid: string) => string
  /** `{ data: entry[], meta: { pagination } }` (collection find). */
  listId: (uid: string) => string
  /** A core route's `schema.response`: 200 (201 for create) → the envelope; delete has none (204, no body). */
  response: (uid: string, action: ResponseAction) => Record<string, JsonSchema>
}

export interface ResponseSchemaOptions {
  /** Prefix of every `$id`; default `'vellum'`. */
  idPrefix?: string
}

const ANY: JsonSchema = {}

/**
 * Long free text is left untyped: fast-json-stringify escapes a string in JavaScript and V8's native
 * JSON.stringify is faster on long ones. json and blocks hold any JSON.
 */
const SCALAR_SCHEMAS: Record<ScalarType, JsonSchema | undefined> = {
  string: { type: ['string', 'null'] },
  text: ANY,
  richtext: ANY,
  blocks: ANY,
  email: { type: ['string', 'null'] },
  password: undefined,
  uid: { type: ['string', 'null'] },
  integer: { type: ['number', 'null'] },
  biginteger: { type: ['string', 'null'] },
  float: { type: ['number', 'null'] },
  decimal: { type: ['number', 'null'] },
  boolean: { type: ['boolean', 'null'] },
  date: { type: ['string', 'null'] },
  time: { type: ['string', 'null'] },
  datetime: { type: ['string', 'null'] },
  timestamp: { type: ['string', 'null'] },
  enumeration: { type: ['string', 'null'] },
  json: ANY
}

const TIMESTAMP: JsonSchema = { type: ['string', 'null'] }

const PAGINATION: JsonSchema = {
  type: ['object', 'null'],
  additionalProperties: true,
  properties: Object.fromEntries(['page', 'pageSize', 'pageCount', 'start', 'limit', 'total'].map(key => [key, { type: ['number', 'null'] }]))
}

const META: JsonSchema = {
  type: ['object', 'null'],
  additionalProperties: true,
  properties: { pagination: PAGINATION }
}

/** The entry of a content type: system fields and attributes in Strapi's key order. */
function entrySchema (model: Model, $id: string): JsonSchema {
  const properties: Record<string, JsonSchema> = {
    id: { type: ['number', 'null'] },
    documentId: { type: ['string', 'null'] }
  }
  for (const attribute of Object.values(model.attributes)) {
    if (attribute.private || attribute.type === 'password') continue
    if (attribute.type === 'relation' || attribute.type === 'component' || attribute.type === 'dynamiczone') {
      // Populated on request, in shapes that vary (object, array, `{ count }`, v4's `{ data }`): untyped,
      // declared only to keep Strapi's key order.
      properties[attribute.name] = ANY
      continue
    }
    const scalar = SCALAR_SCHEMAS[attribute.type]
    if (scalar !== undefined) properties[attribute.name] = scalar
  }
  properties.createdAt = TIMESTAMP
  properties.updatedAt = TIMESTAMP
  properties.publishedAt = TIMESTAMP
  if (model.localized) {
    properties.locale = { type: ['string', 'null'] }
    if (model.attributes.localizations === undefined) properties.localizations = ANY
  }
  return { $id, description: `${model.displayName} (${model.uid})`, type: ['object', 'null'], additionalProperties: true, properties }
}

export function buildResponseSchemas (schema: Schema, options: ResponseSchemaOptions = {}): ResponseSchemas {
  const prefix = options.idPrefix ?? 'vellum'
  const entryId = (uid: string): string => `${prefix}:${uid}`
  const singleId = (uid: string): string => `${prefix}:${uid}:single`
  const listId = (uid: string): string => `${prefix}:${uid}:list`
  const schemas: JsonSchema[] = []
  for (const contentType of schema.contentTypes.values()) {
    const { uid } = contentType
    schemas.push(entrySchema(contentType, entryId(uid)))
    schemas.push({
      $id: singleId(uid),
      type: 'object',
      additionalProperties: true,
      properties: { data: { $ref: entryId(uid) }, meta: META }
    })
    schemas.push({
      $id: listId(uid),
      type: 'object',
      additionalProperties: true,
      properties: { data: { type: ['array', 'null'], items: { $ref: entryId(uid) } }, meta: META }
    })
  }
  return {
    schemas,
    entryId,
    singleId,
    listId,
    response (uid, action) {
      const contentType = schema.contentTypes.get(uid)
      if (contentType === undefined) throw new Error(`unknown content type ${uid}`)
      if (action === 'delete') return {}
      if (action === 'find' && contentType.kind === 'collectionType') return { 200: { $ref: listId(uid) } } satisfies Record<string, JsonSchema>
      const status = action === 'create' ? '201' : '200'
      return { [status]: { $ref: singleId(uid) } }
    }
  }
}
