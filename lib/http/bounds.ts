import { PassThrough, type Readable } from 'node:stream'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { RequestTimeoutError } from '../errors.js'
import { releaseAborted, releaseSuspended } from '../hooks/index.js'

/** Per request: whether its client went away before the answer, and the signal handed out for it, if asked. */
interface Watch {
  gone: boolean
  controller?: AbortController
}

// A property of the request rather than a WeakMap entry: set on every request, read by few.
const kWatch = Symbol('vellum.watch')
type Watched = FastifyRequest & { [kWatch]?: Watch }

/**
 * The request's AbortSignal, aborted when its client goes away before the response is sent (`watchRequestEnd`):
 * handed down with the statements the request starts, which are cancelled then. Undefined outside
 * vellum's routes. Made on first use: most requests never ask.
 */
export function requestSignal (request: FastifyRequest): AbortSignal | undefined {
  const watch = (request as Watched)[kWatch]
  if (watch === undefined) return undefined
  if (watch.controller === undefined) {
    watch.controller = new AbortController()
    if (watch.gone) watch.controller.abort()
  }
  return watch.controller.signal
}

/** Controllers no request aborted, for the next pass-through read: making one is ~1% of a small read's CPU. */
const spare: AbortController[] = []
const SPARE_MAX = 64

/**
 * Runs a read that hands the request's signal to its statements and is over (every statement settled, so their
 * abort listeners are gone) when its promise settles: the core controllers' pass-through. Its controller is
 * borrowed from a pool for that time and given back unless it was aborted; a request that already has a
 * signal, or whose client already left, uses its own.
 */
export async function withRequestSignal<T> (request: FastifyRequest, read: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
  const watch = (request as Watched)[kWatch]
  if (watch === undefined || watch.gone || watch.controller !== undefined) return await read(requestSignal(request))
  const controller = spare.pop() ?? new AbortController()
  watch.controller = controller
  try {
    return await read(controller.signal)
  } finally {
    watch.controller = undefined
    if (!controller.signal.aborted && spare.length < SPARE_MAX) spare.push(controller)
  }
}

/**
 * The end of each request, seen from one listener on its response's `close`. A request whose client goes away
 * before its response is sent cancels the statements it is running (they were started with its
 * `requestSignal`, passed explicitly, so no async-context scope is entered per request), is logged at info, and
 * its suspended middleware chains are released with a RequestAbortedError. A request answered by something
 * outside the pipeline (another hook) has its chains released too. One listener instead of Fastify's
 * `onResponse` and `onRequestAbort` hooks, which cost a hook run and two to three more listeners per request.
 */
export function watchRequestEnd (app: FastifyInstance): void {
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const watch: Watch = { gone: false }
    const response = reply.raw
    response.once('close', () => {
      // Ended by us (its bytes may still be on their way): not an abort.
      if (response.writableEnded) return releaseSuspended(request)
      watch.gone = true
      watch.controller?.abort()
      releaseAborted(request)
    })
    ;(request as Watched)[kWatch] = watch
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
