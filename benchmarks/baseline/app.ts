import { init } from '@paralleldrive/cuid2'
import slugify from '@sindresorhus/slugify'
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify'
import type postgres from 'postgres'
import qs from 'qs'
import {
  ARTICLE, ARTICLE_POPULATE, articleLocalizations, articlePopulate, type ArticlePopulate, CATEGORY, type Entity,
  listStatement, rowObject, scope, type Status
} from './sql.js'

/**
 * The hand-written baseline: a plain Fastify + postgres.js server for the requests of the benchmark's
 * scenarios, written the way a careful developer would for this one model, with the best SQL we could write.
 * It still does the work any honest server must: parse the Strapi query string (qs), validate every key and
 * value against whitelists, validate POST bodies (JSON Schema), and check relation targets. Statements are
 * cached per query shape (values are parameters; validated page numbers are inlined, since parameterized
 * LIMIT/OFFSET gets generic plans), and postgres.js prepares them.
 *
 * Supported: GET /api/articles (filters on scalar fields with $eq/$ne/$lt/$lte/$gt/$gte, sort, fields,
 * populate of seo/blocks/category/author/tags or '*', pagination[page|pageSize], status), GET
 * /api/articles/:documentId (fields, populate, status), GET /api/categories (populate[articles][fields],
 * pagination, status), POST /api/articles (scalars, category/author/tags `connect`). Anything else is a 400.
 */

const createDocumentId = init({ length: 24 })

const QS_OPTIONS = { strictNullHandling: true, depth: 34, strictDepth: true, arrayLimit: 100, parameterLimit: 1000, throwOnLimitExceeded: true, plainObjects: true } as const

class HttpError extends Error {
  constructor (readonly statusCode: number, readonly errorName: string, message: string) {
    super(message)
  }
}

const invalidKey = (key: string): HttpError => new HttpError(400, 'ValidationError', `Invalid key ${key}`)
const badValue = (key: string): HttpError => new HttpError(400, 'ValidationError', `Invalid value for ${key}`)

type Query = Record<string, unknown>

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function checkKeys (query: Query, allowed: ReadonlySet<string>): void {
  for (const key of Object.keys(query)) if (!allowed.has(key)) throw invalidKey(key)
}

function positiveInt (key: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN
  if (!Number.isSafeInteger(n) || n < 1) throw badValue(key)
  return n
}

function pagination (query: Query): { page: number, pageSize: number } {
  const p = query.pagination
  if (p === undefined) return { page: 1, pageSize: 25 }
  if (!isObject(p)) throw badValue('pagination')
  checkKeys(p, new Set(['page', 'pageSize']))
  return { page: positiveInt('pagination.page', p.page, 1), pageSize: Math.min(100, positiveInt('pagination.pageSize', p.pageSize, 25)) }
}

function status (query: Query): Status {
  const s = query.status ?? 'published'
  if (s !== 'published' && s !== 'draft') throw badValue('status')
  return s
}

function checkLocale (query: Query): void {
  if (query.locale !== undefined && query.locale !== 'en') throw badValue('locale')
}

const fieldsOf = (entity: Entity): Map<string, { column: string, type: string }> =>
  new Map(entity.fields.map(x => [x.name, { column: x.column, type: x.type }]))
const ARTICLE_FIELDS = fieldsOf(ARTICLE)
const ARTICLE_SCALARS = new Set(ARTICLE.fields.map(x => x.name))

function list (v: unknown, key: string): string[] {
  if (typeof v === 'string') return v.split(',')
  if (Array.isArray(v) && v.every(x => typeof x === 'string')) return v as string[]
  throw badValue(key)
}

function fields (v: unknown, known: ReadonlySet<string>): Set<string> | undefined {
  if (v === undefined || v === '*') return undefined
  const names = list(v, 'fields')
  for (const name of names) if (!known.has(name)) throw invalidKey(name)
  return new Set(names)
}

function orderBy (v: unknown): { key: string, sql: string } {
  if (v === undefined) return { key: '', sql: 'a."id" ASC' }
  const terms = list(v, 'sort').map((term) => {
    const [name = '', dir = 'asc'] = term.split(':')
    const field = ARTICLE_FIELDS.get(name)
    if (field === undefined) throw invalidKey(name)
    const direction = dir.toLowerCase()
    if (direction !== 'asc' && direction !== 'desc') throw badValue('sort')
    return `a."${field.column}" ${direction.toUpperCase()}`
  })
  terms.push('a."id" ASC')
  return { key: terms.join(), sql: terms.join(', ') }
}

