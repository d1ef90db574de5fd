import { compose } from '../compose.js'
import type { DocumentContext, DocumentMiddleware } from './types.js'

/**
 * Document Service middlewares (contract §13): `use(mw)` adds one around every action of every content type
 * and returns its remover. Registration order is the order they run in, first registered outermost. Each
 * call takes a snapshot of the list, so adding or removing one mid-call changes only later calls.
 */
export interface MiddlewareManager {
  use: (middleware: DocumentMiddleware) => () => void
  run: (ctx: DocumentContext, action: (ctx: DocumentContext) => Promise<unknown>) => Promise<unknown>
  /** True when no middleware is registered: nothing would see an action's params or result. */
  idle: () => boolean
}

export function createMiddlewareManager (): MiddlewareManager {
  let middlewares: DocumentMiddleware[] = []
  // Composed once per change of the list: a call runs the chain it started with.
  let chain = compose<DocumentContext, unknown>(middlewares)

  return {
    use (middleware) {
      if (typeof middleware !== 'function') throw new TypeError('documents.use expects a function (ctx, next) => result')
      // Wrapped so the same function registered twice is removed once per remover.
      const entry: DocumentMiddleware = (ctx, next) => middleware(ctx, next)
      middlewares = [...middlewares, entry]
      chain = compose(middlewares)
      let removed = false
      return () => {
        if (removed) return
        removed = true
        middlewares = middlewares.filter(m => m !== entry)
        chain = compose(middlewares)
      }
    },
    idle: () => middlewares.length === 0,
    run (ctx, action) {
      // No middleware: the action's own promise, without a layer around it.
      if (middlewares.length === 0) return action(ctx)
      return chain(ctx, () => action(ctx))
    }
  }
}
