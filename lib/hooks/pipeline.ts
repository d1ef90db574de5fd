import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { ClientError, errorEnvelope, PolicyError, type ErrorSpec } from '../errors.js'
import { compose, type Middleware } from '../compose.js'
import { createContext, hasExplicitStatus, JsonText, type RequestContext, responseBody } from './context.js'

/**
 * Strapi's request flow on Fastify's lifecycle. Global middlewares start in `onRequest`; their innermost
 * `next()` lets Fastify go on (parsing, validation, `preHandler`) and settles only when the route is done.
 * Policies and route middlewares start in `preHandler` the same way. The handler runs the controller, then
 * unwinds the route middlewares and the global ones, so every `await next()` resumes before serialization and
 * the code after it can still change status, headers and body.
 */

export type ContextMiddleware = Middleware<RequestContext>
/** A policy bound to its config: true/undefined lets the request through, anything else is a PolicyError. */
export type BoundPolicy = (ctx: RequestContext) => unknown
export type Controller = (ctx: RequestContext) => unknown

/** One suspended middleware chain: its innermost `next()` waits for `resume`. */
interface Stage {
  entered: boolean
  settled: boolean
  resume: (error?: unknown) => void
  done: Promise<void>
}

interface Flow {
  ctx: RequestContext
  global?: Stage
  route?: Stage
}

const kFlow = Symbol('vellum.flow')
type WithFlow = FastifyRequest & { [kFlow]?: Flow }

export function contextOf (request: FastifyRequest): RequestContext | undefined {
  return (request as WithFlow)[kFlow]?.ctx
}

function flowOf (request: FastifyRequest, reply: FastifyReply): Flow {
  const holder = request as WithFlow
  let flow = holder[kFlow]
  if (flow === undefined) {
    flow = { ctx: createContext(request, reply) }
    holder[kFlow] = flow
  }
  return flow
}

/**
 * Starts a chain. `proceed` is called when its innermost `next()` is reached; the returned stage's `done`
 * settles once the chain has run to its end (both ways).
 */
function startStage (run: (ctx: RequestContext, last: () => Promise<void>) => Promise<void>, ctx: RequestContext, proceed: () => void, register: (stage: Stage) => void): Stage {
  let resume: (error?: unknown) => void = () => {}
  let finish: { resolve: () => void, reject: (error: unknown) => void } | undefined
  const done = new Promise<void>((resolve, reject) => { finish = { resolve, reject } })
  const stage: Stage = { entered: false, settled: false, resume: (error) => resume(error), done }
  // Registered, its `done` in place, before the chain runs: its innermost next() may let Fastify go on
  // synchronously, and what runs next (a policy refusing, the handler, a 404) must find the stage to unwind.
  register(stage)
  run(ctx, () => {
    stage.entered = true
    return new Promise<void>((resolve, reject) => {
      resume = (error) => { error === undefined ? resolve() : reject(error) }
      proceed()
    })
  }).then(() => {
    stage.settled = true
    finish?.resolve()
  }, (error: unknown) => {
    stage.settled = true
    finish?.reject(error)
  })
  return stage
}

/** Lets a suspended chain finish, passing it the downstream error if any; returns the error still unhandled. */
async function unwind (stage: Stage | undefined, error: unknown): Promise<unknown> {
  if (stage === undefined || stage.settled) return error
  if (stage.entered) stage.resume(error)
  try {
    await stage.done
    return undefined
  } catch (downstream) {
    return downstream
  }
}

/** Unwinds whatever is still suspended for this request (route middlewares, then global ones). */
export async function unwindAll (request: FastifyRequest, reply: FastifyReply, error?: unknown): Promise<unknown> {
  const flow = flowOf(request, reply)
  // Most routes have no middleware of their own: no route stage to wait for.
  const afterRoute = flow.route === undefined ? error : await unwind(flow.route, error)
  return await unwind(flow.global, afterRoute)
}

const NOT_FOUND = errorEnvelope(404, 'NotFoundError', 'Not Found', {})

/** Writes ctx.status/ctx.body to the reply. A handler that set nothing is a 404, as in Strapi. */
export function replyFromContext (reply: FastifyReply, ctx: RequestContext): unknown {
  const body = responseBody(ctx)
  if (body === undefined && !hasExplicitStatus(ctx)) {
    reply.code(404)
    return NOT_FOUND
  }
  reply.code(ctx.status)
  if (ctx.status === 204 || body === undefined || body === null) return undefined
  if (!(body instanceof JsonText)) return body
  // A string is sent as it is once the type says JSON.
  if (!reply.hasHeader('content-type')) reply.type('application/json; charset=utf-8')
  return body.text
}

function sendFromContext (reply: FastifyReply, ctx: RequestContext): void {
  reply.send(replyFromContext(reply, ctx))
}

