/**
 * vellum as a process, the way a user runs it: `Fastify()` + `register(vellum, { dir, database: { url },
 * permissions: { public: '*' } })` on the reference model. `DATABASE_URL=... PORT=... node --import tsx
 * benchmarks/vellum/server.ts`. Reports `{ ready: true, bootMs, phases }` to its parent (IPC) once
 * listening; closes cleanly on SIGTERM/SIGINT (so `--cpu-prof` writes its profile).
 */
import { MODEL_DIR } from '../env.js'
import { at, listenAndReport } from '../listen.js'

const url = process.env.DATABASE_URL
if (url === undefined) throw new Error('DATABASE_URL is required')
const started = at()
// Imported here rather than statically, to time module loading apart from the plugin's boot.
const [{ default: Fastify }, { default: vellum }] = await Promise.all([import('fastify'), import('../../lib/plugin.js')])
const imported = at()
const app = Fastify({ logger: false })
await app.register(vellum, {
  dir: MODEL_DIR,
  database: { url, ...(process.env.POOL_MAX !== undefined && { max: Number(process.env.POOL_MAX) }) },
  permissions: { public: '*' },
  // Scenario e populates every article of every category (10,000 and more): over the default bound of related
  // rows per read, which the hand-written baseline does not have.
  bounds: { maxPopulatedRows: 1_000_000 }
})
await listenAndReport(app, { started, imported })
