import { randomBytes } from 'node:crypto'
import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { BUILD_DIR } from './build.js'
import { MODEL_DIR, ROOT } from './env.js'

/** Starting and stopping the two servers as child processes, with cold start measured to the first 200. */

export type ServerName = 'vellum' | 'baseline'

export interface BootPhases { node: number, imports: number, register: number, listen: number }

export interface RunningServer {
  name: ServerName
  pid: number
  base: string
  /** Spawn → first 200 on the probe URL, in ms. */
  coldStartMs: number
  /** Process start → listening, as the server measured it (process.uptime), in ms. */
  bootMs: number
  /** Where boot went, ms: node (process start → first line), imports, register + ready, listen. */
  phases: BootPhases
  stop: () => Promise<void>
}

export interface StartOptions {
  databaseUrl: string
  port: number
  /** Run the TypeScript sources through tsx instead of the transpiled JavaScript. */
  tsx?: boolean
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeArgs?: string[]
  /** Path of the first request that must answer 200. */
  probe?: string
}

const ENTRY: Record<ServerName, string> = { vellum: 'benchmarks/vellum/server', baseline: 'benchmarks/baseline/server' }

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')))
    })
  })
}

/** The HTTP status of one GET, or 0 when nothing answers yet. */
export async function status (url: string): Promise<number> {
  try {
    const res = await fetch(url, { headers: { connection: 'close' } })
    await res.arrayBuffer()
    return res.status
  } catch {
    return 0
  }
}

export async function startServer (name: ServerName, options: StartOptions): Promise<RunningServer> {
  const entry = options.tsx === true ? join(ROOT, `${ENTRY[name]}.ts`) : join(BUILD_DIR, `${ENTRY[name]}.js`)
  const args = [...(options.tsx === true ? ['--import', 'tsx'] : []), ...(options.nodeArgs ?? []), entry]
  const started = performance.now()
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    // Production refuses to start without an API token salt and a JWT secret: throwaway ones (the benchmark creates no token nor user).
    env: { API_TOKEN_SALT: randomBytes(16).toString('base64'), JWT_SECRET: randomBytes(32).toString('base64'), ...process.env, NODE_ENV: 'production', DATABASE_URL: options.databaseUrl, PORT: String(options.port), BENCH_MODEL_DIR: MODEL_DIR },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  })
  let exited: number | null = null
  const exit = new Promise<void>((resolve) => child.once('exit', (code) => { exited = code ?? -1; resolve() }))
  let bootMs = 0
  let phases: BootPhases = { node: NaN, imports: NaN, register: NaN, listen: NaN }
  child.on('message', (m: { bootMs?: number, phases?: BootPhases }) => {
    if (typeof m.bootMs === 'number') bootMs = m.bootMs
    if (m.phases !== undefined) phases = m.phases
  })
  const base = `http://127.0.0.1:${options.port}`
  const probe = `${base}${options.probe ?? '/api/articles'}`
  for (;;) {
    if (exited !== null) throw new Error(`${name} exited with code ${String(exited)} before answering`)
    if (await status(probe) === 200) break
    if (performance.now() - started > 60_000) {
      child.kill('SIGKILL')
      throw new Error(`${name}: no 200 on ${probe} within 60 s`)
    }
    await sleep(5)
  }
  const coldStartMs = performance.now() - started
  return {
    name,
    pid: child.pid ?? 0,
    base,
    coldStartMs,
    get bootMs () { return bootMs },
    get phases () { return phases },
    async stop () {
      if (exited !== null) return
      child.kill('SIGTERM')
      const timeout = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exit
      clearTimeout(timeout)
    }
  }
}
