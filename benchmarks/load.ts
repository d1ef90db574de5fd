import autocannon from 'autocannon'
import { busyPercent, load1, machineCpu, processCpuSeconds, processMemory } from './machine.js'

/** One autocannon measurement with the server's CPU and the machine's load around it. */

export interface LoadOptions {
  url: string
  method: 'GET' | 'POST'
  body?: string
  connections: number
  seconds: number
  /** Server pid, for its CPU share during the run. */
  pid: number
  /** PostgreSQL backend pids serving the database (their CPU is PostgreSQL's work for the run). */
  pgPids?: number[]
}

export interface LoadResult {
  /** Successful (2xx) responses per second: what a failing request does not count for. */
  rps: number
  /** All responses per second, as autocannon reports them. */
  allRps: number
  p50: number
  p99: number
  requests: number
  non2xx: number
  /** The non-2xx answers by status, e.g. `503×2` (empty when none). */
  non2xxStatuses: string
  errors: number
  timeouts: number
  /** Server CPU, % of one core. */
  serverCpu: number
  /** CPU of the database's PostgreSQL backends, % of one core (NaN when not measured). */
  pgCpu: number
  /** Whole machine, % busy (all cores; load generator and PostgreSQL included). */
  machineBusy: number
  load1: number
  /** Highest server RSS sampled during the run (every 100 ms), MiB. */
  peakRssMiB: number
}

export async function measure (options: LoadOptions): Promise<LoadResult> {
  const pgSeconds = (): number => (options.pgPids ?? []).reduce((sum, pid) => sum + processCpuSeconds(pid), 0)
  const cpu0 = processCpuSeconds(options.pid)
  const pg0 = pgSeconds()
  const m0 = machineCpu()
  const t0 = performance.now()
  let peakRssMiB = processMemory(options.pid).rssMiB
  const sampler = setInterval(() => { peakRssMiB = Math.max(peakRssMiB, processMemory(options.pid).rssMiB) }, 100)
  let result: Awaited<ReturnType<typeof autocannon>>
  try {
    result = await autocannon({
      url: options.url,
      method: options.method,
      connections: options.connections,
      duration: options.seconds,
      ...(options.body !== undefined && { body: options.body, headers: { 'content-type': 'application/json' } })
    })
  } finally {
    clearInterval(sampler)
  }
  const seconds = (performance.now() - t0) / 1000
  const cpu1 = processCpuSeconds(options.pid)
  const pg1 = pgSeconds()
  const m1 = machineCpu()
  return {
    rps: result['2xx'] / (result.duration > 0 ? result.duration : options.seconds),
    allRps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    non2xxStatuses: Object.entries(result.statusCodeStats).filter(([status]) => !status.startsWith('2')).map(([status, { count }]) => `${status}×${count}`).join(' '),
    errors: result.errors,
    timeouts: result.timeouts,
    serverCpu: (100 * (cpu1 - cpu0)) / seconds,
    pgCpu: options.pgPids === undefined ? NaN : (100 * (pg1 - pg0)) / seconds,
    machineBusy: busyPercent(m0, m1),
    load1: load1(),
    peakRssMiB
  }
}

/**
 * Waits until the server is idle again (requests abandoned by the load generator keep it busy) and
 * returns the machine's busy % over the last window: the background load of other processes.
 */
export async function settle (pid: number, { maxMs = 5000, windowMs = 500 } = {}): Promise<number> {
  const start = performance.now()
  let busy = 0
  for (;;) {
    const cpu0 = processCpuSeconds(pid)
    const m0 = machineCpu()
    await new Promise(resolve => setTimeout(resolve, windowMs))
    busy = busyPercent(m0, machineCpu())
    const serverShare = (100 * (processCpuSeconds(pid) - cpu0)) / (windowMs / 1000)
    if (serverShare < 5 || performance.now() - start > maxMs) return busy
  }
}
