/**
 * Checks that the bulk seed writes exactly what the Document Service writes: seeds a sample of articles
 * both ways into two fresh databases, then compares every table row by row and vellum's responses to the
 * scenario requests (documentIds and timestamps, the only values that differ by nature, are canonicalized).
 *
 *   node --import tsx benchmarks/seed/check.ts [ARTICLES=60]
 *
 * Exits 1 on the first difference, printing it.
 */
import { isDeepStrictEqual } from 'node:util'
import Fastify from 'fastify'
import postgres from 'postgres'
import vellum from '../../lib/plugin.js'
import { adminUrl, createDatabase, dropDatabase, MODEL_DIR } from '../env.js'
import { seed } from './seed.js'

type Row = Record<string, unknown>

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/

/** documentIds → their order of first appearance; timestamps → a marker; everything else kept. */
function canonicalizer (): (value: unknown, key?: string) => unknown {
  const documents = new Map<string, string>()
  const visit = (value: unknown, key?: string): unknown => {
    if (value instanceof Date) return '<time>'
    if (Array.isArray(value)) return value.map(v => visit(v))
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, visit(v, k)]))
    }
    if (typeof value === 'string' && (key === 'documentId' || key === 'document_id')) {
      let id = documents.get(value)
      if (id === undefined) {
        id = `<doc ${documents.size}>`
        documents.set(value, id)
      }
      return id
    }
    if (typeof value === 'string' && TIMESTAMP.test(value)) return '<time>'
    return value
  }
  return visit
}

async function dumpTables (url: string): Promise<Map<string, Row[]>> {
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  try {
    const tables = await sql<Array<{ name: string }>>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'vellum_schema' ORDER BY 1`
    const out = new Map<string, Row[]>()
    const canonical = canonicalizer()
    for (const { name } of tables) {
      const rows = await sql.unsafe<Row[]>(`SELECT * FROM "${name}" ORDER BY "id"`)
      out.set(name, rows.map(r => canonical(r) as Row))
    }
    return out
  } finally {
    await sql.end({ timeout: 5 })
  }
}

async function responses (url: string, paths: (first: string) => string[]): Promise<Map<string, unknown>> {
  const app = Fastify({ logger: false })
  await app.register(vellum, { dir: MODEL_DIR, database: { url, max: 2 }, permissions: { public: '*' } })
  await app.ready()
  try {
    const canonical = canonicalizer()
    const first = JSON.parse((await app.inject('/api/articles?filters[slug][$eq]=article-1&fields[0]=title')).body) as { data: Array<{ documentId: string }> }
    const documentId = first.data[0]?.documentId ?? ''
    const out = new Map<string, unknown>()
    for (const path of paths(documentId)) {
      const res = await app.inject(path)
      out.set(path.replace(documentId, '<article-1>'), { status: res.statusCode, body: canonical(JSON.parse(res.body)) })
    }
    return out
  } finally {
    await app.close()
  }
}

function firstDifference (a: unknown, b: unknown, path = ''): string | undefined {
  if (isDeepStrictEqual(a, b)) return undefined
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const keysA = Object.keys(a)
    const keysB = Object.keys(b)
    if (keysA.join() !== keysB.join()) return `${path}: keys [${keysA.join()}] vs [${keysB.join()}]`
    for (const key of keysA) {
      const d = firstDifference((a as Row)[key], (b as Row)[key], `${path}.${key}`)
      if (d !== undefined) return d
    }
  }
  return `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`
}

async function main (): Promise<void> {
  const articles = Number(process.argv[2] ?? 60)
  const admin = adminUrl()
  const viaDocuments = await createDatabase(admin, 'check_docs')
  const viaBulk = await createDatabase(admin, 'check_bulk')
  try {
    process.stderr.write(`seeding ${articles} articles through the Document Service into ${viaDocuments.name}\n`)
    await seed({ url: viaDocuments.url, modelDir: MODEL_DIR, articles, articlesVia: 'documents' })
    process.stderr.write(`seeding ${articles} articles through the bulk path into ${viaBulk.name}\n`)
    // Small batches, so the sample crosses batch boundaries.
    await seed({ url: viaBulk.url, modelDir: MODEL_DIR, articles, articlesVia: 'bulk', batchSize: 7 })

    const [tablesA, tablesB] = await Promise.all([dumpTables(viaDocuments.url), dumpTables(viaBulk.url)])
    let failures = 0
    for (const [name, rowsA] of tablesA) {
      const d = firstDifference(rowsA, tablesB.get(name), name)
      if (d !== undefined) {
        failures++
        process.stderr.write(`table ${d}\n`)
      }
    }
    const paths = (doc: string): string[] => [
      '/api/articles?pagination[pageSize]=100',
      '/api/articles?populate[category]=true&populate[tags]=true&populate[author]=true&pagination[pageSize]=100',
      '/api/articles?filters[views][$gt]=20&sort=views:desc&pagination[pageSize]=10',
      `/api/articles/${doc}?populate=*`,
      '/api/articles?populate=*&pagination[pageSize]=100&status=draft',
      '/api/categories?populate[articles][fields][0]=title',
      '/api/authors?populate=*&pagination[pageSize]=100',
      '/api/tags?populate[articles][fields][0]=slug&pagination[pageSize]=100',
      '/api/homepage?populate=*'
    ]
    const [resA, resB] = await Promise.all([responses(viaDocuments.url, paths), responses(viaBulk.url, paths)])
    for (const [path, a] of resA) {
      const d = firstDifference(a, resB.get(path), path)
      if (d !== undefined) {
        failures++
        process.stderr.write(`response ${d}\n`)
      }
    }
    const rows = [...tablesA.values()].reduce((n, r) => n + r.length, 0)
    process.stdout.write(failures === 0
      ? `seed check: OK, ${tablesA.size} tables (${rows} rows) and ${resA.size} responses identical for ${articles} articles\n`
      : `seed check: ${failures} difference(s)\n`)
    process.exitCode = failures === 0 ? 0 : 1
  } finally {
    await dropDatabase(admin, viaDocuments.name)
    await dropDatabase(admin, viaBulk.name)
  }
}

await main()
