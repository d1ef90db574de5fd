import type { Builtin } from './types.js'

/**
 * Built-ins whose job vellum does elsewhere or not at all: they are accepted so a Strapi list loads unchanged,
 * and say so once at boot (debug), or at warn when a config is given that nothing reads.
 */
function accepted (what: string): Builtin {
  return (config, context) => {
    if (Object.keys(config).length > 0) {
      context.log.warn({ middleware: context.name, ignored: Object.keys(config) }, `${context.name}: ${what}; its config is ignored`)
    } else {
      context.log.debug({ middleware: context.name }, `${context.name}: ${what}`)
    }
    return { kind: 'none' }
  }
}

/** The query string is parsed by vellum's own qs pass with Strapi's settings (strictNullHandling, arrayLimit 100, depth 20). */
export const query = accepted('the query string is parsed by vellum itself (qs with Strapi\'s settings), nothing to do')
/** No cookie sessions: Strapi uses them for its admin panel and OAuth providers, which vellum does not have. */
export const session = accepted('vellum has no cookie sessions (no admin panel nor OAuth providers), nothing to do')
/** Static files: register @fastify/static in the host app to serve a `public/` folder. */
export const publicFiles = accepted('vellum serves no static files; register @fastify/static in the host app for a public/ folder')
