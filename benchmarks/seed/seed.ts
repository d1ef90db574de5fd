import Fastify, { type FastifyInstance } from 'fastify'
import postgres from 'postgres'
import { createDocumentId } from '../../lib/document/index.js'
import vellum from '../../lib/plugin.js'
import { createProgress } from '../progress.js'
import {
  authorData, categoryData, createDataSet, type DataSet, DEFAULT_ARTICLES, HOMEPAGE, N_AUTHORS, N_CATEGORIES, N_TAGS,
  tagData
} from './data.js'

/**
 * Seeds the reference data set (seed.mjs's content) into a database vellum has synced.
 *
 * Categories, authors, tags and the homepage (161 documents) go through vellum's Document Service, as any
 * client would write them. The 10,000 articles take a direct bulk path, because the Document Service costs
 * ~30 statements and 0.1-0.3 s per published article here (~30-50 min for the data set, one at a time);
 * the bulk path writes batches of 500 articles in one transaction each, set-based (json_to_recordset), with
 * exactly the rows the Document Service writes for `create({ status: 'published', ... })` (checked by
 * benchmarks/seed/check.ts, which seeds a sample both ways and compares every table and every response):
 *
 * - per article, a draft row (`published_at` null) then a published row with the same `document_id`,
 *   `created_at` and content, `locale` 'en';
 * - each row links the category, the author and the 3 tags (`tag_ord` 1..3 in connect order); the inverse
 *   order columns (`article_ord`) number each target's linking rows in insertion order, the draft before
 *   the published row;
 * - each row owns its own components: a `shared.seo` (field `seo`, order 1), then a `shared.quote` (order 1)
 *   and a `shared.rich-text` (order 2) in the `blocks` zone, joined through `articles_cmps` in that order;
 * - ids come from the tables' own identity sequences (`nextval`), so later inserts by vellum never collide.
 */

export interface SeedOptions {
  /** PostgreSQL URL of the (fresh) database. */
  url: string
  /** The Strapi-layout project holding the reference model. */
  modelDir: string
  articles?: number
  /** `bulk` (default) or `documents`: every article through the Document Service (slow; for checks). */
  articlesVia?: 'bulk' | 'documents'
  /** Show progress on stderr (default true). */
  progress?: boolean
  /** Articles per bulk transaction. */
  batchSize?: number
}

export interface SeedResult {
  articles: number
  seconds: number
  timings: Record<string, number>
  /** documentId of "Article 1". */
  firstArticleDocumentId: string
}

const ARTICLE = 'api::article.article'

interface Ids { categories: number[], authors: number[], tags: number[] }

async function bootVellum (url: string, modelDir: string): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, pluginTimeout: 120_000 })
  await app.register(vellum, { dir: modelDir, database: { url, max: 4 }, permissions: { public: '*' } })
  await app.ready()
  return app
}

/** Creates `count` documents of `uid` one after the other (ids then follow the seed index), returning their row ids. */
async function createDocuments (app: FastifyInstance, uid: string, label: string, count: number, data: (i: number) => Record<string, unknown>, show: boolean): Promise<number[]> {
  const progress = show ? createProgress(label.padEnd(10), count) : undefined
  const ids: number[] = []
  for (let i = 0; i < count; i++) {
    const entry = await app.vellum.documents(uid).create({ data: data(i) })
    ids.push(entry.id)
    progress?.update(i + 1)
  }
  progress?.done()
  return ids
}

const iso = (ms: number): string => new Date(ms).toISOString()

/** `n` fresh ids from the identity sequence of `table`.id. */
async function allocate (tx: postgres.TransactionSql, table: string, n: number): Promise<number[]> {
  const rows = await tx.unsafe<Array<{ id: string | number }>>(
    `SELECT nextval(pg_get_serial_sequence('"${table}"', 'id')) AS "id" FROM generate_series(1, $1::integer) ORDER BY 1`, [n])
  return rows.map(r => Number(r.id))
}

async function insertRecords (tx: postgres.TransactionSql, table: string, columns: Array<[string, string]>, records: Array<Record<string, unknown>>): Promise<void> {
  if (records.length === 0) return
  const names = columns.map(([name]) => `"${name}"`).join(', ')
  const definition = columns.map(([name, type]) => `"${name}" ${type}`).join(', ')
  // json_to_recordset keeps the array order; ORDER BY "__n" makes the identity ids of the rows follow it.
  await tx.unsafe(
    `INSERT INTO "${table}" (${names}) SELECT ${names} FROM json_to_recordset($1::json) AS r(${definition}, "__n" integer) ORDER BY "__n"`,
    // postgres.js serializes a json parameter itself (JSON.stringify): pass the array, not its text.
    [records.map((record, n) => ({ ...record, __n: n })) as never]
  )
}