const OPERATORS: Record<string, string> = { $eq: '=', $ne: '<>', $lt: '<', $lte: '<=', $gt: '>', $gte: '>=' }

function filterValue (type: string, raw: unknown, key: string): unknown {
  if (typeof raw !== 'string') throw badValue(key)
  switch (type) {
    case 'id':
    case 'integer': {
      if (!/^-?\d+$/.test(raw)) throw badValue(key)
      return Number(raw)
    }
    case 'decimal': {
      const n = Number(raw)
      if (raw.trim() === '' || !Number.isFinite(n)) throw badValue(key)
      return n
    }
    case 'boolean': {
      if (raw !== 'true' && raw !== 'false') throw badValue(key)
      return raw === 'true'
    }
    case 'json': throw badValue(key)
    default: return raw
  }
}

/** `filters[field][$op]=value` (implicit AND): SQL with `$n` placeholders, and their values. */
function filters (v: unknown, params: unknown[]): { key: string, sql: string } {
  if (v === undefined) return { key: '', sql: '' }
  if (!isObject(v)) throw badValue('filters')
  const parts: string[] = []
  for (const [name, condition] of Object.entries(v)) {
    const field = ARTICLE_FIELDS.get(name)
    if (field === undefined) throw invalidKey(name)
    const ops: Record<string, unknown> = isObject(condition) ? condition : { $eq: condition }
    for (const [op, raw] of Object.entries(ops)) {
      const sqlOp = OPERATORS[op]
      if (sqlOp === undefined) throw invalidKey(op)
      params.push(filterValue(field.type, raw, `filters.${name}.${op}`))
      parts.push(`a."${field.column}" ${sqlOp} $${params.length}`)
    }
  }
  return { key: parts.join(), sql: parts.map(p => ` AND ${p}`).join('') }
}

function articlePopulateList (v: unknown): { names: ArticlePopulate[], localizations: boolean } {
  if (v === undefined) return { names: [], localizations: false }
  if (v === '*') return { names: [...ARTICLE_POPULATE], localizations: true }
  const wanted = new Set<string>()
  if (typeof v === 'string' || Array.isArray(v)) {
    for (const name of list(v, 'populate')) wanted.add(name)
  } else if (isObject(v)) {
    for (const [name, option] of Object.entries(v)) {
      // `populate[x]=true` or `populate[x]` with no option: the whole target, no nesting.
      if (option !== true && option !== 'true' && !(isObject(option) && Object.keys(option).length === 0)) throw badValue(`populate.${name}`)
      wanted.add(name)
    }
  } else {
    throw badValue('populate')
  }
  for (const name of wanted) if (!(ARTICLE_POPULATE as readonly string[]).includes(name)) throw invalidKey(name)
  // Model order, whatever the request's order.
  return { names: ARTICLE_POPULATE.filter(n => wanted.has(n)), localizations: false }
}

function articleRow (shape: { fields: Set<string> | undefined, populate: { names: ArticlePopulate[], localizations: boolean }, status: Status }): string {
  const populated = shape.populate.names.map((name): [string, string] => [name, articlePopulate(name, 'a')])
  const tail: Array<[string, string]> = shape.populate.localizations ? [['localizations', articleLocalizations('a', shape.status)]] : []
  return rowObject('a', ARTICLE, shape.fields, populated, tail)
}

const LIST_KEYS = new Set(['filters', 'sort', 'fields', 'populate', 'pagination', 'status', 'locale'])
const ONE_KEYS = new Set(['fields', 'populate', 'status', 'locale'])
const CATEGORY_KEYS = new Set(['populate', 'pagination', 'status', 'locale'])

/**
 * Status of a category request's populated articles: 'published' by default, although categories have no
 * draft & publish, as Strapi 5's CoreService.getFetchParams defaults every type's REST reads to it.
 */
const CATEGORY_DEFAULT_STATUS: Status = 'published'

interface Statement { text: string, params: unknown[] }

export interface BaselineOptions { sql: postgres.Sql }

