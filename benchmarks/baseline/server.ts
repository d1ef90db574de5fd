/**
 * The baseline as a process: `DATABASE_URL=... PORT=... node --import tsx benchmarks/baseline/server.ts`.
 * Reports `{ ready: true, bootMs, phases }` to its parent (IPC) once listening; closes cleanly on
 * SIGTERM/SIGINT.
 */
const url = process.env.DATABASE_URL
if (url === undefined) throw new Error('DATABASE_URL is required')
const at = (): number => process.uptime() * 1000
const started = at()
const [{ default: postgres }, { buildBaseline }] = await Promise.all([import('postgres'), import('./app.js')])
const imported = at()
const sql = postgres(url, { max: Number(process.env.POOL_MAX ?? 10), onnotice: () => {} })
const app = buildBaseline({ sql })
app.addHook('onClose', async () => { await sql.end({ timeout: 5 }) })
await app.ready()
const ready = at()
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) })
const listening = at()
process.send?.({
  ready: true,
  bootMs: listening,
  phases: { node: started, imports: imported - started, register: ready - imported, listen: listening - ready }
})

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    app.close().then(() => process.exit(0), () => process.exit(1))
  })
}
