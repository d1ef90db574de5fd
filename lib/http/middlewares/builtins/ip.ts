import { configError, type Builtin, type BuiltinContext } from './types.js'

/** koa-ip's patterns: an exact address, `*` wildcards (`192.168.0.*`), or a RegExp. */
function compile (patterns: unknown, key: string, context: BuiltinContext): RegExp[] {
  if (patterns === undefined) return []
  const list = Array.isArray(patterns) ? patterns : [patterns]
  return list.map((pattern: unknown) => {
    if (pattern instanceof RegExp) return pattern
    if (typeof pattern !== 'string' || pattern === '') throw configError(context, `"${key}" must list addresses, wildcard patterns or RegExps`)
    const source = pattern.split('*').map(part => part.replace(/[.?+^$()[\]{}|\\/-]/g, '\\$&')).join('.*')
    return new RegExp(`^${source}$`)
  })
}

function matches (ip: string, patterns: readonly RegExp[]): boolean {
  // IPv4 clients of a dual-stack socket arrive as `::ffff:1.2.3.4`: match both spellings.
  const plain = ip.startsWith('::ffff:') ? ip.slice(7) : ip
  return patterns.some(pattern => pattern.test(ip) || pattern.test(plain))
}

/**
 * `strapi::ip`: `whitelist` / `blacklist` of client addresses (`request.ip`, so Fastify's `trustProxy`
 * decides which address that is); a refused client gets 403 ForbiddenError in the envelope.
 */
export const ip: Builtin = (config, context) => {
  const whitelist = compile(config.whitelist, 'whitelist', context)
  const blacklist = compile(config.blacklist, 'blacklist', context)
  const extra = Object.keys(config).filter(key => key !== 'whitelist' && key !== 'blacklist')
  if (extra.length > 0) context.log.warn({ middleware: context.name, ignored: extra }, `${context.name}: unknown option(s), ignored`)
  return {
    kind: 'middleware',
    middleware: async function vellumIp (ctx, next) {
      const address = ctx.request.ip
      const allowed = (whitelist.length === 0 || matches(address, whitelist)) && !matches(address, blacklist)
      if (!allowed) {
        ctx.forbidden('Forbidden')
        return
      }
      await next()
    }
  }
}
