/**
 * Koa's onion, kept with its meaning: code before `await next()` runs on the way in, code after it on the way
 * out in reverse order; returning without calling `next()` skips everything downstream; an error thrown
 * downstream rejects `await next()`.
 */
export type Next = () => Promise<void>
export type Middleware<C> = (ctx: C, next: Next) => unknown

export function compose<C> (middlewares: ReadonlyArray<Middleware<C>>): (ctx: C, last: Next) => Promise<void> {
  return async function run (ctx, last) {
    let called = -1
    async function dispatch (index: number): Promise<void> {
      if (index <= called) throw new Error('next() called multiple times')
      called = index
      const middleware = middlewares[index]
      if (middleware === undefined) return await last()
      await middleware(ctx, () => dispatch(index + 1))
    }
    await dispatch(0)
  }
}
