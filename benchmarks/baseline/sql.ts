/**
 * The baseline's SQL, written by hand for the reference model on the tables vellum created. Every request is
 * one statement and PostgreSQL builds the whole response body (row_to_json / json_agg / json_build_object),
 * returned as text and sent as is: Node never parses or stringifies the entries.
 *
 * Shapes mirror vellum's responses key for key (model attribute order, populated attributes in place,
 * timestamps last; `__component` first in dynamic-zone items; private fields left out), so the run can check
 * that both servers answer the same JSON before measuring them.
 */

export type FieldType = 'id' | 'text' | 'integer' | 'decimal' | 'date' | 'boolean' | 'json' | 'timestamp'

export interface Field { name: string, column: string, type: FieldType }

export interface Entity {
  table: string
  draftAndPublish: boolean
  localized: boolean
  /** Attribute order of the response; `*` marks where populated attributes go (before the timestamps). */
  fields: Field[]
}

const f = (name: string, column: string, type: FieldType): Field => ({ name, column, type })
const SYSTEM_HEAD = [f('id', 'id', 'id'), f('documentId', 'document_id', 'text')]
const TIMESTAMPS = [f('createdAt', 'created_at', 'timestamp'), f('updatedAt', 'updated_at', 'timestamp'), f('publishedAt', 'published_at', 'timestamp')]

export const ARTICLE: Entity = {
  table: 'articles',
  draftAndPublish: true,
  localized: true,
  fields: [
    ...SYSTEM_HEAD,
    f('title', 'title', 'text'), f('slug', 'slug', 'text'), f('body', 'body', 'text'), f('views', 'views', 'integer'),
    f('rating', 'rating', 'decimal'), f('publishedDate', 'published_date', 'date'), f('featured', 'featured', 'boolean'),
    f('kind', 'kind', 'text'), f('metadata', 'metadata', 'json'),
    ...TIMESTAMPS, f('locale', 'locale', 'text')
  ]
}
export const CATEGORY: Entity = {
  table: 'categories',
  draftAndPublish: false,
  localized: false,
  fields: [...SYSTEM_HEAD, f('name', 'name', 'text'), f('slug', 'slug', 'text'), f('description', 'description', 'text'), ...TIMESTAMPS]
}
/** internalNote is private: never selected. */
export const AUTHOR: Entity = {
  table: 'authors',
  draftAndPublish: false,
  localized: false,
  fields: [...SYSTEM_HEAD, f('name', 'name', 'text'), f('email', 'email', 'text'), f('bio', 'bio', 'text'), ...TIMESTAMPS]
}
export const TAG: Entity = {
  table: 'tags',
  draftAndPublish: false,
  localized: false,
  fields: [...SYSTEM_HEAD, f('name', 'name', 'text'), ...TIMESTAMPS]
}

