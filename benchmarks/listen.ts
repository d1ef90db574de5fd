import type { FastifyInstance } from 'fastify'

/** Milliseconds since the process started: the boot phases are measured with it. */
export const at = (): number => process.uptime() * 1000

/**
 * The end of both benchmark servers' boot, shared so they are timed the same way: ready, listen on
 * 127.0.0.1:PORT, report `{ ready: true, bootMs, phases }` to the parent (IPC), and close cleanly on
 * SIGTERM/SIGINT (so `--cpu-prof` writes its profile).
 */
export async function listenAndReport (app: FastifyInstance, marks: { started: number, imported: number }): Promise<void> {
  await app.ready()
  const ready = at()
  await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) })
  const listening = at()
  process.send?.({
    ready: true,
    bootMs: listening,
    phases: { node: marks.started, imports: marks.imported - marks.started, register: ready - marks.imported, listen: listening - ready }
  })
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      app.close().then(() => process.exit(0), () => process.exit(1))
    })
  }
}
