import { ValidationError } from '../errors.js'
import type { Where } from './ast.js'
import type { FieldInfo, ModelInfo } from './model.js'

/**
 * Strapi's publication cohorts (contract §27.2): which rows of a draft & publish type are kept, by whether
 * the other version of their document exists and which one was updated last. The cohort of a row depends on
 * its own status too (`never-published` holds drafts only), so a cohort is a condition on rows of either
 * status, and the caller's status condition narrows it.
 */

export const PUBLICATION_FILTERS = [
  'never-published', 'has-published-version', 'modified', 'unmodified',
  'never-published-document', 'has-published-version-document', 'published-without-draft', 'published-with-draft'
] as const
export type PublicationFilter = typeof PUBLICATION_FILTERS[number]

/** The Query Engine's where key of a cohort: `{ $publication: 'modified' }`, on draft & publish models. */
export const PUBLICATION_KEY = '$publication'

export function isPublicationFilter (value: unknown): value is PublicationFilter {
  return (PUBLICATION_FILTERS as readonly unknown[]).includes(value)
}

const HAS_PUBLISHED_VERSION = new Map<unknown, PublicationFilter>([
  [true, 'has-published-version-document'], ['true', 'has-published-version-document'],
  [false, 'never-published-document'], ['false', 'never-published-document']
])

/**
 * The cohort a find asks for: `publicationFilter`, else the deprecated `hasPublishedVersion` (document-scoped),
 * else none. Strapi's messages and details for a bad value.
 */
export function readPublicationFilter (params: { publicationFilter?: unknown, hasPublishedVersion?: unknown }): PublicationFilter | undefined {
  const { publicationFilter, hasPublishedVersion } = params
  if (publicationFilter !== undefined) {
    if (isPublicationFilter(publicationFilter)) return publicationFilter
    throw new ValidationError(`Invalid value for 'publicationFilter'. Expected one of: ${PUBLICATION_FILTERS.join(', ')}.`, {
      source: 'query', param: 'publicationFilter'
    })
  }
  if (hasPublishedVersion === undefined) return undefined
  const mapped = HAS_PUBLISHED_VERSION.get(hasPublishedVersion)
  if (mapped === undefined) throw new ValidationError("Invalid value for 'hasPublishedVersion'. Expected boolean or 'true'/'false' string.", {})
  return mapped
}

function field (info: ModelInfo, name: string): FieldInfo {
  const found = info.fields.get(name)
  if (found === undefined) throw new Error(`${info.uid} has no ${name}`)
  return found
}

/** The condition of a cohort on rows of a draft & publish model. */
export function publicationWhere (info: ModelInfo, filter: PublicationFilter): Where {
  const publishedAt = field(info, 'publishedAt')
  const isDraft: Where = { kind: 'compare', field: publishedAt, op: '$null', value: null }
  const isPublished: Where = { kind: 'compare', field: publishedAt, op: '$notNull', value: null }
  const version = (status: 'draft' | 'published', sameLocale: boolean, draftNewer?: boolean): Where =>
    ({ kind: 'version', info, status, sameLocale, ...(draftNewer !== undefined && { draftNewer }) })
  const without = (item: Where): Where => ({ kind: 'not', item })
  /** A draft with a published counterpart, or a published row with a draft one. */
  const paired = (sameLocale: boolean, draftNewer?: boolean): Where => ({
    kind: 'or',
    items: [
      { kind: 'and', items: [isDraft, version('published', sameLocale, draftNewer)] },
      { kind: 'and', items: [isPublished, version('draft', sameLocale, draftNewer)] }
    ]
  })
  switch (filter) {
    case 'never-published': return { kind: 'and', items: [isDraft, without(version('published', true))] }
    case 'has-published-version': return paired(true)
    case 'modified': return paired(true, true)
    case 'unmodified': return paired(true, false)
    case 'never-published-document': return { kind: 'and', items: [isDraft, without(version('published', false))] }
    case 'has-published-version-document': return paired(false)
    case 'published-without-draft': return { kind: 'and', items: [isPublished, without(version('draft', true))] }
    case 'published-with-draft': return { kind: 'and', items: [isPublished, version('draft', true)] }
  }
}