/** A column as its JSON value, formatted as vellum sends it. */
export function value (alias: string, field: Field): string {
  const col = `${alias}."${field.column}"`
  switch (field.type) {
    // ISO 8601 in UTC with milliseconds, as JavaScript's Date#toJSON.
    case 'timestamp': return `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
    // numeric → a JSON number without trailing zeros (2.70 → 2.7).
    case 'decimal': return `${col}::float8`
    default: return col
  }
}

const TIMESTAMP_NAMES = new Set(['createdAt', 'updatedAt', 'publishedAt', 'locale'])

/**
 * One row as a JSON object: the chosen fields in entity order, `populated` entries (already SQL) inserted
 * after the attributes and before the timestamps, `tail` entries last. `row_to_json` over a one-row select
 * prints compact JSON (`{"id":1}`), about 10% fewer bytes than `json_build_object` (`{"id" : 1}`) at the
 * same cost in PostgreSQL (measured on scenario e: 34 ms both).
 */
export function rowObject (alias: string, entity: Entity, fields: ReadonlySet<string> | undefined, populated: Array<[string, string]> = [], tail: Array<[string, string]> = []): string {
  const columns: Array<[string, string]> = []
  const push = (name: string, expr: string): void => { columns.push([name, expr]) }
  let placed = false
  for (const field of entity.fields) {
    if (!placed && TIMESTAMP_NAMES.has(field.name)) {
      for (const [name, expr] of populated) push(name, expr)
      placed = true
    }
    if (fields !== undefined && field.name !== 'id' && field.name !== 'documentId' && !fields.has(field.name)) continue
    push(field.name, value(alias, field))
  }
  if (!placed) for (const [name, expr] of populated) push(name, expr)
  for (const [name, expr] of tail) push(name, expr)
  return jsonObject(columns)
}

/** `{ name: expr, ... }` as compact JSON, keys in the given order. */
export function jsonObject (columns: Array<[string, string]>): string {
  return `(SELECT row_to_json("r") FROM (SELECT ${columns.map(([name, expr]) => `${expr} AS "${name}"`).join(', ')}) AS "r")`
}

export type Status = 'draft' | 'published'

/** The scope predicate of a draft-and-publish / localized entity. */
export function scope (alias: string, entity: Entity, status: Status): string {
  const parts: string[] = []
  if (entity.draftAndPublish) parts.push(`${alias}."published_at" IS ${status === 'published' ? 'NOT NULL' : 'NULL'}`)
  if (entity.localized) parts.push(`${alias}."locale" = 'en'`)
  return parts.length === 0 ? 'TRUE' : parts.join(' AND ')
}

/** Populatable attributes of an article (in the model's order), each as a correlated subquery on `a`. */
export const ARTICLE_POPULATE = ['seo', 'blocks', 'category', 'author', 'tags'] as const
export type ArticlePopulate = typeof ARTICLE_POPULATE[number]

export function articlePopulate (name: ArticlePopulate, a: string): string {
  switch (name) {
    case 'seo':
      return `(SELECT ${jsonObject([['id', 's."id"'], ['metaTitle', 's."meta_title"'], ['metaDescription', 's."meta_description"']])} FROM "articles_cmps" j JOIN "components_shared_seos" s ON s."id" = j."cmp_id" WHERE j."entity_id" = ${a}."id" AND j."field" = 'seo' AND j."component_type" = 'shared.seo' ORDER BY j."order", j."id" LIMIT 1)`
    case 'blocks':
      return `(SELECT coalesce(json_agg(CASE j."component_type"
          WHEN 'shared.quote' THEN (SELECT ${jsonObject([['__component', "'shared.quote'"], ['id', 'q."id"'], ['text', 'q."text"'], ['author', 'q."author"']])} FROM "components_shared_quotes" q WHERE q."id" = j."cmp_id")
          WHEN 'shared.rich-text' THEN (SELECT ${jsonObject([['__component', "'shared.rich-text'"], ['id', 't."id"'], ['body', 't."body"']])} FROM "components_shared_rich_texts" t WHERE t."id" = j."cmp_id")
        END ORDER BY j."order", j."id"), '[]'::json)
        FROM "articles_cmps" j WHERE j."entity_id" = ${a}."id" AND j."field" = 'blocks' AND j."component_type" IN ('shared.quote', 'shared.rich-text'))`
    case 'category':
      return `(SELECT ${rowObject('c', CATEGORY, undefined)} FROM "articles_category_lnk" l JOIN "categories" c ON c."id" = l."category_id" WHERE l."article_id" = ${a}."id" ORDER BY l."id" LIMIT 1)`
    case 'author':
      return `(SELECT ${rowObject('u', AUTHOR, undefined)} FROM "articles_author_lnk" l JOIN "authors" u ON u."id" = l."author_id" WHERE l."article_id" = ${a}."id" ORDER BY l."id" LIMIT 1)`
    case 'tags':
      return `(SELECT coalesce(json_agg(${rowObject('t', TAG, undefined)} ORDER BY l."tag_ord", t."id"), '[]'::json) FROM "articles_tags_lnk" l JOIN "tags" t ON t."id" = l."tag_id" WHERE l."article_id" = ${a}."id")`
  }
}

/** `localizations` of `populate=*`: the same document's other rows in the same status. */
export function articleLocalizations (a: string, status: Status): string {
  return `(SELECT coalesce(json_agg(${rowObject('x', ARTICLE, undefined)} ORDER BY x."id"), '[]'::json) FROM "articles" x WHERE x."document_id" = ${a}."document_id" AND x."id" <> ${a}."id" AND ${scope('x', { ...ARTICLE, localized: false }, status)})`
}

export interface ListStatement {
  /** Entity rows of the page, filtered and ordered (alias `a`). */
  entity: Entity
  where: string
  orderBy: string
  limit: number
  offset: number
  page: number
  pageSize: number
  /** The JSON object of one row of alias `a` (see rowObject). */
  row: string
}

/**
 * A page and its total in one statement: the count and the page are two scans of the same filter (a top-N
 * sort for the page), and the JSON is built for the page rows only.
 */
export function listStatement (s: ListStatement): string {
  const t = s.entity.table
  return `SELECT json_build_object(
    'data', coalesce((SELECT json_agg(${s.row} ORDER BY ${s.orderBy}) FROM (SELECT * FROM "${t}" a WHERE ${s.where} ORDER BY ${s.orderBy} LIMIT ${s.limit} OFFSET ${s.offset}) a), '[]'::json),
    'meta', json_build_object('pagination', json_build_object('page', ${s.page}, 'pageSize', ${s.pageSize}, 'pageCount', ceil(c."total"::numeric / ${s.pageSize})::integer, 'total', c."total"))
  )::text AS "body" FROM (SELECT count(*)::integer AS "total" FROM "${t}" a WHERE ${s.where}) c`
}
