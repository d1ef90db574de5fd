/**
 * `npm run bench` — vellum against a hand-written Fastify + postgres.js baseline on the Strapi peer's data set
 * and scenarios (../shared/peers/strapi: model, seed.mjs, bench.sh), on a fresh PostgreSQL database.
 *
 *   npm run bench                   3 rounds × (5 s warm-up + 10 s) per scenario and server, micro-benchmark,
 *                                   results written to benchmarks/RESULTS.md (generated block)
 *   npm run bench -- --quick        1 round × (1 s warm-up + 3 s), no micro-benchmark, RESULTS.md untouched
 *
 * Options: --rounds N, --duration S, --warmup S, --scenarios a,b,c, --articles N, --connections N (reads),
 * --post-connections N, --micro / --no-micro, --write / --no-write, --keep-db, --db URL (an already
 * seeded database: no seeding, not dropped), --tsx (run the servers' TypeScript through tsx), --cold-starts N,
 * --node-args="--max-old-space-size=96" (node flags for both servers, e.g. to measure RSS under a heap cap).
 * The database server comes from BENCH_ADMIN_URL or DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres).
 *
 * Steps: create and seed the database (progress on stderr); start both servers (cold start to the first 200);
 * check that they answer every scenario with the same JSON; measure, alternating the servers scenario by
 * scenario; record RSS; count SQL round trips per request on the wire in a separate pass; run the
 * micro-benchmark; print the table (stdout) and end with `min ratio vellum/baseline: X.XX (scenario)`.
 */
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import postgres from 'postgres'
import { BUILD_DIR, buildJs } from './build.js'
import { adminUrl, createDatabase, dropDatabase, MODEL_DIR, PEER_DIR, ROOT } from './env.js'
import { compareResponses, removePosts, roundTripsPerRequest } from './fixtures.js'
import { measure, settle } from './load.js'
import { machineInfo, processMemory } from './machine.js'
import { runMicro } from './micro.js'
import { type Measurement, minRatio, renderReport, type RunReport, strapiNumbers, summarize, writeResults } from './report.js'
import { encodePath, type Fixtures, lookupFixtures, SCENARIOS } from './scenarios.js'
import { seed } from './seed/seed.js'
import { type BootPhases, freePort, type RunningServer, type ServerName, startServer } from './servers.js'
import { createWireCounter } from './wire-counter.js'

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    scenarios: { type: 'string' },
    articles: { type: 'string', default: '10000' },
    connections: { type: 'string', default: '50' },
    'post-connections': { type: 'string', default: '10' },
    micro: { type: 'boolean' },
    'no-micro': { type: 'boolean', default: false },
    write: { type: 'boolean' },
    'no-write': { type: 'boolean', default: false },
    'keep-db': { type: 'boolean', default: false },
    db: { type: 'string' },
    tsx: { type: 'boolean', default: false },
    'cold-starts': { type: 'string' },
    'node-args': { type: 'string', default: '' }
  }
})

const quick = args.quick === true
const rounds = Number(args.rounds ?? (quick ? 1 : 3))
const duration = Number(args.duration ?? (quick ? 3 : 10))
const warmup = Number(args.warmup ?? (quick ? 1 : 5))
const coldStarts = Number(args['cold-starts'] ?? (quick ? 1 : 3))
const nodeArgs = (args['node-args'] ?? '').split(' ').filter(Boolean)
const wanted = new Set((args.scenarios ?? 'a,b,c,d,e,f').split(',').map(s => s.trim()))
const scenarios = SCENARIOS.filter(s => wanted.has(s.id))
const articles = Number(args.articles)
const readConnections = Number(args.connections)
const postConnections = Number(args['post-connections'])
const withMicro = args['no-micro'] === true ? false : args.micro ?? !quick
const write = args['no-write'] === true ? false : args.write ?? !quick

const log = (message: string): void => { process.stderr.write(`${message}\n`) }
const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/** The PostgreSQL backends connected to the run's database (both servers' pools; only one is loaded at a time). */
async function backends (databaseUrl: string): Promise<number[]> {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1))
  const sql = postgres(adminUrl(), { max: 1, onnotice: () => {} })
  try {
    const rows = await sql<Array<{ pid: number }>>`SELECT pid FROM pg_stat_activity WHERE datname = ${name} AND pid <> pg_backend_pid()`
    return rows.map(r => Number(r.pid))
  } finally {
    await sql.end({ timeout: 5 })
  }
}

