/**
 * publicationFilter (contract §27.2) through the Document Service and the Query Engine: every cohort for
 * draft and published reads, pair vs document scope across locales, findOne/findFirst/count, types without
 * draft & publish, populated relations, hasPublishedVersion and the errors.
 */
import { PgDialect } from 'drizzle-orm/pg-core'
import t from 'tap'
import type { DocumentEntry } from '../../lib/document/index.js'
import { ValidationError } from '../../lib/errors.js'
import { compileFind, planRead } from '../../lib/query/index.js'
import { COHORT_VALUES, seedCohorts } from '../helpers/publication.js'
import { ARTICLE, CATEGORY, rejection, setup } from './helpers.js'

const { documents, db } = await setup(t, { locales: ['en', 'fr'] })
const articles = documents(ARTICLE)
const seeded = await seedCohorts(documents, db)

const titles = (list: unknown): unknown[] => (list as DocumentEntry[] | null | undefined ?? []).map(e => e.title)

async function cohort (params: Parameters<typeof articles.findMany>[0]): Promise<unknown[]> {
  return titles(await articles.findMany({ sort: 'title', ...params }))
}

const EXPECTED: Record<'draft' | 'published', Record<typeof COHORT_VALUES[number], string[]>> = {
  draft: {
    'never-published': ['A', 'D'],
    'has-published-version': ['B2', 'C'],
    modified: ['B2'],
    unmodified: ['C'],
    'never-published-document': ['D'],
    'has-published-version-document': ['A', 'B2', 'C'],
    'published-without-draft': [],
    'published-with-draft': []
  },
  published: {
    'never-published': [],
    'has-published-version': ['B', 'C'],
    modified: ['B'],
    unmodified: ['C'],
    'never-published-document': [],
    'has-published-version-document': ['B', 'C'],
    'published-without-draft': ['E'],
    'published-with-draft': ['B', 'C']
  }
}

t.test('every cohort, for draft and for published reads (default locale)', async (t) => {
  t.same(await cohort({}), ['A', 'B2', 'C', 'D'], 'without a cohort: every draft')
  for (const status of ['draft', 'published'] as const) {
    for (const value of COHORT_VALUES) {
      t.same(await cohort({ status, publicationFilter: value }), EXPECTED[status][value], `${status} ${value}`)
    }
  }
})

t.test('pair-scoped values compare the same locale, -document values any locale', async (t) => {
  t.same(await cohort({ status: 'draft', locale: '*', publicationFilter: 'never-published' }), ['A', 'D'], 'the en draft of A, not its fr one')
  t.same(await cohort({ status: 'draft', locale: '*', publicationFilter: 'never-published-document' }), ['D'])
  t.same(await cohort({ status: 'draft', locale: '*', publicationFilter: 'has-published-version' }), ['A fr', 'B2', 'C'])
  t.same(await cohort({ status: 'draft', locale: 'fr', publicationFilter: 'has-published-version-document' }), ['A fr'])
  t.same(await cohort({ status: 'published', locale: 'fr', publicationFilter: 'published-with-draft' }), ['A fr'])
  t.same(await cohort({ status: 'published', locale: 'fr', publicationFilter: 'published-without-draft' }), [])
})

t.test('ANDed with filters, and counted alike', async (t) => {
  t.same(await cohort({ status: 'published', publicationFilter: 'published-with-draft', filters: { title: { $ne: 'B' } } }), ['C'])
  t.equal(await articles.count({ status: 'draft', publicationFilter: 'never-published' }), 2)
  t.equal(await articles.count({ status: 'published', publicationFilter: 'never-published' }), 0)
})

