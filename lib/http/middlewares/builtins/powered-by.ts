import { isString, option, warnIgnored, type Builtin } from './types.js'

/** `strapi::poweredBy`: `X-Powered-By: vellum` (config `poweredBy`), set on the way out as Strapi does. */
export const poweredBy: Builtin = (config, context) => {
  const value = option(config, 'poweredBy', isString, 'a string', context) ?? 'vellum'
  warnIgnored(config, ['poweredBy'], context, 'unknown option(s), ignored')
  return {
    kind: 'middleware',
    middleware: async function vellumPoweredBy (ctx, next) {
      await next()
      ctx.set('X-Powered-By', value)
    }
  }
}
