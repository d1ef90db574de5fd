/**
 * Koa's onion, kept with its meaning: code before `await next()` runs on the way in, code after it on the way
 * out in reverse order; returning without calling `next()` skips everything downstream; an error thrown
 * downstream rejects `await next()`.
 */
export type Next = () => Promise<void>
export type Middleware<C> = (ctx: C, next: Next) => unknown

export function compose<C> (middlewares: ReadonlyArray<Middleware<C>>): (ctx: C, last: Next) => Promise<void> {
  return function run (ctx, last) {
    let called = -1
    // Not async: each layer hands back its middleware's own promise instead of wrapping it in another.
    function dispatch (index: number): Promise<void> {
      if (index <= called) return Promise.reject(new Error('next() called multiple times'))
      called = index
      const middleware = middlewares[index]
      if (middleware === undefined) return last()
      try {
        // What a middleware resolves to is never read: no `.then` to drop it.
        return Promise.resolve(middleware(ctx, () => dispatch(index + 1))) as Promise<void>
      } catch (error) {
        return Promise.reject(error)
      }
    }
    return dispatch(0)
  }
}
