import { InvalidOptionsError } from '../errors.js'

/**
 * Strapi's `env` helper, given to config files that export a function (`({ env }) => [...]`), so a Strapi
 * project's `config/middlewares.js` written that way loads unchanged.
 */
export interface Env {
  (key: string, fallback?: string): string | undefined
  int: (key: string, fallback?: number) => number | undefined
  float: (key: string, fallback?: number) => number | undefined
  bool: (key: string, fallback?: boolean) => boolean | undefined
  json: (key: string, fallback?: unknown) => unknown
  array: (key: string, fallback?: string[]) => string[] | undefined
  date: (key: string, fallback?: Date) => Date | undefined
  oneOf: (key: string, expected: readonly string[], fallback?: string) => string | undefined
}

export function createEnv (source: NodeJS.ProcessEnv = process.env): Env {
  const raw = (key: string): string | undefined => source[key]
  const env = ((key: string, fallback?: string) => raw(key) ?? fallback) as Env
  env.int = (key, fallback) => { const value = raw(key); return value === undefined ? fallback : Number.parseInt(value, 10) }
  env.float = (key, fallback) => { const value = raw(key); return value === undefined ? fallback : Number.parseFloat(value) }
  env.bool = (key, fallback) => { const value = raw(key); return value === undefined ? fallback : value === 'true' }
  env.json = (key, fallback) => {
    const value = raw(key)
    if (value === undefined) return fallback
    try {
      return JSON.parse(value)
    } catch (error) {
      throw new InvalidOptionsError(`Invalid json environment variable ${key}: ${(error as Error).message}`)
    }
  }
  env.array = (key, fallback) => {
    const value = raw(key)
    if (value === undefined) return fallback
    // Strapi accepts `a,b` as well as `[a, b]`.
    const inner = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value
    return inner.split(',').map(item => item.trim().replace(/^"(.*)"$/, '$1'))
  }
  env.date = (key, fallback) => { const value = raw(key); return value === undefined ? fallback : new Date(value) }
  env.oneOf = (key, expected, fallback) => {
    const value = raw(key) ?? fallback
    if (value !== undefined && !expected.includes(value)) {
      throw new InvalidOptionsError(`env.oneOf: ${key} must be one of ${expected.join(', ')}`)
    }
    return value
  }
  return env
}
