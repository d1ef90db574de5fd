/**
 * Helpers of the REST end-to-end tests: apps on the fixture projects with a real database, and `app.inject`
 * shorthands that parse the JSON body and check the error envelope.
 */
import type { Test } from 'tap'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { buildApp } from '../../helpers/app.js'
import { BLOG_DIR } from '../../helpers/blog-model.js'
import type { VellumOptions } from '../../../lib/index.js'
import type { Teardown } from '../../helpers/db.js'
import { fixture } from '../../helpers/paths.js'

export { BLOG_DIR }
export const CUSTOM_DIR = fixture('projects', 'custom')

/** The blog model (every attribute and relation kind), en + fr, everything public unless told otherwise. */
export async function blogApp (t: Teardown, options: VellumOptions = {}): Promise<FastifyInstance> {
  return await buildApp(t, {
    dir: BLOG_DIR,
    contentTypes: [],
    i18n: { locales: ['en', 'fr'], defaultLocale: 'en' },
    permissions: { public: '*' },
    ...options
  })
}

export interface Reply {
  status: number
  headers: LightMyRequestResponse['headers']
  /** The raw body text. */
  text: string
  /** The parsed JSON body (undefined when the body is empty). */
  body: any
}

export type Send = (method: InjectOptions['method'], url: string, payload?: unknown, headers?: Record<string, string>) => Promise<Reply>

/** `send('GET', '/api/articles')`: injects and parses. An object payload is sent as JSON. */
export function sender (app: FastifyInstance): Send {
  return async (method, url, payload, headers) => {
    const res = await app.inject({
      method,
      url,
      ...(payload !== undefined && { payload: payload as InjectOptions['payload'] }),
      ...(headers !== undefined && { headers })
    })
    return {
      status: res.statusCode,
      headers: res.headers,
      text: res.body,
      body: res.body === '' ? undefined : JSON.parse(res.body)
    }
  }
}

/** The error envelope, exactly: `{ data: null, error: { status, name, message[, details] } }`, JSON. */
export function isError (t: Test, reply: Reply, status: number, name: string, message: string | RegExp, details?: Record<string, unknown>): void {
  t.equal(reply.status, status, `status ${status}`)
  t.match(reply.headers['content-type'], /^application\/json/, 'a JSON body')
  t.equal(reply.body?.data, null, 'data: null')
  t.same(Object.keys(reply.body ?? {}), ['data', 'error'], 'nothing else in the envelope')
  const error = reply.body?.error ?? {}
  t.equal(error.status, status, 'error.status')
  t.equal(error.name, name, 'error.name')
  if (typeof message === 'string') t.equal(error.message, message, 'error.message')
  else t.match(error.message, message, 'error.message')
  if (details !== undefined) t.same(error.details, details, 'error.details')
}

/**
 * The "Invalid key" 400 of a query parameter, with Strapi's details `{ key, path, source, param }`; an
 * unknown top-level parameter has no `param` (it is not one). `path` is null for an unknown key at the root
 * of `filters`, `sort` or `fields`, as Strapi reports it.
 */
export function isInvalidKey (t: Test, reply: Reply, key: string, param?: string, path: string | null = key, message = `Invalid key ${key}`): void {
  isError(t, reply, 400, 'ValidationError', message, { key, path, source: 'query', ...(param !== undefined && { param }) })
}

/** The documentIds of a list body, in order. */
export function ids (reply: Reply): string[] {
  return (reply.body.data as Array<{ documentId: string }>).map(entry => entry.documentId)
}

/** One field of every entry of a list body, in order. */
export function pluck (reply: Reply, field: string): unknown[] {
  return (reply.body.data as Array<Record<string, unknown>>).map(entry => entry[field])
}

/** Every key, at any depth, of a JSON value (to prove a private field appears nowhere). */
export function allKeys (value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) allKeys(item, into)
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      into.add(key)
      allKeys(item, into)
    }
  }
  return into
}
