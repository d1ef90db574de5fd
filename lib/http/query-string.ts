import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction, onRequestHookHandler } from 'fastify'
import type { Vellum } from '../types.js'
import { createQueryStringParser } from './query/index.js'

/** The `onRequest` hook reading Strapi's query syntax (`filters[title][$eq]=x`) with qs, for vellum's routes only. */
export function createQueryStringHook (rest: Vellum['config']['rest']): onRequestHookHandler {
  const parseQueryString = createQueryStringParser(rest)
  return function vellumQuery (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
    const at = request.url.indexOf('?')
    // An empty body is no body, whatever its Content-Type (as koa-body reads it): @strapi/client sends
    // `Content-Type: application/json` on every request, DELETE included, which Fastify's JSON parser refuses.
    const length = request.headers['content-length']
    if ((length === undefined || length === '0') && request.headers['transfer-encoding'] === undefined) {
      delete request.headers['content-type']
    }
    try {
      request.query = at === -1 ? {} : parseQueryString(request.url.slice(at + 1))
      done()
    } catch (error) {
      done(error as Error)
    }
  }
}
