/**
 * `npm run bench:soak` — mixed reads and writes for N minutes from two vellum processes on one PostgreSQL
 * database, then the data's invariants checked in SQL (issue 14).
 *
 *   npm run bench:soak                              10 minutes at -c 50 (25 connections per process)
 *   npm run bench:soak -- --minutes 1 --connections 10
 *
 * Options: --minutes N, --connections N (split between the two processes), --articles N (seeded, default
 * 1000), --hot N (seeded articles every connection races on, default 10), --tsx, --keep-db. The database
 * server comes from BENCH_ADMIN_URL or DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres).
 *
 * Each connection cycles through: create a draft, read a hot article with `populate=*`, publish its own draft,
 * update a hot article's draft, update and publish a hot article, read a populated page, delete then upsert
 * the homepage (a single type), create a published article, update the draft of an article another connection is about
 * to delete, delete both of its own articles. Hot articles and the homepage are written concurrently by both
 * processes; the deletes race the other connections' updates.
 *
 * Reported (stdout, markdown): answers by operation and status (a 404 on the update racing a delete is
 * expected, every other non-2xx is an error; 5xx and socket errors apart), p99 latency per minute and peak RSS
 * per minute for each process, then the invariants: per (document_id, locale) at most one draft and one
 * published row; no published row without its draft; no required column NULL (the soak always sends them); no
 * row left of a document whose DELETE answered 204; one homepage document. Exit code 1 when any error or
 * violation was seen.
 */
import autocannon, { type Request, type RequestSpec } from 'autocannon'
import { parseArgs } from 'node:util'
import postgres from 'postgres'
import { buildPhysicalModel } from '../lib/db/index.js'
import { loadSchema } from '../lib/project/index.js'
import { BUILD_DIR, buildJs } from './build.js'
import { adminUrl, createDatabase, dropDatabase, MODEL_DIR } from './env.js'
import { processMemory } from './machine.js'
import { seed } from './seed/seed.js'
import { freePort, type RunningServer, startServer } from './servers.js'

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    articles: { type: 'string', default: '1000' },
    hot: { type: 'string', default: '10' },
    tsx: { type: 'boolean', default: false },
    'keep-db': { type: 'boolean', default: false }
  }
})

const minutes = Number(args.minutes)
const connections = Number(args.connections)
const articles = Number(args.articles)
const hotCount = Number(args.hot)
for (const [name, value] of Object.entries({ minutes, connections, articles, hot: hotCount })) {
  if (!(value > 0)) throw new Error(`--${name} must be a positive number`)
}

const ARTICLE = 'api::article.article'
const HOMEPAGE = 'api::homepage.homepage'
const log = (message: string): void => { process.stderr.write(`${message}\n`) }

interface Targets { hot: string[], categories: string[], authors: string[], tags: string[] }

/** Seeded documentIds the load writes to and links. */
async function targets (sql: postgres.Sql): Promise<Targets> {
  const ids = async (table: string, limit: number): Promise<string[]> =>
    (await sql.unsafe<Array<{ document_id: string }>>(`SELECT DISTINCT document_id FROM "${table}" ORDER BY document_id LIMIT ${limit}`)).map(r => r.document_id)
  return { hot: await ids('articles', hotCount), categories: await ids('categories', 100), authors: await ids('authors', 100), tags: await ids('tags', 100) }
}

// ---------------------------------------------------------------------------------------------
// the load

/** What the run saw, per process and minute. */
interface Minute {
  latencies: number[]
  statuses: Map<number, number>
  peakRssMiB: number
}

interface ProcessStats { name: string, minutes: Minute[], socketErrors: Map<string, number> }

/** Answers per operation and status, the first body of each error, and the documents whose DELETE answered 204. */
interface Outcomes { byOperation: Map<string, Map<number, number>>, samples: Map<string, string>, deleted: Set<string> }

