import { NotImplementedError } from '../errors.js'
import { findPolicy } from '../http/policies/index.js'
import type { MiddlewareFactory, Policy } from '../http/types.js'
import type { Logger } from '../logger.js'
import type { Vellum } from '../types.js'

/**
 * The `strapi` object a Strapi project's code receives (`({ strapi }) => …`, and the global `strapi` of a
 * standalone server), over vellum's decorator: what projects use (issue 17). Any other member is an error
 * naming it, never `undefined is not a function`.
 */
export interface StrapiFacade {
  documents: Vellum['documents']
  db: { query: Vellum['db']['query'], transaction: Vellum['db']['transaction'] }
  service: Vellum['service']
  controller: Vellum['controller']
  contentType: (uid: string) => unknown
  getModel: (uid: string) => unknown
  contentTypes: Vellum['contentTypes']
  components: Vellum['components']
  config: { get: (path: string, fallback?: unknown) => unknown }
  log: Logger
  requestContext: Vellum['requestContext']
  plugin: (name: string) => { service: (name: string) => unknown }
  /** A project policy by name (`global::x`, `api::<api>.x`, or a global one's bare name); undefined when unknown. */
  policy: (name: string) => Policy | undefined
  /** A project middleware factory by name, as `policy`; undefined when unknown. */
  middleware: (name: string) => MiddlewareFactory | undefined
  /** Strapi's container lookup: `strapi.get('config')`; other entries are not offered. */
  get: (name: string) => unknown
}

/** The project's named policies and middlewares (its files and the plugin options'), for `strapi.policy` / `strapi.middleware`. */
export interface StrapiRegistries {
  policies: ReadonlyMap<string, Policy>
  middlewares: ReadonlyMap<string, MiddlewareFactory>
}

/**
 * Strapi's config paths: vellum's resolved options where vellum reads a setting (so the answer is what is in
 * effect), then the project's own `config/*` files (`server.port`, `database.connection.client`, custom files).
 */
function configTrees (vellum: Vellum): unknown[] {
  const { rest, upload, email, usersPermissions, apiToken, strapiConfig } = vellum.config
  return [
    {
      api: { rest },
      admin: { apiToken: { salt: apiToken.salt } },
      plugin: { upload, email, 'users-permissions': usersPermissions },
      environment: process.env.NODE_ENV ?? 'development'
    },
    strapiConfig ?? {}
  ]
}

function lookup (tree: unknown, path: string): unknown {
  // `plugin::upload.sizeLimit` is Strapi's spelling of `plugin.upload.sizeLimit`.
  const keys = path.replace(/^plugin::/, 'plugin.').split('.')
  let node = tree
  for (const key of keys) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined
    node = (node as Record<string, unknown>)[key]
  }
  return node
}

/** Strapi's users-permissions `jwt` service: issue, verify and the request's token, over vellum's users. */
function jwtService (vellum: Vellum): { issue: (payload: { id: number }) => string, verify: (token: string) => Promise<Record<string, unknown>>, getToken: (ctx: { headers: Record<string, unknown> }) => Promise<Record<string, unknown> | null> } {
  const { users } = vellum.auth
  return {
    issue: (payload) => users.issue(payload),
    verify: async (token) => users.verify(token),
    async getToken (ctx) {
      const header = ctx.headers.authorization
      const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null
      if (match === null) return null
      return users.verify(match[1]!)
    }
  }
}

function unsupported (what: string): never {
  throw new NotImplementedError(`${what} is not supported by vellum`)
}

export function createStrapiFacade (vellum: Vellum, log: Logger, registries: StrapiRegistries): StrapiFacade {
  const model = (uid: string): unknown => vellum.contentTypes[uid] ?? vellum.components[uid]
  const pluginServices: Record<string, Record<string, () => unknown>> = {
    upload: { upload: () => vellum.media },
    email: { email: () => vellum.email },
    'users-permissions': { user: () => vellum.auth.users, role: () => vellum.auth.roles, jwt: () => jwtService(vellum) }
  }
  const facade: StrapiFacade = {
    documents: vellum.documents,
    db: { query: vellum.db.query, transaction: vellum.db.transaction },
    service: vellum.service,
    controller: vellum.controller,
    contentType: model,
    getModel: model,
    contentTypes: vellum.contentTypes,
    components: vellum.components,
    config: {
      get (path, fallback) {
        for (const tree of configTrees(vellum)) {
          const value = lookup(tree, path)
          if (value !== undefined) return value
        }
        return fallback
      }
    },
    log,
    requestContext: vellum.requestContext,
    policy: (name) => findPolicy(name, {}, registries.policies),
    middleware (name) {
      if (/^(strapi|vellum)::/.test(name)) unsupported(`strapi.middleware('${name}')`)
      return registries.middlewares.get(name) ?? registries.middlewares.get(`global::${name}`)
    },
    get (name) {
      if (name === 'config') return facade.config
      return unsupported(`strapi.get('${name}')`)
    },
    plugin (name) {
      const services = pluginServices[name]
      if (services === undefined) unsupported(`strapi.plugin('${name}')`)
      return {
        service (service) {
          const get = services[service]
          return get === undefined ? unsupported(`strapi.plugin('${name}').service('${service}')`) : get()
        }
      }
    }
  }
  return new Proxy(facade, {
    get (target, key, receiver) {
      // Symbols and `then` are asked by inspection and await, which must see a plain object.
      if (typeof key === 'symbol' || key === 'then' || Object.hasOwn(target, key)) return Reflect.get(target, key, receiver)
      return unsupported(`strapi.${key}`)
    }
  })
}
