import cors, { type FastifyCorsOptions } from '@fastify/cors'
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { configError, isBoolean, isNumber, isStringList, option, warnIgnored, type Builtin, type BuiltinContext } from './types.js'

/** What a function `origin` gets: Strapi passes its Koa ctx; CORS runs before vellum's ctx exists, so a view of the request. */
export interface CorsOriginContext {
  request: FastifyRequest
  method: string
  url: string
  headers: FastifyRequest['headers']
  get: (name: string) => string
}

type OriginList = string | string[]
type OriginFunction = (ctx: CorsOriginContext) => OriginList | Promise<OriginList>

const DEFAULTS = {
  origin: '*' as OriginList | OriginFunction,
  maxAge: 31536000,
  credentials: true,
  methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as string | string[],
  headers: ['Content-Type', 'Authorization', 'Origin', 'Accept'] as string | string[]
}

const HONOURED = ['origin', 'expose', 'maxAge', 'credentials', 'methods', 'headers', 'keepHeadersOnError', 'keepHeaderOnError', 'enabled']

/**
 * Strapi's origin rules in @fastify/cors terms: a list (or `a, b`) reflects a listed Origin; `*` (or a list
 * holding it) allows any origin, reflected when credentials are on, since browsers refuse `*` with credentials
 * (what @koa/cors does for Strapi); any other string is sent as is.
 */
export function corsOrigin (origin: OriginList, credentials: boolean): string | boolean | string[] {
  const list = Array.isArray(origin) ? origin : origin.split(',').map(item => item.trim())
  if (list.includes('*')) return credentials ? true : '*'
  return list.length === 1 && !Array.isArray(origin) ? list[0]! : list
}

function originView (request: FastifyRequest): CorsOriginContext {
  return {
    request,
    method: request.method,
    url: request.url,
    headers: request.headers,
    get: (name) => {
      const value = request.headers[name.toLowerCase()]
      return Array.isArray(value) ? value.join(', ') : value ?? ''
    }
  }
}

const corsPlugin = fp(async function vellumCors (scope, options: Record<string, unknown>) {
  await scope.register(cors, options as FastifyCorsOptions)
}, { name: 'vellum-cors', fastify: '5.x' })

function readConfig (config: Record<string, unknown>, context: BuiltinContext) {
  const origin = config.origin
  if (origin !== undefined && !isStringList(origin) && typeof origin !== 'function') {
    throw configError(context, '"origin" must be a string, a list of strings or a function (ctx) => origin(s)')
  }
  return {
    origin: (origin as OriginList | OriginFunction | undefined) ?? DEFAULTS.origin,
    expose: option(config, 'expose', isStringList, 'a string or a list of strings', context),
    maxAge: option(config, 'maxAge', isNumber, 'a number of seconds', context) ?? DEFAULTS.maxAge,
    credentials: option(config, 'credentials', isBoolean, 'a boolean', context) ?? DEFAULTS.credentials,
    methods: option(config, 'methods', isStringList, 'a string or a list of strings', context) ?? DEFAULTS.methods,
    headers: option(config, 'headers', isStringList, 'a string or a list of strings', context) ?? DEFAULTS.headers
  }
}

/**
 * `strapi::cors`: @fastify/cors in vellum's scope with Strapi's defaults (any origin, credentials, a year of
 * preflight cache). Its `onRequest` hook runs before the middleware chain, so a preflight is answered 204
 * before any middleware; every other answer, errors included, carries the CORS headers.
 */
export const corsBuiltin: Builtin = (config, context) => {
  const { origin, expose, maxAge, credentials, methods, headers } = readConfig(config, context)
  if (config.enabled !== undefined) {
    context.log.warn({ middleware: context.name }, `${context.name}: "enabled" is not supported (as in Strapi 5); remove the entry from the list to disable CORS`)
  }
  warnIgnored(config, HONOURED, context, 'unknown option(s), ignored')
  const base: FastifyCorsOptions = {
    credentials,
    maxAge,
    methods,
    allowedHeaders: headers,
    ...(expose !== undefined && { exposedHeaders: expose }),
    // Strapi answers any OPTIONS request as a preflight; @fastify/cors would answer a plain-text 400 otherwise.
    strictPreflight: false
  }
  let options: Record<string, unknown>
  if (typeof origin === 'function') {
    options = {
      delegator: async (request: FastifyRequest): Promise<FastifyCorsOptions> => ({
        ...base,
        origin: corsOrigin(await origin(originView(request)), credentials)
      })
    }
  } else {
    options = { ...base, origin: corsOrigin(origin, credentials) }
  }
  return { kind: 'plugin', plugin: { name: context.name, plugin: corsPlugin, options } }
}
