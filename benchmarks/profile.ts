/**
 * CPU profile of a server under one scenario's load: `node --cpu-prof`, autocannon, then the profile summed
 * by function (self time and inclusive time) and by module, in % of the server's busy (non-idle) samples.
 *
 *   node --import tsx benchmarks/profile.ts --db URL [--server vellum|baseline] [--scenario d] [--seconds 10]
 *     [--node-args="--max-semi-space-size=32"]
 *
 * The .cpuprofile stays in benchmarks/profiles/ (open it in Chrome DevTools or speedscope).
 */
import { readdir, readFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { BUILD_DIR, buildJs } from './build.js'
import { ROOT } from './env.js'
import { fixturesFromDatabase, removePosts } from './fixtures.js'
import { measure } from './load.js'
import { encodePath, SCENARIOS } from './scenarios.js'
import { type ServerName, startServer } from './servers.js'

interface ProfileNode { id: number, callFrame: { functionName: string, url: string, lineNumber: number }, children?: number[] }
interface CpuProfile { nodes: ProfileNode[], samples: number[], timeDeltas: number[] }

/** Where a function lives: `lib/query`, `fastify`, `node:internal`, `(gc)`... */
function moduleOf (url: string, name: string): string {
  if (url === '') return name.startsWith('(') ? name : '(native)'
  const build = url.indexOf(BUILD_DIR)
  if (build !== -1) {
    const path = url.slice(build + BUILD_DIR.length + 1)
    if (path.startsWith('node_modules/')) return moduleOf(path, name)
    const parts = path.split('/')
    return parts[0] === 'lib' && parts.length > 2 ? `lib/${parts[1] ?? ''}` : parts.slice(0, 2).join('/')
  }
  const nm = url.lastIndexOf('node_modules/')
  if (nm !== -1) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/')
    return rest[0]?.startsWith('@') === true ? `${rest[0]}/${rest[1] ?? ''}` : rest[0] ?? url
  }
  if (url.startsWith('node:')) return url.startsWith('node:internal') ? 'node:internal' : url
  return url
}

function shortUrl (url: string): string {
  const build = url.indexOf(BUILD_DIR)
  if (build !== -1) return url.slice(build + BUILD_DIR.length + 1)
  const nm = url.lastIndexOf('node_modules/')
  return nm !== -1 ? url.slice(nm + 'node_modules/'.length) : url
}

export interface ProfileSummary { busyMs: number, idleMs: number, functions: Array<{ key: string, selfPct: number, totalPct: number }>, modules: Array<{ module: string, selfPct: number }> }

export function summarizeProfile (profile: CpuProfile, top = 30): ProfileSummary {
  const byId = new Map(profile.nodes.map(n => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const keyOf = (n: ProfileNode): string => `${n.callFrame.functionName || '(anonymous)'} ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`
  const self = new Map<string, number>()
  const total = new Map<string, number>()
  const modules = new Map<string, number>()
  let busy = 0
  let idle = 0
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000
    const node = byId.get(id)
    if (node === undefined) return
    if (node.callFrame.functionName === '(idle)') {
      idle += dt
      return
    }
    busy += dt
    const key = keyOf(node)
    self.set(key, (self.get(key) ?? 0) + dt)
    const mod = moduleOf(node.callFrame.url, node.callFrame.functionName)
    modules.set(mod, (modules.get(mod) ?? 0) + dt)
    const seen = new Set<string>()
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur)
      if (n === undefined) break
      const k = keyOf(n)
      if (seen.has(k)) continue
      seen.add(k)
      total.set(k, (total.get(k) ?? 0) + dt)
    }
  })
  const pct = (v: number): number => (100 * v) / (busy || 1)
  return {
    busyMs: busy,
    idleMs: idle,
    functions: [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([key, v]) => ({ key, selfPct: pct(v), totalPct: pct(total.get(key) ?? 0) })),
    modules: [...modules.entries()].sort((a, b) => b[1] - a[1]).map(([module, v]) => ({ module, selfPct: pct(v) }))
  }
}