/** What one step of a cycle sends. */
type Wanted = Pick<Request, 'method' | 'path'> & Partial<Pick<Request, 'headers' | 'body'>>

/** Operations whose non-2xx answers are expected, with those statuses (the document was just deleted). */
const EXPECTED: Record<string, number[]> = { 'update a doomed article': [404] }

const isError = (operation: string, status: number): boolean =>
  (status < 200 || status >= 300) && EXPECTED[operation]?.includes(status) !== true

const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)] as T

function count<K> (map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1)
}

function documentIdOf (body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { data?: { documentId?: unknown } }
    return typeof parsed.data?.documentId === 'string' ? parsed.data.documentId : undefined
  } catch {
    return undefined
  }
}

/**
 * One connection's cycle. `context` is the connection's own (reset by autocannon at each cycle's start);
 * `doomed` are articles created by any connection and deleted later in their cycle: the update racing them.
 */
function cycle (label: string, t: Targets, outcomes: Outcomes, doomed: string[]): RequestSpec[] {
  const json = { 'content-type': 'application/json' }
  let serial = 0
  const article = (): Record<string, unknown> => {
    serial++
    return {
      title: `Soak ${label}-${serial}`,
      views: serial,
      kind: 'news',
      category: pick(t.categories),
      author: pick(t.authors),
      tags: [pick(t.tags), pick(t.tags)]
    }
  }
  const record = (operation: string, onStatus?: (status: number, body: string, context: Record<string, unknown>) => void) =>
    (status: number, body: string, context: Record<string, unknown>): void => {
      let statuses = outcomes.byOperation.get(operation)
      if (statuses === undefined) outcomes.byOperation.set(operation, statuses = new Map())
      count(statuses, status)
      const sample = `${operation}: ${status}`
      if (isError(operation, status) && !outcomes.samples.has(sample)) outcomes.samples.set(sample, body.slice(0, 300))
      onStatus?.(status, body, context)
    }
  const write = (method: string, path: string, data: Record<string, unknown>): Wanted => ({ method, path, headers: json, body: JSON.stringify({ data }) })
  /** A request on the connection's own article `key`; none when its create failed. */
  const own = (key: string, build: (documentId: string) => Wanted) => (context: Record<string, unknown>): Wanted | null => {
    const documentId = context[key]
    return typeof documentId === 'string' ? build(documentId) : null
  }
  /**
   * autocannon's setupRequest: the request autocannon prepared (its defaults and headers) with ours applied;
   * no request (autocannon restarts the cycle, with a fresh context) when there is none to send.
   */
  const on = (build: (context: Record<string, unknown>) => Wanted | null) => (request: Request, context: Record<string, unknown>): Request => {
    const wanted = build(context)
    return (wanted === null ? null : { ...request, ...wanted, headers: { ...request.headers, ...wanted.headers }, body: wanted.body ?? '' }) as Request
  }
  const keep = (key: string, shared: boolean) => (status: number, body: string, context: Record<string, unknown>): void => {
    const documentId = status === 201 ? documentIdOf(body) : undefined
    if (documentId === undefined) return
    context[key] = documentId
    if (shared) doomed.push(documentId)
    if (doomed.length > 1000) doomed.splice(0, 500)
  }
  const deleted = (key: string) => (status: number, _body: string, context: Record<string, unknown>): void => {
    const documentId = context[key]
    if (status === 204 && typeof documentId === 'string') outcomes.deleted.add(documentId)
  }
  return [
    { setupRequest: on(() => write('POST', '/api/articles?status=draft', article())), onResponse: record('create a draft', keep('draft', false)) },
    { setupRequest: on(() => ({ method: 'GET', path: `/api/articles/${pick(t.hot)}?populate=*` })), onResponse: record('read a hot article, populate=*') },
    { setupRequest: on(own('draft', id => write('PUT', `/api/articles/${id}`, { title: `Published ${id}` }))), onResponse: record('publish its draft') },
    { setupRequest: on(() => write('PUT', `/api/articles/${pick(t.hot)}?status=draft`, { views: serial })), onResponse: record('update a hot draft') },
    { setupRequest: on(() => write('PUT', `/api/articles/${pick(t.hot)}`, { title: `Hot ${serial}`, tags: [pick(t.tags)] })), onResponse: record('update and publish a hot article') },
    { setupRequest: on(() => ({ method: 'GET', path: '/api/articles?populate[0]=author&populate[1]=tags&populate[2]=category&pagination[pageSize]=10&sort=updatedAt:desc' })), onResponse: record('read a populated page') },
    { setupRequest: on(() => ({ method: 'DELETE', path: '/api/homepage' })), onResponse: record('delete the homepage') },
    { setupRequest: on(() => write('PUT', '/api/homepage', { title: `Home ${serial}` })), onResponse: record('upsert the homepage') },
    { setupRequest: on(() => write('POST', '/api/articles', article())), onResponse: record('create and publish', keep('published', true)) },
    {
      setupRequest: on(() => doomed.length === 0
        ? { method: 'GET', path: '/api/articles?pagination[pageSize]=1' }
        : write('PUT', `/api/articles/${pick(doomed)}?status=draft`, { views: -1 })),
      onResponse: record('update a doomed article')
    },
    { setupRequest: on(own('draft', id => ({ method: 'DELETE', path: `/api/articles/${id}` }))), onResponse: record('delete its draft article', deleted('draft')) },
    { setupRequest: on(own('published', id => ({ method: 'DELETE', path: `/api/articles/${id}` }))), onResponse: record('delete its published article', deleted('published')) }
  ]
}