export function buildBaseline ({ sql }: BaselineOptions): FastifyInstance {
  const app = Fastify({ logger: false, routerOptions: { querystringParser: (s: string) => qs.parse(s, QS_OPTIONS) as Query } })
  const cache = new Map<string, string>()

  /** The statement text of a query shape, built once. */
  function cached (key: string, build: () => string): string {
    let text = cache.get(key)
    if (text === undefined) {
      text = build()
      cache.set(key, text)
    }
    return text
  }

  async function send (reply: FastifyReply, { text, params }: Statement, status = 200, client: postgres.Sql | postgres.TransactionSql = sql): Promise<string | undefined> {
    const rows = await client.unsafe<Array<{ body: string }>>(text, params as never[], { prepare: true })
    const body = rows[0]?.body
    if (body === undefined) throw new HttpError(404, 'NotFoundError', 'Not Found')
    reply.code(status).header('content-type', 'application/json; charset=utf-8')
    return body
  }

  app.setErrorHandler((error: Error & { statusCode?: number, validation?: unknown }, _request, reply) => {
    const statusCode = error instanceof HttpError ? error.statusCode : (error.statusCode ?? 500)
    const name = error instanceof HttpError ? error.errorName : statusCode === 400 ? 'ValidationError' : 'ApplicationError'
    const message = statusCode >= 500 ? 'Internal Server Error' : error.message
    if (statusCode >= 500) process.stderr.write(`baseline: ${error.stack ?? error.message}\n`)
    return reply.code(statusCode).send({ data: null, error: { status: statusCode, name, message, details: {} } })
  })
  app.setNotFoundHandler((_request, reply) => {
    return reply.code(404).send({ data: null, error: { status: 404, name: 'NotFoundError', message: 'Not Found', details: {} } })
  })

  app.get('/api/articles', async (request, reply) => {
    const query = request.query as Query
    checkKeys(query, LIST_KEYS)
    checkLocale(query)
    const params: unknown[] = []
    const st = status(query)
    const { page, pageSize } = pagination(query)
    const where = filters(query.filters, params)
    const order = orderBy(query.sort)
    const shape = { fields: fields(query.fields, ARTICLE_SCALARS), populate: articlePopulateList(query.populate), status: st }
    const key = `list|${st}|${page}|${pageSize}|${where.key}|${order.key}|${[...shape.fields ?? []].join()}|${shape.populate.names.join()}|${String(shape.populate.localizations)}`
    const text = cached(key, () => listStatement({
      entity: ARTICLE,
      where: `${scope('a', ARTICLE, st)}${where.sql}`,
      orderBy: order.sql,
      limit: pageSize,
      offset: (page - 1) * pageSize,
      page,
      pageSize,
      row: articleRow(shape)
    }))
    return await send(reply, { text, params })
  })

  app.get('/api/articles/:documentId', async (request, reply) => {
    const query = request.query as Query
    checkKeys(query, ONE_KEYS)
    checkLocale(query)
    const st = status(query)
    const shape = { fields: fields(query.fields, ARTICLE_SCALARS), populate: articlePopulateList(query.populate), status: st }
    const key = `one|${st}|${[...shape.fields ?? []].join()}|${shape.populate.names.join()}|${String(shape.populate.localizations)}`
    const text = cached(key, () => `SELECT json_build_object('data', ${articleRow(shape)}, 'meta', json_build_object())::text AS "body"
      FROM "articles" a WHERE a."document_id" = $1 AND ${scope('a', ARTICLE, st)} ORDER BY a."id" LIMIT 1`)
    return await send(reply, { text, params: [(request.params as { documentId: string }).documentId] })
  })

  app.get('/api/categories', async (request, reply) => {
    const query = request.query as Query
    checkKeys(query, CATEGORY_KEYS)
    checkLocale(query)
    const st = query.status === undefined ? CATEGORY_DEFAULT_STATUS : status(query)
    const { page, pageSize } = pagination(query)
    let articleFields: Set<string> | undefined
    let populateArticles = false
    if (query.populate !== undefined) {
      const p = query.populate
      if (!isObject(p)) throw badValue('populate')
      checkKeys(p, new Set(['articles']))
      const options = p.articles
      populateArticles = true
      if (isObject(options)) {
        checkKeys(options, new Set(['fields']))
        articleFields = fields(options.fields, ARTICLE_SCALARS)
      } else if (options !== true && options !== 'true') {
        throw badValue('populate.articles')
      }
    }
    const key = `categories|${st}|${page}|${pageSize}|${String(populateArticles)}|${[...articleFields ?? []].join()}`
    const text = cached(key, () => {
      const articles = `(SELECT coalesce(json_agg(${rowObject('x', ARTICLE, articleFields)} ORDER BY l."article_ord", x."id"), '[]'::json)
        FROM "articles_category_lnk" l JOIN "articles" x ON x."id" = l."article_id" WHERE l."category_id" = a."id" AND ${scope('x', ARTICLE, st)})`
      return listStatement({
        entity: CATEGORY,
        where: 'TRUE',
        orderBy: 'a."id" ASC',
        limit: pageSize,
        offset: (page - 1) * pageSize,
        page,
        pageSize,
        row: rowObject('a', CATEGORY, undefined, populateArticles ? [['articles', articles]] : [])
      })
    })
    return await send(reply, { text, params: [] })
  })

  registerCreate(app, sql, send)
  return app
}

const connectSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { connect: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 100 } }
}

const createSchema = {
  body: {
    type: 'object',
    required: ['data'],
    properties: {
      data: {
        type: 'object',
        required: ['title'],
        additionalProperties: false,
        properties: {
          title: { type: 'string', minLength: 1, maxLength: 200 },
          slug: { type: 'string', pattern: '^[A-Za-z0-9-_.~]+$', maxLength: 255 },
          body: { type: ['string', 'null'] },
          views: { type: 'integer', minimum: 0, maximum: 2147483647 },
          rating: { type: ['number', 'null'] },
          publishedDate: { type: ['string', 'null'], format: 'date' },
          featured: { type: 'boolean' },
          kind: { enum: ['news', 'review', 'opinion'] },
          metadata: {},
          category: connectSchema,
          author: connectSchema,
          tags: connectSchema
        }
      }
    }
  }
}

interface CreateBody {
  data: {
    title: string
    slug?: string
    body?: string | null
    views?: number
    rating?: number | null
    publishedDate?: string | null
    featured?: boolean
    kind?: string
    metadata?: unknown
    category?: { connect?: string[] }
    author?: { connect?: string[] }
    tags?: { connect?: string[] }
  }
}

/**
 * POST /api/articles, published (as a REST create in Strapi 5): the draft row and the published row, their
 * links with the inverse order columns appended, and the response, in one statement. The slug, when absent,
 * is the title slugified, then `-1`, `-2`... until no row of the locale uses it (vellum's rule; the first free
 * suffix is found with one hash anti-join). Concurrent creates can pick the same slug: the published rows'
 * unique index rejects all but one, and the others retry under a per-slug advisory lock (4 round trips:
 * BEGIN, lock, statement, COMMIT), so a burst of creates of one title is serialized instead of retried in
 * a loop. One round trip when uncontended.
 */
const MAX_ATTEMPTS = 10

type Send = (reply: FastifyReply, s: Statement, status?: number, client?: postgres.Sql | postgres.TransactionSql) => Promise<string | undefined>

