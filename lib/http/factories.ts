import type {
  Controller, ControllerFactory, CoreRouter, CoreRouterConfig, FactoryDeps, Service, ServiceFactory
} from './types.js'

/**
 * Strapi's factories. They only record what was asked; the plugin builds the real objects once the model
 * and the decorator exist, so a project file can call them at import time.
 */

type Extension<T> = ((deps: FactoryDeps) => T) | T

export function createCoreRouter (uid: string, config: CoreRouterConfig = {}): CoreRouter {
  return { kind: 'core-router', uid, config }
}

/**
 * `createCoreController(uid, ({ vellum }) => ({ async find (ctx) { return await super.find(ctx) } }))`: the
 * returned object's prototype is the core controller, so `super.<action>` and `this.sanitizeOutput` work
 * and actions it does not define fall back to the core ones.
 */
export function createCoreController<T extends Controller> (uid: string, extension?: Extension<T & ThisType<T & Controller>>): ControllerFactory {
  return { kind: 'controller-factory', uid, ...(extension !== undefined && { extend: toFunction(extension) }) }
}

export function createCoreService<T extends Service> (uid: string, extension?: Extension<T & ThisType<T & Service>>): ServiceFactory {
  return { kind: 'service-factory', uid, ...(extension !== undefined && { extend: toFunction(extension) }) }
}

function toFunction<T> (extension: Extension<T>): (deps: FactoryDeps) => T {
  return typeof extension === 'function' ? extension as (deps: FactoryDeps) => T : () => extension
}

/** Makes `core` the prototype of the user's object (Strapi's own mechanism behind `super`). */
export function extendCore<T extends object> (core: T, extend: ((deps: FactoryDeps) => object) | undefined, deps: FactoryDeps): T {
  if (extend === undefined) return core
  const custom = extend(deps)
  if (typeof custom !== 'object' || custom === null) throw new TypeError('a controller or service factory must return an object')
  Object.setPrototypeOf(custom, core)
  return custom as T
}