function minuteOf (stats: ProcessStats, start: number): Minute {
  // The last answers arrive just after the run's end: they belong to its last minute.
  const index = Math.min(Math.max(0, Math.ceil(minutes) - 1), Math.floor((performance.now() - start) / 60_000))
  while (stats.minutes.length <= index) stats.minutes.push({ latencies: [], statuses: new Map(), peakRssMiB: 0 })
  return stats.minutes[index] as Minute
}

async function load (servers: RunningServer[], t: Targets): Promise<{ stats: ProcessStats[], outcomes: Outcomes }> {
  const outcomes: Outcomes = { byOperation: new Map(), samples: new Map(), deleted: new Set() }
  const doomed: string[] = []
  const start = performance.now()
  const stats = servers.map((server, i): ProcessStats => ({ name: `vellum ${i + 1} (pid ${server.pid})`, minutes: [], socketErrors: new Map() }))
  const sampler = setInterval(() => {
    servers.forEach((server, i) => {
      const minute = minuteOf(stats[i] as ProcessStats, start)
      minute.peakRssMiB = Math.max(minute.peakRssMiB, processMemory(server.pid).rssMiB)
    })
  }, 1000)
  const progress = setInterval(() => { log(`  ${((performance.now() - start) / 60_000).toFixed(1)} / ${minutes} min`) }, 30_000)
  try {
    await Promise.all(servers.map(async (server, i) => {
      const own = stats[i] as ProcessStats
      const instance = autocannon({
        url: server.base,
        connections: Math.max(1, Math.round(connections / servers.length)),
        duration: minutes * 60,
        timeout: 30,
        requests: cycle(String(i + 1), t, outcomes, doomed)
      })
      instance.on('response', (_client, status, _bytes, ms) => {
        const minute = minuteOf(own, start)
        minute.latencies.push(ms)
        count(minute.statuses, status)
      })
      instance.on('reqError', (error) => { count(own.socketErrors, error.message) })
      await instance
    }))
  } finally {
    clearInterval(sampler)
    clearInterval(progress)
  }
  return { stats, outcomes }
}

// ---------------------------------------------------------------------------------------------
// the invariants

interface Violation { check: string, rows: number, sample: unknown[] }

