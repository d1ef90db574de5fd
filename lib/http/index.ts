import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import { createBodyDepthHook, type RequestContextStore } from '../hooks/index.js'
import type { Vellum } from '../types.js'
import { registerContentApi } from './content-api.js'
import { handlePipelineError } from './errors.js'
import { registerHealthRoutes } from './health.js'
import { registerGlobalMiddlewares, resolveGlobalMiddlewares } from './middlewares/index.js'
import { createQueryStringHook } from './query-string.js'
import { buildRegistries, type Registries } from './registries.js'
import { registerUploadsStatic } from './upload.js'
import type { FactoryDeps, ProjectCode } from './types.js'
export type * from './types.js'
export { cutSlowBodies, requestSignal, watchRequestEnd } from './bounds.js'

export interface HttpScopeOptions extends Registries {
  vellum: Vellum
  code: ProjectCode
  /** Where controllers run, so `vellum.requestContext.get()` finds their request. */
  requestContext: RequestContextStore
}

/**
 * vellum's encapsulated scope: query parsing, the global middlewares, the error and 404 formats and the
 * content API live here and never change the host's behaviour. Composition only: each part has its module.
 */
export const httpScope: FastifyPluginAsync<HttpScopeOptions> = async function vellumHttp (app: FastifyInstance, options) {
  const { vellum, code } = options
  const deps: FactoryDeps = { vellum, strapi: vellum.strapi }
  buildRegistries(vellum, code, options, options.requestContext)
  app.addHook('onRequest', createQueryStringHook(vellum.config.rest))
  app.addHook('preValidation', createBodyDepthHook(vellum.config.input.maxDepth))

  const projectDir = vellum.config.dir
  const resolveOptions = { registry: code.middlewares, deps, log: app.log, ...(projectDir !== undefined && { projectDir }) }
  // Built-ins that are Fastify plugins (helmet, cors) first, then the chain's onRequest hook.
  await registerGlobalMiddlewares(app, await resolveGlobalMiddlewares(code.globalMiddlewares, resolveOptions))
  // The chains' release at the response's end (or the client's departure) is watchRequestEnd's, in the parent scope.
  app.setErrorHandler(handlePipelineError)

  registerHealthRoutes(app, vellum, vellum.config.health)
  await registerUploadsStatic(app, vellum)
  await registerContentApi(app, vellum, code, options.controllers, resolveOptions, options.requestContext)
}
