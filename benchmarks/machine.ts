import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { cpus, loadavg, totalmem, release, platform } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { ROOT } from './env.js'

/** The machine, versions and repository state a run was measured on, and CPU counters from /proc. */

export interface MachineInfo {
  date: string
  cpu: string
  cores: number
  memoryGiB: number
  os: string
  node: string
  postgres: string
  packages: Record<string, string>
  commit: string
  /** Files under lib/ that differ from the commit (other engineers' work in progress, measured too). */
  dirty: string[]
}

function version (pkg: string): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version
  } catch {
    return '?'
  }
}

function git (...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trimEnd()
  } catch {
    return ''
  }
}

export async function machineInfo (databaseUrl: string): Promise<MachineInfo> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} })
  let pg = '?'
  try {
    pg = (await sql<Array<{ v: string }>>`SELECT current_setting('server_version') AS v`)[0]?.v ?? '?'
  } finally {
    await sql.end({ timeout: 5 })
  }
  return {
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model ?? '?',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
    postgres: pg,
    packages: Object.fromEntries(['fastify', 'drizzle-orm', 'postgres', 'qs', 'autocannon', 'tinybench', 'tsx'].map(p => [p, version(p)])),
    commit: git('rev-parse', '--short', 'HEAD'),
    dirty: git('status', '--porcelain', '--', 'lib').split('\n').filter(Boolean).map(l => l.slice(3))
  }
}

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  } catch {
    return 100
  }
})()

/** CPU seconds (user + system) a process has used so far; 0 when it is gone. */
export function processCpuSeconds (pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may hold spaces) start at index 2 of this split.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK
  } catch {
    return 0
  }
}

/** Resident memory of a process, now and at its peak (VmRSS, VmHWM), in MiB. */
export function processMemory (pid: number): { rssMiB: number, peakMiB: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kib = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0)
    return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 }
  } catch {
    return { rssMiB: 0, peakMiB: 0 }
  }
}

/** Whole-machine CPU counters; `busyPercent(a, b)` is the share of non-idle time between two samples. */
export function machineCpu (): { total: number, idle: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? ''
  const values = line.trim().split(/\s+/).slice(1).map(Number)
  const total = values.reduce((a, b) => a + b, 0)
  return { total, idle: (values[3] ?? 0) + (values[4] ?? 0) }
}

export function busyPercent (a: { total: number, idle: number }, b: { total: number, idle: number }): number {
  const total = b.total - a.total
  return total <= 0 ? 0 : 100 * (1 - (b.idle - a.idle) / total)
}

export function load1 (): number {
  return loadavg()[0] ?? 0
}
