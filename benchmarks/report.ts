import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { LoadResult } from './load.js'
import type { MachineInfo } from './machine.js'
import { type MicroRow, microTable } from './micro.js'
import type { ScenarioId, Scenario } from './scenarios.js'
import type { BootPhases, ServerName } from './servers.js'

/** The results table (stdout and benchmarks/RESULTS.md). */

export interface Measurement extends LoadResult { scenario: ScenarioId, server: ServerName, round: number, backgroundBusy: number }

export interface ServerFacts {
  coldStartMs: number[]
  bootMs: number[]
  phases: BootPhases[]
  /** RSS right after the first 200. */
  bootRssMiB: number[]
  rssMiB: number
  peakMiB: number
}

export interface RunReport {
  mode: string
  machine: MachineInfo
  articles: number
  seedSeconds: number
  seedTimings: Record<string, number>
  scenarios: Scenario[]
  measurements: Measurement[]
  roundTrips: Partial<Record<ScenarioId, Record<ServerName, { roundTrips: number, statements: number, parses: number, statuses: number[] }>>>
  agreement: Partial<Record<ScenarioId, { same: boolean, detail: string, bytes: Record<ServerName, number> }>>
  servers: Record<ServerName, ServerFacts>
  strapi: Partial<Record<ScenarioId, number[]>>
  micro?: MicroRow[]
}

export function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  if (sorted.length === 0) return NaN
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] as number : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0)
const fmt = (n: number, digits = 0): string => Number.isFinite(n) ? n.toFixed(digits) : '–'

export interface ScenarioSummary {
  id: ScenarioId
  rps: Record<ServerName, number>
  p50: Record<ServerName, number>
  p99: Record<ServerName, number>
  non2xx: Record<ServerName, number>
  errors: Record<ServerName, number>
  serverCpu: Record<ServerName, number>
  /** Server CPU time per response, ms: less sensitive to the machine's other load than req/s. */
  cpuMsPerRequest: Record<ServerName, number>
  /** PostgreSQL backends' CPU time per response, ms. */
  pgMsPerRequest: Record<ServerName, number>
  ratio: number
  /** vellum/baseline per round (same round, adjacent runs). */
  roundRatios: number[]
}

export function summarize (report: RunReport): ScenarioSummary[] {
  return report.scenarios.filter(s => report.measurements.some(m => m.scenario === s.id)).map((s) => {
    const of = (server: ServerName): Measurement[] => report.measurements.filter(m => m.scenario === s.id && m.server === server)
    const pick = (f: (m: Measurement) => number, agg: (v: number[]) => number): Record<ServerName, number> =>
      ({ vellum: agg(of('vellum').map(f)), baseline: agg(of('baseline').map(f)) })
    const rps = pick(m => m.rps, median)
    const rounds = [...new Set(of('vellum').map(m => m.round))]
    const roundRatios = rounds.map((r) => {
      const v = of('vellum').find(m => m.round === r)
      const b = of('baseline').find(m => m.round === r)
      return v !== undefined && b !== undefined && b.rps > 0 ? v.rps / b.rps : NaN
    })
    return {
      id: s.id,
      rps,
      p50: pick(m => m.p50, median),
      p99: pick(m => m.p99, median),
      non2xx: pick(m => m.non2xx, sum),
      errors: pick(m => m.errors + m.timeouts, sum),
      serverCpu: pick(m => m.serverCpu, median),
      cpuMsPerRequest: pick(m => m.allRps > 0 ? (m.serverCpu * 10) / m.allRps : NaN, median),
      pgMsPerRequest: pick(m => m.allRps > 0 ? (m.pgCpu * 10) / m.allRps : NaN, median),
      ratio: rps.baseline > 0 ? rps.vellum / rps.baseline : NaN,
      roundRatios
    }
  })
}

export function minRatio (summaries: ScenarioSummary[]): { ratio: number, id: ScenarioId } | undefined {
  let min: { ratio: number, id: ScenarioId } | undefined
  for (const s of summaries) if (Number.isFinite(s.ratio) && (min === undefined || s.ratio < min.ratio)) min = { ratio: s.ratio, id: s.id }
  return min
}

