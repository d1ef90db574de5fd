import type { RequestContextStore } from '../hooks/index.js'
import type { Vellum } from '../types.js'
import { isApiContentType } from '../content-types/index.js'
import { createCollectionController, createSingleTypeController } from './core/controller.js'
import { createCollectionService, createSingleTypeService } from './core/service.js'
import { extendCore } from './factories.js'
import { guardsFor } from './guards.js'
import type { Controller, ControllerFactory, FactoryDeps, ProjectCode, Service, ServiceFactory } from './types.js'

/** The registries behind `vellum.controller(uid)` and `vellum.service(uid)`. */
export interface Registries {
  controllers: Map<string, Controller>
  services: Map<string, Service>
}

function isFactory<T extends ControllerFactory | ServiceFactory> (value: unknown, kind: T['kind']): value is T {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === kind
}

/** A registered controller or service: the core one (for content types) extended by the project's, if any. */
function build<T extends object> (core: T, custom: unknown, kind: 'controller-factory' | 'service-factory', deps: FactoryDeps): T {
  if (custom === undefined) return core
  if (isFactory(custom, kind)) return extendCore(core, custom.extend, deps)
  // A plain object (Strapi allows `module.exports = { async action (ctx) {} }`) still falls back to the core.
  return extendCore(core, () => custom as object, deps)
}

/**
 * Fills the registries: core controllers and services for each content type, extended by the project's, then the
 * project's own for APIs without a content type.
 */
export function buildRegistries (vellum: Vellum, code: ProjectCode, { controllers, services }: Registries, requestContext: RequestContextStore): void {
  const deps: FactoryDeps = { vellum, strapi: vellum.strapi }
  for (const contentType of vellum.schema.contentTypes.values()) {
    if (!isApiContentType(contentType)) continue
    const coreDeps = { contentType, documents: vellum.documents, rest: vellum.config.rest }
    const service = contentType.kind === 'singleType' ? createSingleTypeService(coreDeps) : createCollectionService(coreDeps)
    services.set(contentType.uid, build(service, code.services.get(contentType.uid), 'service-factory', deps))
    const controllerDeps = { contentType, service: () => services.get(contentType.uid) as never, guards: guardsFor(contentType, vellum), inRequestContext: requestContext.run, currentRequest: requestContext.get, schema: vellum.schema }
    const controller = contentType.kind === 'singleType' ? createSingleTypeController(controllerDeps) : createCollectionController(controllerDeps)
    controllers.set(contentType.uid, build(controller, code.controllers.get(contentType.uid), 'controller-factory', deps))
  }
  // Controllers and services of APIs without a content type: custom actions only.
  for (const [uid, custom] of code.services) if (!services.has(uid)) services.set(uid, build({}, custom, 'service-factory', deps))
  for (const [uid, custom] of code.controllers) if (!controllers.has(uid)) controllers.set(uid, build({}, custom, 'controller-factory', deps))
}
