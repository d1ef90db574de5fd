import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { errorEnvelope, ServiceUnavailableError, VellumError, type ErrorEnvelope } from '../errors.js'
import { contextOf, replyFromContext, unwindAll } from '../hooks/index.js'

/** Fastify's own client errors (bad JSON, body too large, unsupported media type) mapped to Strapi's names. */
function fromFastifyError (error: FastifyError): ErrorEnvelope | undefined {
  const status = error.statusCode
  if (status === undefined || status >= 500) return undefined
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errorEnvelope(413, 'PayloadTooLargeError', 'request entity too large')
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
  // A 503 (writes that kept meeting others, already logged) tells the client to try again: it keeps its envelope.
  if (error instanceof VellumError && (error.statusCode < 500 || error instanceof ServiceUnavailableError)) {
    body = errorEnvelope(error.statusCode, error.name, error.message, error.details)
  } else if (!(error instanceof VellumError)) {
    body = fromFastifyError(error as FastifyError)
  }
  if (body === undefined) {
    // The real error is only logged; clients get a generic message.
    request.log.error({ err: error }, 'request failed')
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
