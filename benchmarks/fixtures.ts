import { isDeepStrictEqual } from 'node:util'
import postgres from 'postgres'
import { encodePath, type Fixtures, type Scenario } from './scenarios.js'
import type { WireCounts } from './wire-counter.js'

/** What surrounds the measurements: removing the POST scenario's articles, and checking both servers agree. */

/** The fixtures read from the tables (for tools that start the baseline alone, which has no filters on categories). */
export async function fixturesFromDatabase (databaseUrl: string): Promise<Fixtures> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} })
  try {
    const [article] = await sql<Array<{ d: string }>>`SELECT "document_id" AS d FROM "articles" WHERE "slug" = 'article-1' AND "published_at" IS NOT NULL`
    const [category] = await sql<Array<{ d: string }>>`SELECT "document_id" AS d FROM "categories" WHERE "name" = 'Category 1'`
    const tags = await sql<Array<{ d: string }>>`SELECT "document_id" AS d FROM "tags" WHERE "name" IN ('tag-01', 'tag-02', 'tag-03') ORDER BY "name"`
    if (article === undefined || category === undefined) throw new Error('fixtures not found: is the database seeded?')
    return { article: article.d, category: category.d, tags: tags.map(t => t.d) }
  } finally {
    await sql.end({ timeout: 5 })
  }
}

/** Deletes the articles scenario (f) created (their links go with them: ON DELETE CASCADE), then re-analyzes. */
export async function removePosts (databaseUrl: string): Promise<number> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} })
  try {
    const deleted = await sql`DELETE FROM "articles" WHERE "title" = 'bench-post'`
    await sql.unsafe('VACUUM ANALYZE "articles", "articles_category_lnk", "articles_tags_lnk"')
    return deleted.count
  } finally {
    await sql.end({ timeout: 5 })
  }
}

async function request (base: string, scenario: Scenario, fixtures: Fixtures): Promise<{ status: number, body: unknown }> {
  const res = await fetch(base + encodePath(scenario.path(fixtures)), {
    method: scenario.method,
    ...(scenario.body !== undefined && { body: scenario.body(fixtures), headers: { 'content-type': 'application/json' } })
  })
  const text = await res.text()
  return { status: res.status, body: text === '' ? null : JSON.parse(text) as unknown }
}

const GENERATED = new Set(['id', 'documentId', 'createdAt', 'updatedAt', 'publishedAt'])

/** Values a create generates (ids, documentIds, timestamps) masked; the rest compared as is. */
function maskGenerated (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskGenerated)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, GENERATED.has(k) && v !== null ? '<generated>' : maskGenerated(v)]))
  }
  return value
}

export interface Agreement { same: boolean, detail: string, bytes: { vellum: number, baseline: number } }

/**
 * Sends the scenario's request to both servers and compares the answers: status and JSON, key order
 * included (reads must be identical; a create is compared with its generated values masked). `between`
 * runs between the two requests.
 */
export async function compareResponses (scenario: Scenario, fixtures: Fixtures, vellum: string, baseline: string, between: () => Promise<unknown>): Promise<Agreement> {
  const v = await request(vellum, scenario, fixtures)
  // A create changes what the next one generates (its slug): start both from the same data.
  await between()
  const b = await request(baseline, scenario, fixtures)
  const size = (x: unknown): number => Buffer.byteLength(JSON.stringify(x) ?? '')
  const bytes = { vellum: size(v.body), baseline: size(b.body) }
  const [mv, mb] = scenario.method === 'POST' ? [maskGenerated(v.body), maskGenerated(b.body)] : [v.body, b.body]
  if (v.status !== b.status) return { same: false, detail: `status ${v.status} vs ${b.status}`, bytes }
  // Key order matters to clients that print or hash responses: compare the serialized forms.
  if (JSON.stringify(mv) === JSON.stringify(mb)) return { same: true, detail: '', bytes }
  const detail = isDeepStrictEqual(mv, mb) ? 'same values, different key order' : firstDifference(mv, mb, '')
  return { same: false, detail, bytes }
}

function firstDifference (a: unknown, b: unknown, path: string): string {
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a)
    const kb = Object.keys(b)
    if (ka.join() !== kb.join()) return `${path || '.'}: keys [${ka.join()}] vs [${kb.join()}]`
    for (const k of ka) {
      const va = (a as Record<string, unknown>)[k]
      const vb = (b as Record<string, unknown>)[k]
      if (!isDeepStrictEqual(va, vb)) return firstDifference(va, vb, `${path}.${k}`)
    }
  }
  return `${path || '.'}: ${JSON.stringify(a)?.slice(0, 120)} vs ${JSON.stringify(b)?.slice(0, 120)}`
}

/** Sequential requests: `warmup` unmeasured, then the mean wire round trips of `n` (see wire-counter.ts). */
export async function roundTripsPerRequest (
  base: string, scenario: Scenario, fixtures: Fixtures, counter: { reset: () => void, counts: () => WireCounts },
  { warmup, n }: { warmup: number, n: number }
): Promise<WireCounts & { statuses: number[] }> {
  const statuses = new Set<number>()
  for (let i = 0; i < warmup; i++) statuses.add((await request(base, scenario, fixtures)).status)
  counter.reset()
  for (let i = 0; i < n; i++) statuses.add((await request(base, scenario, fixtures)).status)
  const { roundTrips, statements, parses } = counter.counts()
  return { roundTrips: roundTrips / n, statements: statements / n, parses: parses / n, statuses: [...statuses] }
}
