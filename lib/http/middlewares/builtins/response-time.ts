import { performance } from 'node:perf_hooks'
import type { Builtin } from './types.js'

/** `strapi::responseTime`: `X-Response-Time: <ms>ms` for the time spent below it in the chain. */
export const responseTime: Builtin = () => ({
  kind: 'middleware',
  middleware: async function vellumResponseTime (ctx, next) {
    const start = performance.now()
    await next()
    ctx.set('X-Response-Time', `${Math.ceil(performance.now() - start)}ms`)
  }
})