const ARTICLE_COLUMNS: Array<[string, string]> = [
  ['id', 'integer'], ['document_id', 'varchar'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'],
  ['published_at', 'timestamptz'], ['locale', 'varchar'], ['title', 'varchar'], ['slug', 'varchar'], ['body', 'text'],
  ['views', 'integer'], ['rating', 'numeric'], ['published_date', 'date'], ['featured', 'boolean'], ['kind', 'varchar'],
  ['metadata', 'jsonb']
]

/** Running positions of the linking rows per target (the `article_ord` of each inverse side). */
function counter (): (target: number) => number {
  const next = new Map<number, number>()
  return (target) => {
    const n = (next.get(target) ?? 0) + 1
    next.set(target, n)
    return n
  }
}

async function bulkArticles (url: string, set: DataSet, ids: Ids, batchSize: number, show: boolean): Promise<string> {
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  const progress = show ? createProgress('articles  ', set.articles) : undefined
  const categoryOrd = counter()
  const authorOrd = counter()
  const tagOrd = counter()
  const t0 = Date.now()
  let first = ''
  try {
    for (let start = 0; start < set.articles; start += batchSize) {
      const end = Math.min(set.articles, start + batchSize)
      const rowsPerBatch = 2 * (end - start)
      await sql.begin(async (tx) => {
        const [articleIds, seoIds, quoteIds, textIds] = await Promise.all([
          allocate(tx, 'articles', rowsPerBatch),
          allocate(tx, 'components_shared_seos', rowsPerBatch),
          allocate(tx, 'components_shared_quotes', rowsPerBatch),
          allocate(tx, 'components_shared_rich_texts', rowsPerBatch)
        ])
        const articles: Array<Record<string, unknown>> = []
        const seos: Array<Record<string, unknown>> = []
        const quotes: Array<Record<string, unknown>> = []
        const texts: Array<Record<string, unknown>> = []
        const cmps: Array<Record<string, unknown>> = []
        const categoryLinks: Array<Record<string, unknown>> = []
        const authorLinks: Array<Record<string, unknown>> = []
        const tagLinks: Array<Record<string, unknown>> = []
        let r = 0
        for (let i = start; i < end; i++) {
          const data = set.article(i)
          const links = set.links(i)
          const documentId = createDocumentId()
          if (i === 0) first = documentId
          const created = t0 + 2 * i
          const { seo, blocks, ...scalars } = data
          const [quote, text] = blocks
          for (const published of [false, true]) {
            const id = articleIds[r] as number
            const seoId = seoIds[r] as number
            const quoteId = quoteIds[r] as number
            const textId = textIds[r] as number
            r++
            articles.push({
              id,
              document_id: documentId,
              created_at: iso(created),
              updated_at: iso(published ? created + 1 : created),
              published_at: published ? iso(created + 1) : null,
              locale: 'en',
              title: scalars.title,
              slug: scalars.slug,
              body: scalars.body,
              views: scalars.views,
              rating: scalars.rating,
              published_date: scalars.publishedDate,
              featured: scalars.featured,
              kind: scalars.kind,
              metadata: scalars.metadata
            })
            seos.push({ id: seoId, meta_title: seo.metaTitle, meta_description: seo.metaDescription })
            quotes.push({ id: quoteId, text: quote.text, author: quote.author })
            texts.push({ id: textId, body: text.body })
            cmps.push(
              { entity_id: id, cmp_id: seoId, component_type: 'shared.seo', field: 'seo', order: 1 },
              { entity_id: id, cmp_id: quoteId, component_type: 'shared.quote', field: 'blocks', order: 1 },
              { entity_id: id, cmp_id: textId, component_type: 'shared.rich-text', field: 'blocks', order: 2 }
            )
            const category = ids.categories[links.category] as number
            const author = ids.authors[links.author] as number
            categoryLinks.push({ article_id: id, category_id: category, article_ord: categoryOrd(category) })
            authorLinks.push({ article_id: id, author_id: author, article_ord: authorOrd(author) })
            links.tags.forEach((t, index) => {
              const tag = ids.tags[t] as number
              tagLinks.push({ article_id: id, tag_id: tag, tag_ord: index + 1, article_ord: tagOrd(tag) })
            })
          }
        }
        await insertRecords(tx, 'articles', ARTICLE_COLUMNS, articles)
        await Promise.all([
          insertRecords(tx, 'components_shared_seos', [['id', 'integer'], ['meta_title', 'varchar'], ['meta_description', 'text']], seos),
          insertRecords(tx, 'components_shared_quotes', [['id', 'integer'], ['text', 'text'], ['author', 'varchar']], quotes),
          insertRecords(tx, 'components_shared_rich_texts', [['id', 'integer'], ['body', 'text']], texts)
        ])
        await Promise.all([
          insertRecords(tx, 'articles_cmps', [['entity_id', 'integer'], ['cmp_id', 'integer'], ['component_type', 'varchar'], ['field', 'varchar'], ['order', 'double precision']], cmps),
          insertRecords(tx, 'articles_category_lnk', [['article_id', 'integer'], ['category_id', 'integer'], ['article_ord', 'double precision']], categoryLinks),
          insertRecords(tx, 'articles_author_lnk', [['article_id', 'integer'], ['author_id', 'integer'], ['article_ord', 'double precision']], authorLinks),
          insertRecords(tx, 'articles_tags_lnk', [['article_id', 'integer'], ['tag_id', 'integer'], ['tag_ord', 'double precision'], ['article_ord', 'double precision']], tagLinks)
        ])
      })
      progress?.update(end)
    }
    progress?.done()
  } finally {
    await sql.end({ timeout: 5 })
  }
  return first
}

async function documentArticles (app: FastifyInstance, set: DataSet, show: boolean): Promise<string> {
  const documents = (uid: string) => app.vellum.documents(uid)
  const lookup = async (uid: string): Promise<Map<number, string>> => {
    const rows = await documents(uid).findMany({ fields: ['id'], pagination: { limit: -1 } } as never)
    return new Map(rows.map(r => [r.id, r.documentId]))
  }
  return await lookupAndCreate()

  async function lookupAndCreate (): Promise<string> {
    const [categories, authors, tags] = await Promise.all([
      lookup('api::category.category'), lookup('api::author.author'), lookup('api::tag.tag')
    ])
    const byIndex = (map: Map<number, string>): string[] => [...map.entries()].sort((a, b) => a[0] - b[0]).map(([, d]) => d)
    const c = byIndex(categories)
    const a = byIndex(authors)
    const t = byIndex(tags)
    const progress = show ? createProgress('articles  ', set.articles) : undefined
    let first = ''
    for (let i = 0; i < set.articles; i++) {
      const links = set.links(i)
      const entry = await documents(ARTICLE).create({
        status: 'published',
        data: {
          ...set.article(i),
          category: { connect: [c[links.category]] },
          author: { connect: [a[links.author]] },
          tags: { connect: links.tags.map(x => t[x]) }
        }
      } as never)
      if (i === 0) first = entry.documentId
      progress?.update(i + 1)
    }
    progress?.done()
    return first
  }
}

/** Seeds the data set; the database must be empty (vellum's sync creates the tables). */
export async function seed (options: SeedOptions): Promise<SeedResult> {
  const show = options.progress ?? true
  const set = createDataSet(options.articles ?? DEFAULT_ARTICLES)
  const timings: Record<string, number> = {}
  const t0 = performance.now()
  let mark = t0
  const lap = (name: string): void => {
    const now = performance.now()
    timings[name] = Number(((now - mark) / 1000).toFixed(2))
    mark = now
  }
  const app = await bootVellum(options.url, options.modelDir)
  let first: string
  try {
    lap('boot + sync')
    const ids: Ids = {
      categories: await createDocuments(app, 'api::category.category', 'categories', N_CATEGORIES, i => ({ ...categoryData(i) }), show),
      authors: await createDocuments(app, 'api::author.author', 'authors', N_AUTHORS, i => ({ ...authorData(i) }), show),
      tags: await createDocuments(app, 'api::tag.tag', 'tags', N_TAGS, i => ({ ...tagData(i) }), show)
    }
    lap('categories, authors, tags')
    first = options.articlesVia === 'documents'
      ? await documentArticles(app, set, show)
      : await bulkArticles(options.url, set, ids, options.batchSize ?? 500, show)
    lap('articles')
    await app.vellum.documents('api::homepage.homepage').create({ status: 'published', data: { ...HOMEPAGE, hero: { ...HOMEPAGE.hero } } } as never)
    lap('homepage')
  } finally {
    await app.close()
  }
  // Fresh statistics and visibility maps: without them the first minutes of the benchmark would race autovacuum.
  const sql = postgres(options.url, { max: 1, onnotice: () => {} })
  try {
    await sql.unsafe('VACUUM ANALYZE')
  } finally {
    await sql.end({ timeout: 5 })
  }
  lap('vacuum analyze')
  return { articles: set.articles, seconds: Number(((performance.now() - t0) / 1000).toFixed(2)), timings, firstArticleDocumentId: first }
}
