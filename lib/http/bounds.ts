import { PassThrough, type Readable } from 'node:stream'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { RequestTimeoutError } from '../errors.js'

/** Per request: whether its client went away before the answer, and the signal handed out for it, if asked. */
interface Watch {
  gone: boolean
  controller?: AbortController
}

const watches = new WeakMap<FastifyRequest, Watch>()

/**
 * The request's AbortSignal, aborted when its client goes away before the response is sent (`cancelOnAbort`):
 * handed down with the statements the request starts, which are cancelled then. Undefined outside
 * vellum's routes. Made on first use: most requests never ask.
 */
export function requestSignal (request: FastifyRequest): AbortSignal | undefined {
  const watch = watches.get(request)
  if (watch === undefined) return undefined
  if (watch.controller === undefined) {
    watch.controller = new AbortController()
    if (watch.gone) watch.controller.abort()
  }
  return watch.controller.signal
}

/**
 * A request whose client goes away before its response is sent cancels the statements it is running: they
 * were started with its `requestSignal`, aborted when the connection closes first. Passed explicitly, so no
 * async-context scope is entered per request.
 */
export function cancelOnAbort (app: FastifyInstance): void {
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const watch: Watch = { gone: false }
    reply.raw.once('close', () => {
      // Ended by us (its bytes may still be on their way): not an abort.
      if (reply.raw.writableEnded) return
      watch.gone = true
      watch.controller?.abort()
    })
    watches.set(request, watch)
    done()
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
    // Already all there (small bodies often are, injected ones always). A multipart upload is read from the raw
    // request by @fastify/multipart, so a pipe here would race it for the bytes; its size limits bound it, and
    // a large file legitimately takes longer than bodyTimeout (Node's requestTimeout still ends a stalled one).
    if (request.raw.complete || /^multipart\/form-data\b/i.test(request.headers['content-type'] ?? '')) {
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