export function renderReport (report: RunReport): string {
  const m = report.machine
  const summaries = summarize(report)
  const lines: string[] = []
  lines.push(`### Run of ${m.date.slice(0, 16).replace('T', ' ')} UTC (${report.mode})`)
  lines.push('')
  lines.push(`- **Machine:** ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}. Load generator (autocannon, in the runner process), PostgreSQL and the server under test share these cores.`)
  lines.push(`- **Versions:** Node ${m.node}, PostgreSQL ${m.postgres}, ${Object.entries(m.packages).map(([k, v]) => `${k} ${v}`).join(', ')}.`)
  lines.push(`- **Code:** commit ${m.commit}${m.dirty.length > 0 ? `, plus uncommitted changes of other engineers in ${m.dirty.join(', ')}` : ''}. Servers run as transpiled JavaScript (benchmarks/build.ts), \`NODE_ENV=production\`, no logger, pool of 10 connections each.`)
  const seeded = report.seedSeconds > 0
    ? `seeded in ${report.seedSeconds.toFixed(1)} s (${Object.entries(report.seedTimings).map(([k, v]) => `${k} ${v} s`).join(', ')})`
    : 'in a database seeded beforehand (--db)'
  lines.push(`- **Data:** ${report.articles.toLocaleString('en-US')} articles (+ 10 categories, 100 authors, 50 tags, the homepage), ${seeded}.`)
  lines.push('')
  lines.push('| scenario | vellum req/s (2xx) | baseline req/s (2xx) | ratio v/b | vellum p50 / p99 ms | baseline p50 / p99 ms | non-2xx v / b | errors v / b | SQL round trips v / b (target) | server CPU ms/req v / b | PostgreSQL CPU ms/req v / b | same JSON | Strapi 5.54 req/s |')
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:-:|---:|')
  for (const s of summaries) {
    const scenario = report.scenarios.find(x => x.id === s.id)
    const trips = report.roundTrips[s.id]
    const target = scenario === undefined || scenario.method === 'POST' ? '–' : `≤ ${1 + scenario.populateDepth}`
    const tripText = trips === undefined ? '–' : `${fmt(trips.vellum.roundTrips, 1)} / ${fmt(trips.baseline.roundTrips, 1)} (${target})`
    const agreement = report.agreement[s.id]
    const strapi = report.strapi[s.id]
    lines.push(`| ${s.id} ${scenario?.label ?? ''} | ${fmt(s.rps.vellum)} | ${fmt(s.rps.baseline)} | **${fmt(s.ratio, 2)}** | ${fmt(s.p50.vellum)} / ${fmt(s.p99.vellum)} | ${fmt(s.p50.baseline)} / ${fmt(s.p99.baseline)} | ${s.non2xx.vellum} / ${s.non2xx.baseline} | ${s.errors.vellum} / ${s.errors.baseline} | ${tripText} | ${fmt(s.cpuMsPerRequest.vellum, 2)} / ${fmt(s.cpuMsPerRequest.baseline, 2)} | ${fmt(s.pgMsPerRequest.vellum, 2)} / ${fmt(s.pgMsPerRequest.baseline, 2)} | ${agreement === undefined ? '–' : agreement.same ? 'yes' : `**no**: ${agreement.detail}`} | ${strapi === undefined ? '–' : strapi.map(x => fmt(x, 1)).join(', ')} |`)
  }
  lines.push('')
  const rounds = Math.max(0, ...report.measurements.map(x => x.round + 1))
  lines.push(`req/s counts successful (2xx) responses only (a write that fails fast is not throughput); req/s, p50 and p99 are medians over ${rounds} round(s); the two servers alternate scenario by scenario and the one going first alternates too. Strapi: the peer's two published runs (../shared/peers/strapi/results, same machine, same scenarios, -c 50 / -c 10, 10 s).`)
  lines.push('')
  lines.push('| server | cold start to first 200, ms (each start) | boot to listen, ms: node start + imports + register/ready + listen | RSS after boot, MiB | RSS after the run, MiB | peak RSS, MiB |')
  lines.push('|---|---:|---:|---:|---:|---:|')
  for (const name of ['vellum', 'baseline'] as const) {
    const f = report.servers[name]
    const phase = (k: keyof BootPhases): string => fmt(median(f.phases.map(p => p[k])))
    lines.push(`| ${name} | ${fmt(median(f.coldStartMs))} (${f.coldStartMs.map(x => fmt(x)).join(', ')}) | ${fmt(median(f.bootMs))}: ${phase('node')} + ${phase('imports')} + ${phase('register')} + ${phase('listen')} | ${fmt(median(f.bootRssMiB), 1)} | ${fmt(f.rssMiB, 1)} | ${fmt(f.peakMiB, 1)} |`)
  }
  lines.push('')
  const trips = summaries.map(s => ({ id: s.id, t: report.roundTrips[s.id] })).filter(x => x.t !== undefined)
  if (trips.length > 0) {
    lines.push(`SQL round trips are counted on the wire (benchmarks/wire-counter.ts), requests one at a time after a warm-up: a statement is one, and a statement postgres.js must describe first (parameters, not prepared) is two. Statements per request, then new prepared statements (Parse) per request, vellum / baseline: ${trips.map(({ id, t }) => `${id} ${fmt(t?.vellum.statements ?? NaN, 1)} / ${fmt(t?.baseline.statements ?? NaN, 1)} (Parse ${fmt(t?.vellum.parses ?? NaN, 1)} / ${fmt(t?.baseline.parses ?? NaN, 1)})`).join(', ')}.`)
    lines.push('')
  }
  lines.push(`Peak RSS sampled during each scenario's runs (MiB, vellum / baseline): ${summaries.map(s => { const peak = (n: ServerName): number => Math.max(...report.measurements.filter(x => x.scenario === s.id && x.server === n).map(x => x.peakRssMiB)); return `${s.id} ${fmt(peak('vellum'))} / ${fmt(peak('baseline'))}` }).join(', ')}.`)
  lines.push('')
  lines.push('Targets: every read scenario ≥ 0.70 of the baseline; SQL round trips ≤ 1 + populate depth; RSS under load < 150 MiB; cold start < 1 s.')
  lines.push('')
  lines.push('**Noise.** Per-round ratios (vellum/baseline): ' + summaries.map(s => `${s.id} ${s.roundRatios.map(r => fmt(r, 2)).join(' / ')}`).join('; ') + '.')
  const background = report.measurements.map(x => x.backgroundBusy)
  const loads = report.measurements.map(x => x.load1)
  lines.push(`Machine busy between runs (other processes; 2 cores = 100%): median ${fmt(median(background))}%, max ${fmt(Math.max(...background))}%; 1-minute load average during runs: median ${fmt(median(loads), 1)}, max ${fmt(Math.max(...loads), 1)}. Server CPU (% of one core) under load: ${summaries.map(s => `${s.id} ${fmt(s.serverCpu.vellum)} / ${fmt(s.serverCpu.baseline)}`).join(', ')} (vellum / baseline).`)
  const bytes = summaries.map(s => report.agreement[s.id]).filter(a => a !== undefined)
  if (bytes.length > 0) {
    lines.push(`Response bytes (JSON as parsed and re-serialized, so equal when the JSON is): ${summaries.map(s => { const a = report.agreement[s.id]; return a === undefined ? '' : `${s.id} ${a.bytes.vellum}` }).filter(Boolean).join(', ')}.`)
  }
  if (report.micro !== undefined) {
    lines.push('')
    lines.push('**Micro-benchmark (tinybench), vellum\'s CPU work for scenario (b), per request (25 populated articles):**')
    lines.push('')
    lines.push(microTable(report.micro))
  }
  return lines.join('\n')
}

