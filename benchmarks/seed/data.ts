/**
 * The reference data set, generated exactly as ../shared/peers/strapi/seed.mjs does (same PRNG, same seed,
 * same draw order), so vellum, the baseline and the Strapi peer hold the same content: names, slugs, the
 * views permutation, ratings, dates, kinds, relations, components and dynamic-zone blocks. Only ids,
 * documentIds and timestamps differ (the server makes them).
 */

export const SEED = 20240101
export const N_CATEGORIES = 10
export const N_AUTHORS = 100
export const N_TAGS = 50
export const DEFAULT_ARTICLES = 10_000

/** mulberry32, as in seed.mjs. */
function mulberry32 (seed: number): () => number {
  let a = seed
  return function () {
    a |= 0
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0')
export const KINDS = ['news', 'review', 'opinion'] as const
const DAY_MS = 86_400_000
const Y2024 = Date.UTC(2024, 0, 1)

export interface CategoryData { name: string, slug: string, description: string }
export interface AuthorData { name: string, email: string, bio: string, internalNote: string }
export interface TagData { name: string }
export interface ArticleData {
  title: string
  slug: string
  body: string
  views: number
  rating: number
  publishedDate: string
  featured: boolean
  kind: typeof KINDS[number]
  metadata: { index: number, source: string, words: number }
  seo: { metaTitle: string, metaDescription: string }
  blocks: [
    { __component: 'shared.quote', text: string, author: string },
    { __component: 'shared.rich-text', body: string }
  ]
}
/** Indexes (0-based) into the categories, authors and tags lists; tags in connect order. */
export interface ArticleLinks { category: number, author: number, tags: [number, number, number] }

export function categoryData (i: number): CategoryData {
  const n = i + 1
  return { name: `Category ${n}`, slug: `category-${n}`, description: `Description of category ${n}.` }
}

export function authorData (i: number): AuthorData {
  const n = i + 1
  return { name: `Author ${pad(n, 3)}`, email: `author${n}@example.com`, bio: `Author ${n} writes about topic ${i % 10}.`, internalNote: `private note ${n}` }
}

export function tagData (i: number): TagData {
  return { name: `tag-${pad(i + 1, 2)}` }
}

export const HOMEPAGE = { title: 'Welcome to the blog', hero: { metaTitle: 'Home', metaDescription: 'The seeded homepage.' } }

export interface DataSet {
  articles: number
  article: (i: number) => ArticleData
  links: (i: number) => ArticleLinks
}

/** The article generator for `articles` articles: the views permutation and ratings are drawn once, in seed.mjs's order. */
export function createDataSet (articles = DEFAULT_ARTICLES): DataSet {
  const rand = mulberry32(SEED)
  const views = Array.from({ length: articles }, (_, i) => i)
  for (let i = articles - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    const swap = views[i] as number
    views[i] = views[j] as number
    views[j] = swap
  }
  const ratings = Array.from({ length: articles }, () => Math.round(rand() * 50) / 10)
  return {
    articles,
    article (i) {
      const n = i + 1
      const kind = KINDS[i % 3] as typeof KINDS[number]
      return {
        title: `Article ${n}`,
        slug: `article-${n}`,
        body: `# Article ${n}\n\nThis is the body of article ${n}. It is of kind ${kind}.`,
        views: views[i] as number,
        rating: ratings[i] as number,
        publishedDate: new Date(Y2024 + Math.floor((i * 366) / articles) * DAY_MS).toISOString().slice(0, 10),
        featured: i % 7 === 0,
        kind,
        metadata: { index: i, source: 'seed', words: 10 + (i % 90) },
        seo: { metaTitle: `Article ${n} | Blog`, metaDescription: `Meta description for article ${n}.` },
        blocks: [
          { __component: 'shared.quote', text: `Quote for article ${n}.`, author: `Quoted person ${i % 25}` },
          { __component: 'shared.rich-text', body: `Rich **text** block for article ${n}.` }
        ]
      }
    },
    links (i) {
      return { category: i % N_CATEGORIES, author: i % N_AUTHORS, tags: [i % N_TAGS, (i + 17) % N_TAGS, (i + 33) % N_TAGS] }
    }
  }
}
