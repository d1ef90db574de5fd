import { PassThrough, type Readable } from 'node:stream'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { RequestTimeoutError } from '../errors.js'

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
      // Ended by us (its bytes may still be on their way): not an abort.
      if (!reply.raw.writableEnded) controller.abort()
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

/**
 * A body must have arrived `ms` after its request's headers (`bounds.bodyTimeout`), else the request is
 * answered 408 in the envelope and its connection closed: a body that trickles in, a byte every few seconds,
 * holds a connection and a parser no longer.
 */
export function cutSlowBodies (app: FastifyInstance, ms: number): void {
  if (ms === 0) return
  app.addHook('preParsing', (request: FastifyRequest, reply: FastifyReply, payload: Readable, done: (err: Error | null, body?: Readable) => void) => {
    // Already all there (small bodies often are, injected ones always).
    if (request.raw.complete) {
      done(null, payload)
      return
    }
    const body = new PassThrough()
    const timer = setTimeout(() => {
      payload.unpipe(body)
      reply.header('connection', 'close')
      body.destroy(new RequestTimeoutError(`The request body did not arrive within ${ms} ms (bounds.bodyTimeout)`, { limit: 'bounds.bodyTimeout', max: ms }))
    }, ms)
    const stop = (): void => { clearTimeout(timer) }
    // The body arrived, or the request is over (answered without reading it all, or its client gone).
    payload.once('end', stop)
    reply.raw.once('close', stop)
    payload.once('error', (err) => { body.destroy(err) })
    // Read by the body parser, which handles its errors; a body nobody reads has nobody to tell.
    body.on('error', () => {})
    done(null, payload.pipe(body))
  })
}
