/**
 * Node CPU per request through `app.inject` (no sockets, so neither the load generator nor the kernel's writes
 * blur it): vellum and the baseline on a seeded database, scenario by scenario, rounds alternating.
 *
 *   node --import tsx benchmarks/inject-cpu.ts --db URL [--scenarios a,d] [--requests 3000] [--rounds 5] [--server vellum|baseline|both]
 *     [--old DIR]   also an older checkout's vellum (DIR/lib/plugin.ts), in the same process: before/after
 *
 * Per-request costs that a loaded machine hides in req/s show here, and in a CPU profile of the same loop:
 * `node --cpu-prof --cpu-prof-dir=DIR --import tsx benchmarks/inject-cpu.ts --db URL --server vellum --scenarios d`,
 * summed with profile.ts's summarizeProfile.
 */
import { parseArgs } from 'node:util'
import Fastify, { type FastifyInstance } from 'fastify'
import postgres from 'postgres'
import { buildBaseline } from './baseline/app.js'
import { MODEL_DIR } from './env.js'
import { fixturesFromDatabase } from './fixtures.js'
import { encodePath, SCENARIOS } from './scenarios.js'
import vellum from '../lib/plugin.js'

const { values: args } = parseArgs({
  options: {
    db: { type: 'string' },
    scenarios: { type: 'string', default: 'a,d' },
    requests: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '10' },
    server: { type: 'string', default: 'both' },
    old: { type: 'string' }
  }
})
if (args.db === undefined) throw new Error('--db URL (a seeded database) is required')
const requests = Number(args.requests)
const rounds = Number(args.rounds)
const concurrency = Number(args.concurrency)

async function vellumApp (url: string, plugin: typeof vellum = vellum): Promise<FastifyInstance> {
  const app = Fastify({ logger: false })
  await app.register(plugin, { dir: MODEL_DIR, database: { url }, permissions: { public: '*' }, bounds: { maxPopulatedRows: 1_000_000 } })
  await app.ready()
  return app
}

async function baselineApp (url: string): Promise<{ app: FastifyInstance, close: () => Promise<void> }> {
  const sql = postgres(url, { max: 10, onnotice: () => {} })
  const app = buildBaseline({ sql })
  await app.ready()
  return { app, close: async () => { await app.close(); await sql.end({ timeout: 5 }) } }
}

/** µs of this process's CPU (user + system) per request. */
async function cpuPerRequest (app: FastifyInstance, url: string, n: number): Promise<number> {
  let sent = 0
  const start = process.cpuUsage()
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (sent < n) {
      sent++
      const res = await app.inject({ method: 'GET', url })
      if (res.statusCode !== 200) throw new Error(`${url} -> ${res.statusCode}`)
    }
  }))
  const used = process.cpuUsage(start)
  return (used.user + used.system) / n
}

const fixtures = await fixturesFromDatabase(args.db)
const which = args.server ?? 'both'
const apps: Array<{ name: string, app: FastifyInstance, close: () => Promise<void> }> = []
if (which !== 'baseline') { const app = await vellumApp(args.db); apps.push({ name: 'vellum', app, close: async () => { await app.close() } }) }
if (args.old !== undefined) {
  const { default: old } = await import(`${args.old}/lib/plugin.ts`) as { default: typeof vellum }
  const app = await vellumApp(args.db, old)
  apps.push({ name: 'old', app, close: async () => { await app.close() } })
}
if (which !== 'vellum') { const b = await baselineApp(args.db); apps.push({ name: 'baseline', ...b }) }
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
for (const id of (args.scenarios ?? 'a,d').split(',')) {
  const scenario = SCENARIOS.find(s => s.id === id)
  if (scenario === undefined || scenario.method !== 'GET') throw new Error(`no read scenario ${id}`)
  const url = encodePath(scenario.path(fixtures))
  const results = new Map<string, number[]>(apps.map(a => [a.name, []]))
  for (const a of apps) await cpuPerRequest(a.app, url, requests)
  for (let r = 0; r < rounds; r++) {
    for (const a of r % 2 === 0 ? apps : [...apps].reverse()) results.get(a.name)?.push(await cpuPerRequest(a.app, url, requests))
  }
  for (const [name, xs] of results) process.stdout.write(`${id} ${name}: median ${median(xs).toFixed(1)} µs/request (${xs.map(x => x.toFixed(0)).join(', ')})\n`)
}
for (const a of apps) await a.close()
