/**
 * Articles in every publication cohort (contract §27.2), en and fr, with a category (no draft & publish)
 * linking them, for the publicationFilter tests of the Document Service and of REST.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Documents } from '../../lib/document/index.js'
import type { QueryEngine } from '../../lib/query/index.js'
import { ARTICLE, CATEGORY } from './blog-model.js'

export interface Cohorts {
  /** en: a draft never published; fr: published (pair-scoped vs document-scoped). */
  enDraftFrPublished: string
  /** en: published, its draft updated since. */
  modified: string
  /** en: published, its draft untouched since. */
  unmodified: string
  /** en: a draft only, no locale ever published. */
  neverPublished: string
  /** en: a published row whose draft row is gone. */
  withoutDraft: string
  category: string
}

export const COHORT_VALUES = [
  'never-published', 'has-published-version', 'modified', 'unmodified', 'never-published-document',
  'has-published-version-document', 'published-without-draft', 'published-with-draft'
] as const

export async function seedCohorts (documents: Documents, db: QueryEngine): Promise<Cohorts> {
  const articles = documents(ARTICLE)
  const create = async (title: string, status?: 'published'): Promise<string> =>
    (await articles.create({ data: { title }, ...(status !== undefined && { status }) })).documentId
  const enDraftFrPublished = await create('A')
  await articles.update({ documentId: enDraftFrPublished, locale: 'fr', data: { title: 'A fr' }, status: 'published' })
  const modified = await create('B', 'published')
  const unmodified = await create('C', 'published')
  const neverPublished = await create('D')
  const withoutDraft = await create('E', 'published')
  await db.query(ARTICLE).delete({ where: { documentId: withoutDraft, publishedAt: { $null: true } } })
  // Timestamps have millisecond precision: the draft's update must come strictly after the publication.
  await sleep(5)
  await articles.update({ documentId: modified, data: { title: 'B2' } })
  const ids = [enDraftFrPublished, modified, unmodified, neverPublished, withoutDraft]
  const category = (await documents(CATEGORY).create({ data: { name: 'All', articles: ids } })).documentId
  return { enDraftFrPublished, modified, unmodified, neverPublished, withoutDraft, category }
}