t.test('findOne and findFirst: a document outside the cohort is not found', async (t) => {
  const documentId = seeded.enDraftFrPublished
  t.equal((await articles.findOne({ documentId, publicationFilter: 'never-published' }))?.title, 'A')
  t.equal(await articles.findOne({ documentId, publicationFilter: 'never-published-document' }), null)
  t.equal((await articles.findOne({ documentId, locale: 'fr', status: 'published', publicationFilter: 'published-with-draft' }))?.title, 'A fr')
  t.equal((await articles.findFirst({ status: 'published', publicationFilter: 'modified' }))?.title, 'B')
  t.equal(await articles.findFirst({ status: 'published', publicationFilter: 'never-published' }), null)
})

t.test('ignored on types without draft & publish; applied to their populated relations', async (t) => {
  const categories = documents(CATEGORY)
  t.equal((await categories.findMany({ publicationFilter: 'never-published' })).length, 1, 'the category is there')
  const populated = async (status: 'draft' | 'published', publicationFilter: typeof COHORT_VALUES[number]): Promise<unknown[]> => {
    const found = await categories.findOne({ documentId: seeded.category, status, publicationFilter, populate: { articles: { sort: 'title' } } })
    return titles(found?.articles)
  }
  t.same(await populated('published', 'modified'), ['B'])
  t.same(await populated('published', 'published-without-draft'), ['E'])
  t.same(await populated('draft', 'never-published'), ['A', 'D'])
  t.same(await populated('draft', 'has-published-version-document'), ['A', 'B2', 'C'])
})

t.test('hasPublishedVersion (deprecated): the -document values; publicationFilter wins', async (t) => {
  for (const value of [true, 'true'] as const) {
    t.same(await cohort({ hasPublishedVersion: value }), EXPECTED.draft['has-published-version-document'], String(value))
    t.same(await cohort({ status: 'published', hasPublishedVersion: value }), EXPECTED.published['has-published-version-document'])
  }
  for (const value of [false, 'false'] as const) {
    t.same(await cohort({ hasPublishedVersion: value }), EXPECTED.draft['never-published-document'], String(value))
    t.same(await cohort({ status: 'published', hasPublishedVersion: value }), [])
  }
  t.same(await cohort({ publicationFilter: 'modified', hasPublishedVersion: false }), ['B2'])
})

t.test('invalid values: Strapi\'s messages', async (t) => {
  const bad = await rejection(articles.findMany({ publicationFilter: 'nope' as 'modified' }))
  t.type(bad, ValidationError)
  t.equal(bad.message, `Invalid value for 'publicationFilter'. Expected one of: ${COHORT_VALUES.join(', ')}.`)
  t.same((bad as ValidationError).details, { source: 'query', param: 'publicationFilter' })
  const alias = await rejection(articles.findOne({ documentId: seeded.modified, hasPublishedVersion: 'yes' as 'true' }))
  t.equal(alias.message, "Invalid value for 'hasPublishedVersion'. Expected boolean or 'true'/'false' string.")
  t.same((alias as ValidationError).details, {})
})

t.test('the Query Engine: $publication in where, one statement with a correlated EXISTS', async (t) => {
  const rows = await db.query(ARTICLE).findMany({ where: { $publication: 'modified', publishedAt: { $null: true } }, select: ['title'] })
  t.same(titles(rows), ['B2'])
  const { sql: text } = new PgDialect().sqlToQuery(compileFind(planRead(db.catalog, ARTICLE, { where: { $publication: 'never-published' } }).find))
  t.match(text, /NOT \(EXISTS \(SELECT 1 FROM "articles" AS "t\d+" WHERE "t\d+"\."document_id" = "t\d+"\."document_id" AND "t\d+"\."locale" IS NOT DISTINCT FROM/)
  const unknown = await rejection(db.query(CATEGORY).findMany({ where: { $publication: 'modified' } }))
  t.equal(unknown.message, 'Invalid key $publication', 'only on draft & publish types')
  const value = await rejection(db.query(ARTICLE).findMany({ where: { $publication: 'nope' } }))
  t.match(value.message, /^Invalid value "nope" for \$publication: expected one of never-published, /)
})
