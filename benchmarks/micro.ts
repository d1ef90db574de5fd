/**
 * tinybench micro-benchmark of vellum's CPU work for scenario (b), step by step, on real rows of a seeded
 * database: `GET /api/articles?populate[category]=true&populate[tags]=true&populate[author]=true`.
 *
 *   node --import tsx benchmarks/micro.ts      (creates, seeds and drops its own database)
 *
 * The steps are the ones a repeated request goes through (lib/http/index.ts → core controller → service →
 * Document Service → Query Engine): the query string (parsed once per string, then copied), validateQuery (a
 * query found valid before: its content key), sanitizeQuery, the Document Service's read plan (buildRead:
 * populate converted once per content, the whole read parsed once by parseFind, its select plan kept per
 * content; the Query Engine runs that plan), the statement of the query's shape (the select tree's key kept with its plan), decoding the
 * 25 JSON rows (JSON.parse, done by postgres.js) and building entries (buildRow), shapeRows, sanitizeOutput
 * and the final JSON.stringify (Fastify's default serializer, no response schema). The work done once per
 * query string or shape is measured apart. Step 12 is the pass-through's whole CPU work before PostgreSQL
 * (core controller and service, nothing listening): its plan is kept with the query's validation. Only PostgreSQL's time and the HTTP layer are left out.
 */
import { pathToFileURL } from 'node:url'
import { PgDialect } from 'drizzle-orm/pg-core'
import Fastify from 'fastify'
import postgres from 'postgres'
import { Bench } from 'tinybench'
import { createServiceContext } from '../lib/document/context.js'
import { buildRead, type ReadScope } from '../lib/document/index.js'
import { shapeRows } from '../lib/document/output.js'
import { scopeWhere } from '../lib/document/params.js'
import type { RequestContext } from '../lib/hooks/index.js'
import { guardsFor } from '../lib/http/guards.js'
import { createQueryStringParser, parseQueryString, sanitizeQuery, validateQuery } from '../lib/http/query/index.js'
import { sanitizeOutput } from '../lib/http/sanitize/index.js'
import { silentLogger } from '../lib/logger.js'
import vellum from '../lib/plugin.js'
import { compileFind, contentKey, parseFind } from '../lib/query/index.js'
import { buildRow } from '../lib/query/select.js'
import { createStatementCache } from '../lib/query/statements.js'
import { adminUrl, createDatabase, dropDatabase, MODEL_DIR } from './env.js'
import { seed } from './seed/seed.js'

const UID = 'api::article.article'
const RAW = 'populate%5Bcategory%5D=true&populate%5Btags%5D=true&populate%5Bauthor%5D=true'

export interface MicroRow { step: string, meanUs: number, p50Us: number, p99Us: number, opsPerSec: number }

