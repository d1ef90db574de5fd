import type { Socket } from 'node:net'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { errorEnvelope, ServiceUnavailableError, StatementCancelledError, VellumError, type ErrorEnvelope } from '../errors.js'
import { contextOf, replyFromContext, unwindAll } from '../hooks/index.js'
import { loggableError } from '../logger.js'

/**
 * Fastify's own client errors (bad JSON, body too large, unsupported media type, and in the standalone server
 * a malformed URL or an over-long path parameter) mapped to Strapi's names; http-errors' names where Strapi has
 * no class of its own.
 */
function fromFastifyError (error: FastifyError): ErrorEnvelope | undefined {
  const status = error.statusCode
  if (status === undefined || status >= 500) return undefined
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errorEnvelope(413, 'PayloadTooLargeError', 'request entity too large', {})
    case 'FST_ERR_BAD_URL':
      return errorEnvelope(400, 'BadRequestError', 'Malformed URL: a path segment is not valid percent-encoding', {})
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return errorEnvelope(414, 'URITooLongError', 'A path parameter is longer than the server accepts', {})
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return errorEnvelope(400, 'ValidationError', `Malformed JSON body: ${error.message}`, {})
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return errorEnvelope(415, 'UnsupportedMediaTypeError', error.message, {})
    case 'FST_ERR_VALIDATION':
      return errorEnvelope(400, 'ValidationError', error.message, { errors: error.validation ?? [] })
  }
  if (error instanceof SyntaxError) return errorEnvelope(400, 'ValidationError', `Malformed JSON body: ${error.message}`, {})
  return errorEnvelope(status, 'ApplicationError', error.message, {})
}

/** The error handler of vellum's own scope; the host's handler is never replaced. */
export function handleError (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): ErrorEnvelope {
  let body: ErrorEnvelope | undefined
  if (error instanceof StatementCancelledError) {
    if (request.raw.destroyed || reply.raw.destroyed) {
      // A statement cancelled for a client that went away (bounds.ts): nobody reads this answer.
      request.log.info({ method: request.method, url: request.url }, 'the client closed the request before the answer')
      reply.code(499)
      return errorEnvelope(499, 'RequestAbortedError', 'The client closed the request', {})
    }
    request.log.warn('statement cancelled: it ran longer than bounds.statementTimeout')
  }
  // A 503 (writes that kept meeting others, already logged) tells the client to try again: it keeps its envelope.
  if (error instanceof VellumError && (error.statusCode < 500 || error instanceof ServiceUnavailableError)) {
    body = errorEnvelope(error.statusCode, error.name, error.message, error.details)
  } else if (!(error instanceof VellumError)) {
    body = fromFastifyError(error as FastifyError)
  }
  if (body === undefined) {
    // The real error is only logged (without SQL bind parameters); clients get a generic message.
    request.log.error({ err: loggableError(error) }, 'request failed')
    body = errorEnvelope(500, 'InternalServerError', 'Internal Server Error')
  }
  reply.code(body.error.status).type('application/json; charset=utf-8')
  return body
}

/**
 * Errors first travel back up the middleware chain (an upstream middleware may catch one and answer);
 * whatever is still unhandled gets the envelope.
 */
export async function handlePipelineError (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const unhandled = await unwindAll(request, reply, error)
  const ctx = contextOf(request)
  if (unhandled === undefined && ctx !== undefined) return replyFromContext(reply, ctx)
  return handleError((unhandled ?? error) as Error, request, reply)
}

/** No route matched: the global middlewares still see the request and its 404 on the way out. */
export async function handleNotFound (request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const unhandled = await unwindAll(request, reply)
  const ctx = contextOf(request)
  if (unhandled !== undefined) return handleError(unhandled as Error, request, reply)
  if (ctx === undefined) {
    reply.code(404)
    return errorEnvelope(404, 'NotFoundError', 'Not Found', {})
  }
  return replyFromContext(reply, ctx)
}

/** Fastify's `frameworkErrors` (standalone server): a malformed URL or an over-long parameter, in the envelope. */
export function handleFrameworkError (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.send(handleError(error, request, reply))
}

/** Node's parser errors, answered before Fastify sees a request: status, http-errors name, message. */
function clientErrorOf (code: string | undefined): [number, string, string] {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return [431, 'RequestHeaderFieldsTooLargeError', 'Request Header Fields Too Large']
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, 'RequestTimeoutError', 'Request Timeout']
    default:
      return [400, 'BadRequestError', 'Bad Request']
  }
}

/**
 * Fastify's `clientErrorHandler` (standalone server): a request Node's HTTP parser refused (headers too large
 * or too many, invalid bytes in the request line or a header) still gets the envelope, then the connection
 * closes as Node does. A connection the client already reset gets nothing.
 */
export function handleClientError (this: { log: { debug: (obj: object, msg: string) => void } }, error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const [status, name, message] = clientErrorOf(error.code)
  // Not the error itself: its rawPacket holds the request's bytes, credentials included.
  this.log.debug({ code: error.code, statusCode: status }, `client error: ${error.message}`)
  if (socket.writable) {
    const body = JSON.stringify(errorEnvelope(status, name, message, {}))
    socket.write(`HTTP/1.1 ${status} ${message}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`)
  }
  socket.destroy(error)
}