/** The `onRequest` hook running the global middlewares. */
export function createGlobalHook (middlewares: readonly ContextMiddleware[]) {
  const run = compose(middlewares)
  return function vellumGlobalMiddlewares (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const flow = flowOf(request, reply)
    const stage = startStage(run, flow.ctx, () => done(), (started) => { flow.global = started })
    stage.done.then(() => {
      // Returned without calling next(): answer now; everything downstream is skipped.
      if (!stage.entered) sendFromContext(reply, flow.ctx)
    }, (error: unknown) => {
      if (!stage.entered) done(error as Error)
    })
  }
}

/**
 * 499 (nginx's "client closed request"): the client went away before the answer. The middlewares still unwind
 * and see it; it is a client's doing, so it is no server failure in the logs.
 */
export class RequestAbortedError extends ClientError {
  static override readonly spec: ErrorSpec = { name: 'RequestAbortedError', code: 'VELLUM_ERR_REQUEST_ABORTED', statusCode: 499, message: 'The client closed the request' }
}

/**
 * At the response's end: a reply sent by something outside the pipeline (another hook) must not leave a chain
 * suspended forever; it is released with an error its middlewares may see.
 */
export function releaseSuspended (request: FastifyRequest, error?: Error): void {
  const flow = (request as WithFlow)[kFlow]
  if (flow === undefined) return
  // Called on every response, where nothing is suspended any more: the error (a stack captured) only when used.
  if (isSuspended(flow.route)) release(flow.route, error ??= outsideChain())
  if (isSuspended(flow.global)) release(flow.global, error ?? outsideChain())
}

function isSuspended (stage: Stage | undefined): stage is Stage {
  return stage !== undefined && stage.entered && !stage.settled
}

function release (stage: Stage, error: Error): void {
  stage.done.catch(() => {})
  stage.resume(error)
}

function outsideChain (): Error {
  return new Error('the response was sent outside the middleware chain')
}

/** The client disconnected before the answer: logged at info, and the chain released with a RequestAbortedError. */
export function releaseAborted (request: FastifyRequest): void {
  request.log.info({ method: request.method, url: request.url }, 'the client closed the request before the answer')
  releaseSuspended(request, new RequestAbortedError())
}

function isThenable (value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
}

function checkPolicyResult (result: unknown): void {
  if (result !== true && result !== undefined) throw new PolicyError()
}

/**
 * Runs the policies in order; undefined when they all answered synchronously (most do: the access check
 * among them), else a promise of the rest. A policy that throws synchronously throws here.
 */
function runPolicies (policies: readonly BoundPolicy[], ctx: RequestContext, from = 0): Promise<void> | undefined {
  for (let i = from; i < policies.length; i++) {
    const result = (policies[i] as BoundPolicy)(ctx)
    if (isThenable(result)) {
      return Promise.resolve(result).then((settled) => {
        checkPolicyResult(settled)
        return runPolicies(policies, ctx, i + 1)
      })
    }
    checkPolicyResult(result)
  }
  return undefined
}

export interface RouteStages {
  policies: readonly BoundPolicy[]
  middlewares: readonly ContextMiddleware[]
  controller: Controller
}

/** The `preHandler` hook (policies, then route middlewares) and the handler (controller, then unwinding). */
export function createRouteHandlers ({ policies, middlewares, controller }: RouteStages) {
  const run = compose(middlewares)

  function preHandler (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const flow = flowOf(request, reply)
    const shortCircuit = (error?: unknown): void => {
      // The route did not reach its controller: the global middlewares still run their code after next().
      unwindAll(request, reply, error).then((unhandled) => {
        if (unhandled === undefined) sendFromContext(reply, flow.ctx)
        else done(unhandled as Error)
      }, done)
    }
    const enterMiddlewares = (): void => {
      // No route middleware: nothing to suspend, the handler comes next.
      if (middlewares.length === 0) return done()
      const stage = startStage(run, flow.ctx, () => done(), (started) => { flow.route = started })
      stage.done.then(() => { if (!stage.entered) shortCircuit() }, (error: unknown) => { if (!stage.entered) shortCircuit(error) })
    }
    let pending: Promise<void> | undefined
    try {
      pending = runPolicies(policies, flow.ctx)
    } catch (error) {
      return shortCircuit(error)
    }
    if (pending === undefined) enterMiddlewares()
    else pending.then(enterMiddlewares, shortCircuit)
  }

  async function handler (request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const flow = flowOf(request, reply)
    const ctx = flow.ctx
    let error: unknown
    try {
      const result = await controller(ctx)
      // As in Strapi, a null result is "nothing returned": with no body set, the answer is a 404.
      if (result !== undefined && result !== null && responseBody(ctx) === undefined) ctx.body = result
    } catch (thrown) {
      error = thrown
    }
    const unhandled = await unwindAll(request, reply, error)
    if (unhandled !== undefined) throw unhandled
    return replyFromContext(reply, ctx)
  }

  return { preHandler, handler }
}
