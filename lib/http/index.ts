import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import type { Vellum } from '../types.js'
import { handleError, handleNotFound } from './errors.js'

export interface HttpScopeOptions {
  vellum: Vellum
}

/**
 * vellum's encapsulated scope: everything here (error and 404 formats, parsers, hooks) stays inside it and
 * never changes the host's behaviour.
 */
export const httpScope: FastifyPluginAsync<HttpScopeOptions> = async function vellumHttp (app: FastifyInstance, { vellum }) {
  app.setErrorHandler(handleError)

  app.get('/_health', async () => ({ status: 'ok' }))

  const restPrefix = vellum.config.rest.prefix
  if (restPrefix !== '') {
    // The content API's own scope, so a 404 under it gets Strapi's envelope while the host keeps its own.
    await app.register(async function vellumContentApi (api) {
      api.setNotFoundHandler(handleNotFound)
    }, { prefix: restPrefix })
  }
}