/** Starts a server `times` times for cold starts (stopping all but the last), and returns the last one running. */
async function startMeasured (name: ServerName, databaseUrl: string, times: number, facts: { coldStartMs: number[], bootMs: number[], phases: BootPhases[], bootRssMiB: number[] }): Promise<RunningServer> {
  for (let i = 1; ; i++) {
    const server = await startServer(name, { databaseUrl, port: await freePort(), tsx: args.tsx === true, nodeArgs })
    facts.coldStartMs.push(server.coldStartMs)
    facts.bootMs.push(server.bootMs)
    facts.phases.push(server.phases)
    facts.bootRssMiB.push(processMemory(server.pid).rssMiB)
    const p = server.phases
    log(`${name}: cold start to first 200 ${server.coldStartMs.toFixed(0)} ms (boot to listen ${server.bootMs.toFixed(0)} ms: node ${p.node.toFixed(0)}, imports ${p.imports.toFixed(0)}, register ${p.register.toFixed(0)}, listen ${p.listen.toFixed(0)})`)
    if (i >= times) return server
    await server.stop()
    await sleep(300)
  }
}

async function main (): Promise<void> {
  const admin = adminUrl()
  const own = args.db === undefined ? await createDatabase(admin, 'run') : undefined
  const databaseUrl = args.db ?? own?.url ?? ''
  const running: RunningServer[] = []
  const cleanup = async (): Promise<void> => {
    for (const server of running.splice(0)) await server.stop().catch(() => {})
    if (own !== undefined && args['keep-db'] !== true) await dropDatabase(admin, own.name).catch(() => {})
  }
  process.once('SIGINT', () => { cleanup().finally(() => process.exit(130)).catch(() => {}) })
  try {
    if (own !== undefined) log(`database ${own.name} (dropped at the end${args['keep-db'] === true ? ': no, --keep-db' : ''})`)
    const machine = await machineInfo(databaseUrl)
    let seedResult = { seconds: 0, timings: {} as Record<string, number>, articles }
    if (own !== undefined) {
      log(`seeding ${articles} articles`)
      seedResult = await seed({ url: databaseUrl, modelDir: MODEL_DIR, articles })
      log(`seeded in ${seedResult.seconds} s`)
    }
    if (args.tsx !== true) log(`transpiled ${await buildJs()} files to ${BUILD_DIR}`)

    const facts = {
      vellum: { coldStartMs: [] as number[], bootMs: [] as number[], phases: [] as BootPhases[], bootRssMiB: [] as number[], rssMiB: 0, peakMiB: 0 },
      baseline: { coldStartMs: [] as number[], bootMs: [] as number[], phases: [] as BootPhases[], bootRssMiB: [] as number[], rssMiB: 0, peakMiB: 0 }
    }
    const servers: Record<ServerName, RunningServer> = {
      vellum: await startMeasured('vellum', databaseUrl, coldStarts, facts.vellum),
      baseline: await startMeasured('baseline', databaseUrl, coldStarts, facts.baseline)
    }
    running.push(servers.vellum, servers.baseline)
    const fixtures: Fixtures = await lookupFixtures(servers.vellum.base)
    log(`fixtures: article-1 ${fixtures.article}, Category 1 ${fixtures.category}, tags ${fixtures.tags.join(', ')}`)

    const report: RunReport = {
      mode: (quick
        ? `quick: ${rounds} round × (${warmup} s warm-up + ${duration} s), -c ${readConnections} reads / -c ${postConnections} writes`
        : `${rounds} rounds × (${warmup} s warm-up + ${duration} s), -c ${readConnections} reads / -c ${postConnections} writes`) +
        (nodeArgs.length > 0 ? `, both servers run with \`node ${nodeArgs.join(' ')}\`` : ''),
      machine,
      articles,
      seedSeconds: seedResult.seconds,
      seedTimings: seedResult.timings,
      scenarios,
      measurements: [],
      roundTrips: {},
      agreement: {},
      servers: facts,
      strapi: await strapiNumbers(PEER_DIR)
    }

    if (wanted.has('f')) await removePosts(databaseUrl)
    for (const scenario of scenarios) {
      const between = async (): Promise<unknown> => scenario.method === 'POST' ? await removePosts(databaseUrl) : undefined
      const agreement = await compareResponses(scenario, fixtures, servers.vellum.base, servers.baseline.base, between)
      report.agreement[scenario.id] = { ...agreement }
      log(`${scenario.id}: ${agreement.same ? 'same JSON' : `RESPONSES DIFFER: ${agreement.detail}`}`)
    }
    if (wanted.has('f')) await removePosts(databaseUrl)

    for (let round = 0; round < rounds; round++) {
      for (const [index, scenario] of scenarios.entries()) {
        const order: ServerName[] = (round + index) % 2 === 0 ? ['vellum', 'baseline'] : ['baseline', 'vellum']
        for (const name of order) {
          const server = servers[name]
          const connections = scenario.method === 'POST' ? postConnections : readConnections
          const load = {
            url: server.base + encodePath(scenario.path(fixtures)),
            method: scenario.method,
            ...(scenario.body !== undefined && { body: scenario.body(fixtures) }),
            connections,
            pid: server.pid
          }
          if (warmup > 0) await measure({ ...load, seconds: warmup })
          // After the warm-up the server's pool is open: its backends are the ones working for it.
          const pgPids = await backends(databaseUrl)
          // Each measured write run starts from the seeded data (the warm-up's creates would slow the slug search).
          if (scenario.method === 'POST' && warmup > 0) await removePosts(databaseUrl)
          const backgroundBusy = await settle(server.pid)
          const result = await measure({ ...load, pgPids, seconds: duration })
          const m: Measurement = { ...result, scenario: scenario.id, server: name, round, backgroundBusy }
          report.measurements.push(m)
          log(`round ${round + 1} ${scenario.id} ${name.padEnd(8)} ${result.rps.toFixed(0).padStart(6)} req/s (2xx)  p50 ${result.p50} ms  p99 ${result.p99} ms  non-2xx ${result.non2xx}${result.non2xxStatuses === '' ? '' : ` (${result.non2xxStatuses})`}  errors ${result.errors + result.timeouts}  server CPU ${result.serverCpu.toFixed(0)}%  PostgreSQL CPU ${result.pgCpu.toFixed(0)}%  machine ${result.machineBusy.toFixed(0)}% (background ${backgroundBusy.toFixed(0)}%)`)
          if (scenario.method === 'POST') log(`  removed ${await removePosts(databaseUrl)} bench-post articles`)
          await settle(server.pid)
        }
      }
    }
    for (const name of ['vellum', 'baseline'] as const) {
      const memory = processMemory(servers[name].pid)
      facts[name].rssMiB = memory.rssMiB
      facts[name].peakMiB = memory.peakMiB
      log(`${name}: RSS ${memory.rssMiB.toFixed(1)} MiB, peak ${memory.peakMiB.toFixed(1)} MiB`)
    }
    for (const server of running.splice(0)) await server.stop()

    // SQL round trips: both servers again, behind the counting proxy, requests one at a time.
    const target = new URL(databaseUrl)
    const counter = await createWireCounter({ host: target.hostname, port: Number(target.port || 5432) })
    try {
      const proxied = new URL(databaseUrl)
      proxied.hostname = '127.0.0.1'
      proxied.port = String(counter.port)
      for (const name of ['vellum', 'baseline'] as const) {
        const server = await startServer(name, { databaseUrl: proxied.toString(), port: await freePort(), tsx: args.tsx === true, nodeArgs })
        running.push(server)
        for (const scenario of scenarios) {
          const post = scenario.method === 'POST'
          const counted = await roundTripsPerRequest(server.base, scenario, fixtures, counter, { warmup: post ? 3 : 20, n: post ? 10 : 20 })
          const entry = report.roundTrips[scenario.id] ?? { vellum: counted, baseline: counted }
          entry[name] = counted
          report.roundTrips[scenario.id] = entry
          log(`${scenario.id} ${name}: ${counted.roundTrips.toFixed(2)} SQL round trips per request (${counted.statements.toFixed(2)} statements, ${counted.parses.toFixed(2)} Parse; statuses ${counted.statuses.join(', ')})`)
          if (post) await removePosts(databaseUrl)
        }
        await server.stop()
        running.splice(running.indexOf(server), 1)
      }
    } finally {
      await counter.close()
    }

    if (withMicro) {
      log('micro-benchmark (tinybench), scenario b')
      report.micro = await runMicro(databaseUrl)
    }

    const block = renderReport(report)
    process.stdout.write(`\n${block}\n\n`)
    if (write) {
      await writeResults(join(ROOT, 'benchmarks', 'RESULTS.md'), block)
      log('wrote benchmarks/RESULTS.md (generated block)')
    }
    const min = minRatio(summarize(report))
    process.stdout.write(`min ratio vellum/baseline: ${min === undefined ? 'n/a' : `${min.ratio.toFixed(2)} (${min.id})`}\n`)
  } finally {
    await cleanup()
  }
}

await main()