const START = '<!-- bench:generated:start -->'
const END = '<!-- bench:generated:end -->'

const TEMPLATE = `# Benchmarks: vellum vs a hand-written baseline (and Strapi)

${START}
${END}

## Findings
`

/** Replaces the generated block of RESULTS.md, keeping the hand-written parts (findings) around it. */
export async function writeResults (file: string, block: string): Promise<void> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    text = TEMPLATE
  }
  const start = text.indexOf(START)
  const end = text.indexOf(END)
  if (start === -1 || end === -1 || end < start) text = `${text.trimEnd()}\n\n${START}\n${END}\n`
  const s = text.indexOf(START)
  const e = text.indexOf(END)
  await writeFile(file, `${text.slice(0, s + START.length)}\n${block}\n${text.slice(e)}`)
}

/** Strapi's req/s per scenario from the peer's published summaries. */
export async function strapiNumbers (peerDir: string): Promise<Partial<Record<ScenarioId, number[]>>> {
  const out: Partial<Record<ScenarioId, number[]>> = {}
  for (const run of ['strapi-5.54.0-run1.md', 'strapi-5.54.0-run2.md']) {
    let text: string
    try {
      text = await readFile(join(peerDir, 'results', run), 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n')) {
      const cells = line.split('|').map(c => c.trim())
      const id = cells[1] as ScenarioId
      if (!['a', 'b', 'c', 'd', 'e', 'f'].includes(id)) continue
      const rps = Number(cells[4])
      if (Number.isFinite(rps)) (out[id] ??= []).push(rps)
    }
  }
  return out
}
