/**
 * The scenarios of ../shared/peers/strapi/bench.sh, with its URLs byte for byte (brackets and `$` encoded as
 * a browser would send them) and its POST body.
 */

export type ScenarioId = 'a' | 'b' | 'c' | 'd' | 'e' | 'f'

export interface Fixtures {
  /** documentId of "Article 1". */
  article: string
  /** documentId of "Category 1". */
  category: string
  /** documentIds of tag-01, tag-02, tag-03. */
  tags: string[]
}

export interface Scenario {
  id: ScenarioId
  label: string
  method: 'GET' | 'POST'
  /** Populate depth of the request (for the SQL round-trip target: at most 1 + depth). */
  populateDepth: number
  path: (fixtures: Fixtures) => string
  body?: (fixtures: Fixtures) => string
}

/** autocannon does not URL-encode; bench.sh encodes `[`, `]` and `$` so every server sees the same bytes. */
export function encodePath (path: string): string {
  return path.replace(/\[/g, '%5B').replace(/\]/g, '%5D').replace(/\$/g, '%24')
}

export const SCENARIOS: Scenario[] = [
  { id: 'a', label: 'list', method: 'GET', populateDepth: 0, path: () => '/api/articles' },
  {
    id: 'b',
    label: 'list + populate category, tags, author',
    method: 'GET',
    populateDepth: 1,
    path: () => '/api/articles?populate[category]=true&populate[tags]=true&populate[author]=true'
  },
  {
    id: 'c',
    label: 'filter views > 5000, sort views:desc, pageSize 10',
    method: 'GET',
    populateDepth: 0,
    path: () => '/api/articles?filters[views][$gt]=5000&sort=views:desc&pagination[pageSize]=10'
  },
  { id: 'd', label: 'one article, populate=*', method: 'GET', populateDepth: 1, path: (x) => `/api/articles/${x.article}?populate=*` },
  { id: 'e', label: 'categories + article titles', method: 'GET', populateDepth: 1, path: () => '/api/categories?populate[articles][fields][0]=title' },
  {
    id: 'f',
    label: 'POST article with relation connects',
    method: 'POST',
    populateDepth: 0,
    path: () => '/api/articles',
    body: (x) => JSON.stringify({ data: { title: 'bench-post', views: 42, category: { connect: [x.category] }, tags: { connect: x.tags } } })
  }
]

/** The fixtures, looked up through the API itself by their seeded names (as bench.sh does). */
export async function lookupFixtures (base: string): Promise<Fixtures> {
  const get = async (path: string): Promise<{ data: Array<{ documentId: string }> }> => {
    const res = await fetch(base + encodePath(path))
    if (!res.ok) throw new Error(`GET ${path} -> ${res.status}`)
    return await res.json() as { data: Array<{ documentId: string }> }
  }
  const [article, category, tags] = await Promise.all([
    get('/api/articles?filters[slug][$eq]=article-1&fields[0]=title'),
    get('/api/categories?filters[name][$eq]=Category%201'),
    get('/api/tags?filters[name][$in][0]=tag-01&filters[name][$in][1]=tag-02&filters[name][$in][2]=tag-03&sort=name')
  ])
  const first = (r: { data: Array<{ documentId: string }> }, what: string): string => {
    const id = r.data[0]?.documentId
    if (id === undefined) throw new Error(`fixture ${what} not found: is the database seeded?`)
    return id
  }
  return { article: first(article, 'article-1'), category: first(category, 'Category 1'), tags: tags.data.map(t => t.documentId) }
}