function registerCreate (app: FastifyInstance, sql: postgres.Sql, send: Send): void {
  const toOneTarget = (cte: string, table: string, param: number): string =>
    `${cte} AS (SELECT t."id" FROM "${table}" t WHERE t."document_id" = $${param})`
  const toOneLinks = (cte: string, column: string): string => `${cte}_l AS (INSERT INTO "articles_${column}_lnk" ("article_id", "${column}_id", "article_ord")
      SELECT i."id", t."id", m."o" + CASE WHEN i."published_at" IS NULL THEN 1 ELSE 2 END
      FROM ins i, ${cte} t, LATERAL (SELECT coalesce(max(k."article_ord"), 0) AS "o" FROM "articles_${column}_lnk" k WHERE k."${column}_id" = t."id") m
      ORDER BY i."id")`
  const row = rowObject('a', ARTICLE, undefined)
  const text = (slugGiven: boolean): string => `WITH
    taken AS (SELECT x."slug" FROM "articles" x WHERE x."locale" = 'en' AND x."slug" LIKE $2 || '%'),
    pick AS (SELECT ${slugGiven
      ? '$2::varchar AS "slug"'
      : `CASE WHEN NOT EXISTS (SELECT 1 FROM taken WHERE taken."slug" = $2) THEN $2::varchar
        ELSE ($2 || '-' || (SELECT min(g."n") FROM generate_series(1, (SELECT count(*) FROM taken)::integer + 1) AS g("n")
              LEFT JOIN taken ON taken."slug" = $2 || '-' || g."n" WHERE taken."slug" IS NULL))::varchar END AS "slug"`}),
    tg AS (SELECT t."id", u."ord" FROM unnest($13::text[]) WITH ORDINALITY AS u("doc", "ord") JOIN "tags" t ON t."document_id" = u."doc"),
    ${toOneTarget('cat', 'categories', 14)},
    ${toOneTarget('aut', 'authors', 15)},
    ok AS (SELECT 1 AS "ok" WHERE (SELECT count(*) FROM cat) = $16 AND (SELECT count(*) FROM aut) = $17 AND (SELECT count(DISTINCT tg."id") FROM tg) = cardinality($13::text[])),
    ins AS (INSERT INTO "articles" ("document_id", "created_at", "updated_at", "published_at", "locale", "title", "slug", "body", "views", "rating", "published_date", "featured", "kind", "metadata")
      SELECT $1, $11::timestamptz, CASE WHEN v."pub" THEN $12::timestamptz ELSE $11::timestamptz END, CASE WHEN v."pub" THEN $12::timestamptz END, 'en',
        $3, pick."slug", $4, $5, $6, $7::date, $8, $9, $10::jsonb
      FROM pick, ok, (VALUES (false), (true)) AS v("pub") ORDER BY v."pub"
      RETURNING *),
    ${toOneLinks('cat', 'category')},
    ${toOneLinks('aut', 'author')},
    tg_l AS (INSERT INTO "articles_tags_lnk" ("article_id", "tag_id", "tag_ord", "article_ord")
      SELECT i."id", t."id", t."ord", m."o" + CASE WHEN i."published_at" IS NULL THEN 1 ELSE 2 END
      FROM ins i, tg t, LATERAL (SELECT coalesce(max(k."article_ord"), 0) AS "o" FROM "articles_tags_lnk" k WHERE k."tag_id" = t."id") m
      ORDER BY i."id", t."ord")
    SELECT json_build_object('data', ${row}, 'meta', json_build_object())::text AS "body" FROM ins a WHERE a."published_at" IS NOT NULL`
  const withSlug = text(true)
  const generated = text(false)

  app.post('/api/articles', { schema: createSchema }, async (request, reply) => {
    const query = request.query as Query
    checkKeys(query, new Set(['status', 'locale']))
    checkLocale(query)
    if (query.status !== undefined && query.status !== 'published') throw badValue('status')
    const { data } = request.body as CreateBody
    const base = data.slug ?? slugify(data.title)
    if (base === '') throw badValue('title')
    const category = data.category?.connect ?? []
    const author = data.author?.connect ?? []
    if (category.length > 1 || author.length > 1) throw badValue('connect')
    const now = new Date()
    const params = [
      createDocumentId(), base, data.title, data.body ?? null, data.views ?? 0, data.rating ?? null, data.publishedDate ?? null,
      data.featured ?? false, data.kind ?? 'news', data.metadata === undefined ? null : JSON.stringify(data.metadata),
      now.toISOString(), new Date(now.getTime() + 1).toISOString(), data.tags?.connect ?? [], category[0] ?? null, author[0] ?? null,
      category.length, author.length
    ]
    const statement = { text: data.slug === undefined ? generated : withSlug, params }
    for (let attempt = 1; ; attempt++) {
      try {
        if (attempt === 1) return await send(reply, statement, 201)
        // Lost a race for the slug: pick it again holding a per-slug lock, in a transaction whose statement
        // sees every create that committed before the lock was granted.
        return await sql.begin(async (tx) => {
          await tx`SELECT pg_advisory_xact_lock(hashtext(${base}))`
          return await send(reply, statement, 201, tx)
        }) as string | undefined
      } catch (error) {
        if (error instanceof HttpError && error.statusCode === 404) throw new HttpError(400, 'ValidationError', 'Relation target not found')
        const unique = (error as { code?: string }).code === '23505'
        if (!unique) throw error
        if (data.slug !== undefined || attempt === MAX_ATTEMPTS) throw new HttpError(400, 'ValidationError', 'This attribute must be unique')
      }
    }
  })
}
