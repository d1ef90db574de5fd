import type { FastifyPluginAsync } from 'fastify'
import type { ContextMiddleware } from '../../../hooks/index.js'
import type { Logger } from '../../../logger.js'
import { ProjectCodeError } from '../../../errors.js'
import type { FactoryDeps } from '../../types.js'

/** What a built-in gets besides its config. */
export interface BuiltinContext {
  /** As referenced (`strapi::cors`, `vellum::cors`): used in messages. */
  name: string
  deps: FactoryDeps
  /** The project root: `strapi::favicon` reads its file from there. */
  projectDir?: string
  /** Boot-time logger (Fastify's, in the plugin). */
  log: Logger
}

/** A Fastify plugin registered in vellum's scope (never the host's), with its options. */
export interface ScopePlugin {
  /** The built-in it implements (`strapi::cors`). */
  name: string
  plugin: FastifyPluginAsync<Record<string, unknown>>
  options: Record<string, unknown>
}

/**
 * A built-in is either a chain middleware, a Fastify plugin of the scope (hooks, content-type parsers), or
 * nothing (its job is done elsewhere in vellum).
 */
export type BuiltinResult =
  | { kind: 'middleware', middleware: ContextMiddleware }
  | { kind: 'plugin', plugin: ScopePlugin }
  | { kind: 'none' }

export type Builtin = (config: Record<string, unknown>, context: BuiltinContext) => BuiltinResult | Promise<BuiltinResult>

export const NONE: BuiltinResult = { kind: 'none' }

export function configError (context: BuiltinContext, message: string): ProjectCodeError {
  return new ProjectCodeError(`Middleware ${context.name}: ${message}`, { middleware: context.name })
}

/** Reads an optional config key, checking its type; a wrong type fails at boot. */
export function option<T> (config: Record<string, unknown>, key: string, check: (value: unknown) => value is T, expected: string, context: BuiltinContext): T | undefined {
  const value = config[key]
  if (value === undefined) return undefined
  if (!check(value)) throw configError(context, `"${key}" must be ${expected}`)
  return value
}

export const isString = (value: unknown): value is string => typeof value === 'string'
export const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value)
export const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean'
export const isStringList = (value: unknown): value is string | string[] =>
  typeof value === 'string' || (Array.isArray(value) && value.every(item => typeof item === 'string'))

/** Config keys vellum accepts but does not apply: said once, at boot, so nothing is silently ignored. */
export function warnIgnored (config: Record<string, unknown>, honoured: readonly string[], context: BuiltinContext, why: string): void {
  const ignored = Object.keys(config).filter(key => !honoured.includes(key))
  if (ignored.length > 0) context.log.warn({ middleware: context.name, ignored }, `${context.name}: ${why}`)
}
