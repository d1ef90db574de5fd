import { hasExplicitStatus, responseBody } from '../../../hooks/index.js'
import { handleError } from '../../errors.js'
import type { Builtin } from './types.js'

/**
 * `strapi::errors`: turns an error thrown downstream into the envelope (contract §6) inside the chain, so the
 * middlewares upstream of it (`strapi::logger` in Strapi's default list) see the final status and body. Without
 * it, vellum's error handler produces the same envelope after the chain.
 */
export const errors: Builtin = () => ({
  kind: 'middleware',
  middleware: async function vellumErrors (ctx, next) {
    try {
      await next()
      // Strapi's rule: a handler that set nothing is a 404, visible upstream too.
      // responseBody: a JSON text body stays unparsed.
      if (responseBody(ctx) === undefined && !hasExplicitStatus(ctx)) ctx.notFound()
    } catch (thrown) {
      const error = thrown instanceof Error ? thrown : new Error(String(thrown))
      const body = handleError(error, ctx.request, ctx.reply)
      ctx.status = body.error.status
      ctx.body = body
    }
  }
})
