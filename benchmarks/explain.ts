/**
 * The SQL each server sends for each scenario, with PostgreSQL's own timing (EXPLAIN ANALYZE, best of 5)
 * and, with --plans, the plans. For the findings in RESULTS.md.
 *
 *   node --import tsx benchmarks/explain.ts --db URL [--scenarios a,d] [--plans]
 *
 * vellum's statements come from its trace log (the Drizzle logger, `logSqlParams: true`), the baseline's
 * from postgres.js's `debug` hook; both apps run in-process and are called with `inject`. Read scenarios
 * only: EXPLAIN ANALYZE executes the statement.
 */
import { Writable } from 'node:stream'
import { parseArgs } from 'node:util'
import Fastify from 'fastify'
import postgres from 'postgres'
import vellum from '../lib/plugin.js'
import { buildBaseline } from './baseline/app.js'
import { MODEL_DIR } from './env.js'
import { encodePath, lookupFixtures, SCENARIOS } from './scenarios.js'

const { values: args } = parseArgs({ options: { db: { type: 'string' }, scenarios: { type: 'string', default: 'a,b,c,d,e' }, plans: { type: 'boolean', default: false } } })
if (args.db === undefined) throw new Error('--db URL (a seeded database) is required')
const url = args.db

interface Captured { sql: string, params: unknown[] }

const fromVellum: Captured[] = []
const stream = new Writable({
  write (chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n')) {
      if (line === '') continue
      const entry = JSON.parse(line) as { msg?: string, sql?: string, params?: unknown[] }
      if (entry.msg === 'sql' && typeof entry.sql === 'string') fromVellum.push({ sql: entry.sql, params: entry.params ?? [] })
    }
    done()
  }
})
const app = Fastify({ logger: { level: 'trace', stream } })
await app.register(vellum, { dir: MODEL_DIR, database: { url, max: 2 }, permissions: { public: '*' }, logSqlParams: true })
await app.ready()

const fromBaseline: Captured[] = []
const baselineSql = postgres(url, { max: 2, onnotice: () => {}, debug: (_connection, query, params) => { fromBaseline.push({ sql: query, params: [...params] }) } })
const baseline = buildBaseline({ sql: baselineSql })
await baseline.ready()

const explainSql = postgres(url, { max: 1, onnotice: () => {} })
const out = (s: string): void => { process.stdout.write(`${s}\n`) }

async function explain (statement: Captured): Promise<{ planning: number, execution: number, plan: string }> {
  let best = { planning: Infinity, execution: Infinity, plan: '' }
  for (let i = 0; i < 5; i++) {
    const rows = await explainSql.unsafe<Array<Record<string, string>>>(`EXPLAIN (ANALYZE, BUFFERS) ${statement.sql}`, statement.params as never[])
    const plan = rows.map(r => Object.values(r)[0]).join('\n')
    const planning = Number(/Planning Time: ([\d.]+)/.exec(plan)?.[1] ?? NaN)
    const execution = Number(/Execution Time: ([\d.]+)/.exec(plan)?.[1] ?? NaN)
    if (execution < best.execution) best = { planning, execution, plan }
  }
  return best
}

try {
  const port = await new Promise<number>((resolve) => {
    app.listen({ port: 0, host: '127.0.0.1' }, () => {
      const address = app.server.address()
      resolve(typeof address === 'object' && address !== null ? address.port : 0)
    })
  })
  const fixtures = await lookupFixtures(`http://127.0.0.1:${port}`)
  for (const scenario of SCENARIOS.filter(s => s.method === 'GET' && (args.scenarios ?? '').split(',').includes(s.id))) {
    const path = encodePath(scenario.path(fixtures))
    out(`\n## ${scenario.id}: ${scenario.label} — GET ${scenario.path(fixtures)}`)
    for (const [name, target, captured] of [['vellum', app, fromVellum], ['baseline', baseline, fromBaseline]] as const) {
      captured.length = 0
      const res = await target.inject(path)
      const statements = [...captured]
      out(`\n### ${name}: HTTP ${res.statusCode}, ${statements.length} statement(s)`)
      for (const [i, statement] of statements.entries()) {
        const { planning, execution, plan } = await explain(statement)
        out(`\n${i + 1}. planning ${planning.toFixed(2)} ms, execution ${execution.toFixed(2)} ms (best of 5); ${statement.sql.length} characters of SQL: ${statement.sql.slice(0, 160).replace(/\s+/g, ' ')}…`)
        if (args.plans === true) out(`\n\`\`\`\n${statement.sql}\n-- params: ${JSON.stringify(statement.params)}\n\n${plan}\n\`\`\``)
      }
    }
  }
} finally {
  await app.close()
  await baseline.close()
  await baselineSql.end({ timeout: 5 })
  await explainSql.end({ timeout: 5 })
}