/** Inclusive time of the functions whose key contains `needle` (e.g. `lib/query/select.js`). */
export function inclusiveOf (profile: CpuProfile, needles: string[]): Array<{ key: string, totalPct: number }> {
  const summary = new Map<string, number>()
  const byId = new Map(profile.nodes.map(n => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  let busy = 0
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000
    const node = byId.get(id)
    if (node === undefined || node.callFrame.functionName === '(idle)') return
    busy += dt
    const seen = new Set<string>()
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur)
      if (n === undefined) break
      const key = `${n.callFrame.functionName || '(anonymous)'} ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`
      if (seen.has(key) || !needles.some(x => key.includes(x))) continue
      seen.add(key)
      summary.set(key, (summary.get(key) ?? 0) + dt)
    }
  })
  return [...summary.entries()].sort((a, b) => b[1] - a[1]).map(([key, v]) => ({ key, totalPct: (100 * v) / (busy || 1) }))
}

async function main (): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      db: { type: 'string' },
      server: { type: 'string', default: 'vellum' },
      scenario: { type: 'string', default: 'b' },
      seconds: { type: 'string', default: '10' },
      connections: { type: 'string' },
      top: { type: 'string', default: '30' },
      focus: { type: 'string', default: 'lib/' },
      'node-args': { type: 'string', default: '' }
    }
  })
  if (args.db === undefined) throw new Error('--db URL (a seeded database) is required')
  const scenario = SCENARIOS.find(s => s.id === args.scenario)
  if (scenario === undefined) throw new Error(`unknown scenario ${String(args.scenario)}`)
  const name = args.server as ServerName
  await buildJs()
  const dir = join(ROOT, 'benchmarks', 'profiles', `${name}-${scenario.id}-${Date.now()}`)
  await mkdir(dir, { recursive: true })
  const server = await startServer(name, { databaseUrl: args.db, port: 4000 + Math.floor(Math.random() * 1000), nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`, ...(args['node-args'] ?? '').split(' ').filter(Boolean)] })
  try {
    const fixtures = await fixturesFromDatabase(args.db)
    const load = {
      url: server.base + encodePath(scenario.path(fixtures)),
      method: scenario.method,
      ...(scenario.body !== undefined && { body: scenario.body(fixtures) }),
      connections: Number(args.connections ?? (scenario.method === 'POST' ? 10 : 50)),
      pid: server.pid
    }
    await measure({ ...load, seconds: 2 })
    const result = await measure({ ...load, seconds: Number(args.seconds) })
    process.stdout.write(`${name} ${scenario.id}: ${result.rps.toFixed(0)} req/s (2xx), p50 ${result.p50} ms, server CPU ${result.serverCpu.toFixed(0)}% of a core (${((result.serverCpu * 10) / result.allRps).toFixed(2)} ms per request), peak RSS ${result.peakRssMiB.toFixed(0)} MiB, machine ${result.machineBusy.toFixed(0)}% busy\n`)
  } finally {
    await server.stop()
    if (scenario.method === 'POST') await removePosts(args.db)
  }
  const file = (await readdir(dir)).find(f => f.endsWith('.cpuprofile'))
  if (file === undefined) throw new Error(`no profile written in ${dir}`)
  const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile
  const summary = summarizeProfile(profile, Number(args.top))
  const out = (s: string): void => { process.stdout.write(`${s}\n`) }
  out(`profile ${join(dir, file)}: busy ${summary.busyMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms (whole process life, boot included)`)
  out('\nself time by module (% of busy):')
  for (const m of summary.modules.slice(0, 20)) out(`  ${m.selfPct.toFixed(1).padStart(5)}%  ${m.module}`)
  out('\nhottest functions (self %, inclusive %):')
  for (const f of summary.functions) out(`  ${f.selfPct.toFixed(1).padStart(5)}%  ${f.totalPct.toFixed(1).padStart(5)}%  ${f.key}`)
  out(`\ninclusive time of ${args.focus} functions (top 30):`)
  for (const f of inclusiveOf(profile, [args.focus ?? 'lib/']).slice(0, 30)) out(`  ${f.totalPct.toFixed(1).padStart(5)}%  ${f.key}`)
}

if (process.argv[1]?.endsWith('profile.ts') === true || process.argv[1]?.endsWith('profile.js') === true) await main()