async function checkInvariants (sql: postgres.Sql, deleted: Set<string>): Promise<Violation[]> {
  const schema = await loadSchema({ dir: MODEL_DIR })
  const physical = buildPhysicalModel(schema)
  const violations: Violation[] = []
  const run = async (check: string, text: string, params: unknown[] = []): Promise<void> => {
    const rows = await sql.unsafe<unknown[]>(text, params as never[])
    violations.push({ check, rows: rows.length, sample: rows.slice(0, 5) })
  }
  for (const [uid, contentType] of schema.contentTypes) {
    const tables = physical.get(uid)
    const table = `"${tables.table.name}"`
    const col = (name: string): string => {
      const column = tables.columns[name]
      if (column === undefined) throw new Error(`${uid} has no column for ${name}`)
      return `"${column.name}"`
    }
    const [documentId, locale, publishedAt] = [col('documentId'), col('locale'), col('publishedAt')]
    if (contentType.draftAndPublish) {
      await run(`${uid}: at most one draft and one published row per (document_id, locale)`,
        `SELECT ${documentId} AS document_id, ${locale} AS locale, count(*) FILTER (WHERE ${publishedAt} IS NULL) AS drafts, count(*) FILTER (WHERE ${publishedAt} IS NOT NULL) AS published
         FROM ${table} GROUP BY 1, 2 HAVING count(*) FILTER (WHERE ${publishedAt} IS NULL) > 1 OR count(*) FILTER (WHERE ${publishedAt} IS NOT NULL) > 1`)
      await run(`${uid}: no published row without its draft`,
        `SELECT p.${documentId} AS document_id, p.${locale} AS locale FROM ${table} p WHERE p.${publishedAt} IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM ${table} d WHERE d.${documentId} = p.${documentId} AND d.${locale} IS NOT DISTINCT FROM p.${locale} AND d.${publishedAt} IS NULL)`)
    } else {
      await run(`${uid}: one row per (document_id, locale)`,
        `SELECT ${documentId} AS document_id, ${locale} AS locale, count(*) AS rows FROM ${table} GROUP BY 1, 2 HAVING count(*) > 1`)
    }
    const required = Object.values(contentType.attributes).filter(a => a.type !== 'relation' && a.type !== 'component' && a.type !== 'dynamiczone' && a.required)
    if (required.length > 0) {
      await run(`${uid}: no required column NULL (${required.map(a => a.name).join(', ')})`,
        `SELECT id, ${documentId} AS document_id FROM ${table} WHERE ${required.map(a => `${col(a.name)} IS NULL`).join(' OR ')}`)
    }
    if (contentType.kind === 'singleType') {
      await run(`${uid}: one document`, `SELECT DISTINCT ${documentId} AS document_id FROM ${table} OFFSET 1`)
    }
    if (uid === ARTICLE) {
      await run(`${uid}: nothing left of a document whose DELETE answered 204 (${deleted.size} deleted)`,
        `SELECT id, ${documentId} AS document_id, ${publishedAt} AS published_at FROM ${table} WHERE ${documentId} = ANY($1::text[])`, [[...deleted]])
    }
  }
  if (schema.contentTypes.get(HOMEPAGE) === undefined) throw new Error(`${HOMEPAGE} missing from the model`)
  return violations
}

// ---------------------------------------------------------------------------------------------
// the report

function p99 (latencies: number[]): number {
  if (latencies.length === 0) return NaN
  const sorted = [...latencies].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] as number
}

