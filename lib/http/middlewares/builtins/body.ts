import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { configError, warnIgnored, type Builtin, type BuiltinContext } from './types.js'

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }

/** koa-body's limits (`'1mb'`, `'56kb'`, or a number of bytes), as the `bytes` package reads them. */
export function parseBytes (value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : undefined
  if (typeof value !== 'string') return undefined
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(value)
  if (match === null) return undefined
  const bytes = Math.floor(Number(match[1]) * UNITS[(match[2] ?? 'b').toLowerCase()]!)
  return bytes > 0 ? bytes : undefined
}

function limit (config: Record<string, unknown>, key: string, context: BuiltinContext): number | undefined {
  if (config[key] === undefined) return undefined
  const bytes = parseBytes(config[key])
  if (bytes === undefined) throw configError(context, `"${key}" must be a size such as "1mb", "256kb" or a number of bytes`)
  return bytes
}

interface BodyLimits {
  json?: number
  text?: number
}

/**
 * Re-registers the scope's JSON and text parsers with the configured limits. Fastify's own JSON parser is
 * kept (same prototype-poisoning protection); a route that sets its own `bodyLimit` still wins over these.
 */
const bodyPlugin = fp(async function vellumBody (scope: FastifyInstance, options: Record<string, unknown>) {
  const { json, text } = options as BodyLimits
  if (json !== undefined) {
    scope.removeContentTypeParser('application/json')
    scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: json }, scope.getDefaultJsonParser('error', 'error'))
  }
  if (text !== undefined) {
    scope.removeContentTypeParser('text/plain')
    scope.addContentTypeParser('text/plain', { parseAs: 'string', bodyLimit: text }, (_request, body, done) => { done(null, body) })
  }
}, { name: 'vellum-body', fastify: '5.x' })

/**
 * `strapi::body`: bodies are parsed by Fastify in vellum's scope (JSON and text; koa-body's 1mb default is
 * also Fastify's). `jsonLimit` and `textLimit` are honoured; form and multipart bodies are not parsed (415),
 * so `formLimit`, `multipart`, `formidable`, ... are accepted and reported once as ignored.
 */
export const body: Builtin = (config, context) => {
  const limits: BodyLimits = {}
  const json = limit(config, 'jsonLimit', context)
  const text = limit(config, 'textLimit', context)
  if (json !== undefined) limits.json = json
  if (text !== undefined) limits.text = text
  warnIgnored(config, ['jsonLimit', 'textLimit'], context, 'only jsonLimit and textLimit apply (vellum parses JSON and text bodies, no forms or multipart); other options ignored')
  if (limits.json === undefined && limits.text === undefined) return { kind: 'none' }
  return { kind: 'plugin', plugin: { name: context.name, plugin: bodyPlugin, options: { ...limits } } }
}
