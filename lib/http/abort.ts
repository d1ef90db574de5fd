import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

/** Runs `fn` so that the statements it starts are cancelled when `signal` aborts (lib/db `cancellable`). */
export type Cancellable = <T>(signal: AbortSignal, fn: () => T) => T

/**
 * A request whose client goes away before its response is sent cancels the statements it is running: each
 * request gets an AbortSignal, aborted when the connection closes first, and its handler runs in that
 * signal's scope.
 */
export function cancelOnAbort (app: FastifyInstance, cancellable: Cancellable): void {
  const signals = new WeakMap<FastifyRequest, AbortSignal>()
  // Callback hooks: the rest of the request runs inside `done`, so inside the scope.
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const controller = new AbortController()
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) controller.abort()
    })
    signals.set(request, controller.signal)
    done()
  })
  app.addHook('preHandler', (request: FastifyRequest, _reply: FastifyReply, done: () => void) => {
    const signal = signals.get(request)
    if (signal === undefined) done()
    else cancellable(signal, done)
  })
}
