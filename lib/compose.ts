/**
 * Koa's onion, the one middleware runner of the request pipeline and of the Document Service: code before
 * `await next()` runs on the way in, code after it on the way out in reverse order; returning without calling
 * `next()` skips everything downstream and its value is the result; an error thrown downstream rejects
 * `await next()`. `R` is what the innermost step resolves to (nothing for requests, an action's result for
 * documents).
 */
export type Next<R = void> = () => Promise<R>
export type Middleware<C, R = void> = (ctx: C, next: Next<R>) => unknown

export function compose<C, R = void> (middlewares: ReadonlyArray<Middleware<C, R>>): (ctx: C, last: Next<R>) => Promise<R> {
  return function run (ctx, last) {
    let called = -1
    // Not async: each layer hands back its middleware's own promise instead of wrapping it in another.
    function dispatch (index: number): Promise<R> {
      if (index <= called) return Promise.reject(new Error('next() called multiple times'))
      called = index
      const middleware = middlewares[index]
      if (middleware === undefined) return last()
      try {
        return Promise.resolve(middleware(ctx, () => dispatch(index + 1))) as Promise<R>
      } catch (error) {
        return Promise.reject(error)
      }
    }
    return dispatch(0)
  }
}