export async function runMicro (databaseUrl: string, { time = 1000 } = {}): Promise<MicroRow[]> {
  const app = Fastify({ logger: false })
  await app.register(vellum, { dir: MODEL_DIR, database: { url: databaseUrl, max: 2 }, permissions: { public: '*' } })
  await app.ready()
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} })
  try {
    const { schema, config } = app.vellum
    const catalog = app.vellum.db.catalog
    const rest = config.rest
    const model = schema.contentTypes.get(UID)
    if (model === undefined) throw new Error(`no ${UID} in the model`)
    const ctx = createServiceContext(app.vellum.db, schema, config.i18n, silentLogger)
    const dialect = new PgDialect()
    const canRead = (): boolean => true
    const scope: ReadScope = { status: 'published', locale: 'en' }

    // The request's data, computed once by the same steps, for the steps after each.
    const query = parseQueryString(RAW, rest)
    const sanitized = sanitizeQuery(query, UID, { schema, canRead })
    const readInput = { fields: sanitized.fields, filters: sanitized.filters, sort: sanitized.sort, populate: sanitized.populate, _q: sanitized._q, limit: 25, offset: 0 }
    const read = (): ReturnType<typeof buildRead> => buildRead(ctx, model, readInput, scope, scopeWhere(model, scope))
    const plan = read()
    const engineParams = plan.plan.params
    const find = plan.plan.find
    const statements = createStatementCache()
    const compiled = statements.find(find, { total: true })
    const rows = await sql.unsafe<Array<{ row: unknown }>>(compiled.sql, compiled.params as never[])
    const texts = rows.map(r => typeof r.row === 'string' ? r.row : JSON.stringify(r.row))
    if (texts.length !== 25) throw new Error(`expected 25 rows, got ${texts.length}: is the database seeded?`)
    const entries = texts.map(t => buildRow(find.select, JSON.parse(t)))
    const shaped = shapeRows(plan.output, entries.map(e => ({ ...e })))
    const output = sanitizeOutput(shaped, UID, { schema, canRead })
    const meta = { pagination: { page: 1, pageSize: 25, pageCount: 400, total: 10000 } }

    const parseRepeated = createQueryStringParser(rest)
    const validate = (): void => { validateQuery(query, UID, { catalog, rest, action: 'find', kind: 'collectionType', canRead, locales: config.i18n.locales }) }
    // The pass-through (core controller and service, nothing listening): the plan kept with the validation.
    const guards = guardsFor(model, app.vellum)
    const state = { route: { handler: `${UID}.find` }, auth: { canRead } }
    const planText = (q: Record<string, unknown>): ReturnType<typeof guards.textPlan>['plan'] =>
      app.vellum.documents(UID).planText('findMany', { ...q, status: 'published', start: 0, limit: 25 })
    const passThrough = (): void => {
      const ctx = { query: parseRepeated(RAW), state } as unknown as RequestContext
      const { plan } = guards.textPlan(ctx, planText)
      statements.find(plan.read.find, { total: true, wire: true, kept: true })
    }
    const bench = new Bench({ time, warmupTime: Math.min(200, time / 4) })
    bench
      .add('1. query string, repeated (kept parse, copied)', () => { parseRepeated(RAW) })
      .add('2. validateQuery, repeated (content key of a query found valid)', () => { contentKey(query) })
      .add('3. sanitizeQuery', () => { sanitizeQuery(query, UID, { schema, canRead }) })
      .add('4. Document Service read plan (buildRead: populate converted, the read parsed once)', () => { read() })
      .add('5. (no longer per request: the engine runs the plan) Query Engine parse (parseFind)', () => { parseFind(catalog, UID, engineParams) })
      .add('6. statement of the shape, cached (shape key + values)', () => { statements.find(find, { total: true }) })
      .add('7. decode 25 rows (JSON.parse)', () => { for (const t of texts) JSON.parse(t) })
      .add('8. JSON.parse + buildRow, 25 rows', () => { for (const t of texts) buildRow(find.select, JSON.parse(t)) })
      .add('9. shapeRows', () => { shapeRows(plan.output, entries) })
      .add('10. sanitizeOutput', () => { sanitizeOutput(shaped, UID, { schema, canRead }) })
      .add('11. JSON.stringify response', () => { JSON.stringify({ data: output, meta }) })
      .add('12. pass-through, repeated: query string, validated plan (one cache hit), its kept statement', passThrough)
      .add('(once per query string) qs parse', () => { parseQueryString(RAW, rest) })
      .add('(once per query and caller) validateQuery', validate)
      .add('(once per shape) compileFind + SQL text (Drizzle dialect)', () => { dialect.sqlToQuery(compileFind(find, { total: true })) })
      .add('all steps, repeated (one request\'s CPU work outside PostgreSQL and HTTP)', async () => {
        const q = parseRepeated(RAW)
        contentKey(q)
        const s = sanitizeQuery(q, UID, { schema, canRead })
        const p = buildRead(ctx, model, { fields: s.fields, filters: s.filters, sort: s.sort, populate: s.populate, _q: s._q, limit: 25, offset: 0 }, scope, scopeWhere(model, scope))
        const f = p.plan.find
        statements.find(f, { total: true })
        const built = texts.map(t => buildRow(f.select, JSON.parse(t)))
        const out = sanitizeOutput(shapeRows(p.output, built), UID, { schema, canRead })
        JSON.stringify({ data: out, meta })
      })
    await bench.run()
    return bench.tasks.map((task) => {
      const r = task.result
      if (r.state !== 'completed') return { step: `${task.name} (${r.state})`, meanUs: NaN, p50Us: NaN, p99Us: NaN, opsPerSec: NaN }
      return { step: task.name, meanUs: r.latency.mean * 1000, p50Us: r.latency.p50 * 1000, p99Us: r.latency.p99 * 1000, opsPerSec: r.throughput.mean }
    })
  } finally {
    await sql.end({ timeout: 5 })
    await app.close()
  }
}

export function microTable (rows: MicroRow[]): string {
  const lines = ['| step | mean µs | p50 µs | p99 µs | ops/s |', '|---|---:|---:|---:|---:|']
  for (const r of rows) lines.push(`| ${r.step} | ${r.meanUs.toFixed(1)} | ${r.p50Us.toFixed(1)} | ${r.p99Us.toFixed(1)} | ${Math.round(r.opsPerSec)} |`)
  return lines.join('\n')
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const admin = adminUrl()
  const db = await createDatabase(admin, 'micro')
  try {
    await seed({ url: db.url, modelDir: MODEL_DIR, articles: 200, progress: false })
    process.stdout.write(`${microTable(await runMicro(db.url))}\n`)
  } finally {
    await dropDatabase(admin, db.name)
  }
}
