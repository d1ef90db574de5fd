/**
 * The baseline as a process: `DATABASE_URL=... PORT=... node --import tsx benchmarks/baseline/server.ts`.
 * Reports `{ ready: true, bootMs, phases }` to its parent (IPC) once listening; closes cleanly on
 * SIGTERM/SIGINT.
 */
import { at, listenAndReport } from '../listen.js'

const url = process.env.DATABASE_URL
if (url === undefined) throw new Error('DATABASE_URL is required')
const started = at()
const [{ default: postgres }, { buildBaseline }] = await Promise.all([import('postgres'), import('./app.js')])
const imported = at()
const sql = postgres(url, { max: Number(process.env.POOL_MAX ?? 10), onnotice: () => {} })
const app = buildBaseline({ sql })
app.addHook('onClose', async () => { await sql.end({ timeout: 5 }) })
await listenAndReport(app, { started, imported })
