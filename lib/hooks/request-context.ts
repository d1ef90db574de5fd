import { AsyncLocalStorage } from 'node:async_hooks'
import type { RequestContext } from './context.js'

/**
 * The request a controller runs for, from anywhere below it (Strapi's `strapi.requestContext.get()`): Document
 * Service middlewares and lifecycles read `ctx.state.user` and `ctx.state.auth` through it. One store per
 * plugin instance, so two instances never see each other's requests.
 */
export interface RequestContextStore {
  /** The current request's ctx, undefined outside a controller (a script, bootstrap, a CLI command). */
  get: () => RequestContext | undefined
  /** Runs `fn` with `ctx` as the current request. */
  run: <T>(ctx: RequestContext, fn: () => T) => T
}

export function createRequestContextStore (): RequestContextStore {
  const storage = new AsyncLocalStorage<RequestContext>()
  return {
    get: () => storage.getStore(),
    run: (ctx, fn) => storage.run(ctx, fn)
  }
}
