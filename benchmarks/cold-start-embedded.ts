/**
 * `node --import tsx benchmarks/cold-start-embedded.ts [--runs N]` — cold start of the standalone server
 * (`node bin/vellum.js start --dir <project>`, compiled dist/: run `npm run build` first) to its first 200 on
 * `GET /api/articles`, on a private copy of examples/blog, per database:
 *
 * - embedded, new data directory, PGlite template cached (the usual first boot of a project);
 * - embedded, new data directory, no template yet (the first boot ever on a machine: an empty VELLUM_CACHE_DIR);
 * - embedded, existing data directory (a restart);
 * - PostgreSQL, a new empty database (DATABASE_URL; the server of BENCH_ADMIN_URL / DATABASE_URL / localhost),
 *   the figure to set the others against (benchmarks/run.ts measures the benchmark server's own cold start).
 *
 * Prints each start and the median per case, in ms. Outside CI; compare on one machine only.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { adminUrl, createDatabase, dropDatabase, ROOT } from './env.js'
import { status } from './servers.js'

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '5' } } })
const runs = Number(args.runs)

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => { typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')) })
    })
  })
}

/** A private copy of examples/blog without its data. */
async function project (): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vellum-cold-'))
  await cp(join(ROOT, 'examples', 'blog'), dir, { recursive: true, filter: source => !source.includes('.vellum') })
  return dir
}

/** Spawn → first 200 on /api/articles, in ms; the server is stopped (SIGTERM) afterwards. */
async function coldStart (dir: string, env: Record<string, string>): Promise<number> {
  const port = await freePort()
  const started = performance.now()
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'bin', 'vellum.js'), 'start', '--dir', dir], {
    env: { ...process.env, DATABASE_URL: '', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit']
  })
  const exit = new Promise<void>(resolve => child.once('exit', () => resolve()))
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode} before answering`)
      if (await status(`http://127.0.0.1:${port}/api/articles`) === 200) return performance.now() - started
      if (performance.now() - started > 120_000) throw new Error('no 200 within 120 s')
      await sleep(5)
    }
  } finally {
    child.kill('SIGTERM')
    await exit
  }
}

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

async function measureCase (name: string, once: () => Promise<number>): Promise<void> {
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    times.push(await once())
    await sleep(500)
  }
  process.stdout.write(`${name}: median ${median(times).toFixed(0)} ms (${times.map(x => x.toFixed(0)).join(', ')})\n`)
}

const scratch: string[] = []
try {
  // Warm the template cache (and the OS file cache) once, unmeasured.
  const warm = await project()
  scratch.push(warm)
  await coldStart(warm, {})

  await measureCase('embedded, new data directory, template cached', async () => {
    const dir = await project()
    scratch.push(dir)
    return await coldStart(dir, {})
  })
  await measureCase('embedded, new data directory, no template yet (first boot on this machine)', async () => {
    const dir = await project()
    const cache = await mkdtemp(join(tmpdir(), 'vellum-cold-cache-'))
    scratch.push(dir, cache)
    return await coldStart(dir, { VELLUM_CACHE_DIR: cache })
  })
  await measureCase('embedded, existing data directory (restart)', async () => await coldStart(warm, {}))

  const admin = adminUrl()
  await measureCase('PostgreSQL, new empty database', async () => {
    const dir = await project()
    scratch.push(dir)
    const database = await createDatabase(admin, 'cold')
    try {
      return await coldStart(dir, { DATABASE_URL: database.url })
    } finally {
      await dropDatabase(admin, database.name)
    }
  })
} finally {
  await Promise.all(scratch.map(dir => rm(dir, { recursive: true, force: true })))
}