function report (stats: ProcessStats[], outcomes: Outcomes, violations: Violation[]): { text: string, failed: boolean } {
  const lines: string[] = [`## Soak: ${minutes} min at -c ${connections}, two vellum processes, ${articles} seeded articles, ${hotCount} hot`, '']
  let errors = 0
  lines.push('| operation | answers by status | errors |', '|---|---|---:|')
  for (const [operation, statuses] of [...outcomes.byOperation].sort(([a], [b]) => a.localeCompare(b))) {
    const wrong = [...statuses].filter(([status]) => isError(operation, status)).reduce((sum, [, n]) => sum + n, 0)
    errors += wrong
    lines.push(`| ${operation} | ${[...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`).join(', ')} | ${wrong} |`)
  }
  const serverErrors = stats.reduce((sum, s) => sum + s.minutes.reduce((m, minute) => m + [...minute.statuses].filter(([status]) => status >= 500).reduce((x, [, n]) => x + n, 0), 0), 0)
  const socketErrors = stats.reduce((sum, s) => sum + [...s.socketErrors.values()].reduce((a, b) => a + b, 0), 0)
  errors += socketErrors
  for (const [sample, body] of outcomes.samples) lines.push('', `${sample}, first body: \`${body}\``)
  lines.push('', `errors: ${errors} (5xx: ${serverErrors}, socket errors and timeouts: ${socketErrors}${socketErrors > 0 ? `: ${stats.flatMap(s => [...s.socketErrors].map(([m, n]) => `${m} ×${n}`)).join('; ')}` : ''})`, '')
  lines.push(`| minute | ${stats.map(s => `${s.name}: requests, p99 ms, peak RSS MiB`).join(' | ')} |`, `|---:|${stats.map(() => '---|').join('')}`)
  const length = Math.max(...stats.map(s => s.minutes.length))
  for (let i = 0; i < length; i++) {
    const cells = stats.map(s => {
      const minute = s.minutes[i]
      return minute === undefined ? '' : `${minute.latencies.length}, ${p99(minute.latencies).toFixed(0)}, ${minute.peakRssMiB.toFixed(0)}`
    })
    lines.push(`| ${i + 1} | ${cells.join(' | ')} |`)
  }
  const broken = violations.filter(v => v.rows > 0)
  lines.push('', '| invariant | violations |', '|---|---:|')
  for (const v of violations) lines.push(`| ${v.check} | ${v.rows} |`)
  for (const v of broken) lines.push('', `${v.check}, e.g.: \`${JSON.stringify(v.sample)}\``)
  lines.push('', `result: ${errors} errors, ${broken.reduce((sum, v) => sum + v.rows, 0)} invariant violations`)
  return { text: lines.join('\n'), failed: errors > 0 || broken.length > 0 }
}

// ---------------------------------------------------------------------------------------------

async function main (): Promise<void> {
  const admin = adminUrl()
  const database = await createDatabase(admin, 'soak')
  const servers: RunningServer[] = []
  const sql = postgres(database.url, { max: 2, onnotice: () => {} })
  const cleanup = async (): Promise<void> => {
    for (const server of servers.splice(0)) await server.stop().catch(() => {})
    await sql.end({ timeout: 5 }).catch(() => {})
    if (args['keep-db'] !== true) await dropDatabase(admin, database.name).catch(() => {})
  }
  process.once('SIGINT', () => { cleanup().finally(() => process.exit(130)).catch(() => {}) })
  try {
    log(`database ${database.name}; seeding ${articles} articles`)
    await seed({ url: database.url, modelDir: MODEL_DIR, articles })
    if (args.tsx !== true) log(`transpiled ${await buildJs()} files to ${BUILD_DIR}`)
    for (let i = 0; i < 2; i++) {
      servers.push(await startServer('vellum', { databaseUrl: database.url, port: await freePort(), tsx: args.tsx === true }))
    }
    log(`two vellum processes (pids ${servers.map(s => s.pid).join(', ')}); ${minutes} min at -c ${connections}`)
    const { stats, outcomes } = await load(servers, await targets(sql))
    for (const server of servers.splice(0)) await server.stop()
    const { text, failed } = report(stats, outcomes, await checkInvariants(sql, outcomes.deleted))
    process.stdout.write(`${text}\n`)
    process.exitCode = failed ? 1 : 0
  } finally {
    await cleanup()
  }
}

await main()
