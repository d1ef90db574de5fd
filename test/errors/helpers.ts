/**
 * The standalone server (buildServer) on a private copy of the example project and a fresh PostgreSQL
 * database, listening on a free port, with every log line kept; and raw HTTP, for requests fetch cannot send.
 */
import { connect } from 'node:net'
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildServer, configFromEnv } from '../../lib/server.js'
import { createPostgresDatabase } from '../helpers/db.js'
import { root } from '../helpers/paths.js'

export interface Server {
  app: FastifyInstance
  port: number
  /** Every log line so far, as written. */
  lines: string[]
  databaseUrl: string
}

/** `prepare` may change the project copy (its schemas) before the server loads it. */
export async function startServer (t: Test, level = 'info', prepare?: (dir: string) => Promise<void>): Promise<Server> {
  const dir = await mkdtemp(join(tmpdir(), 'vellum-errors-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await cp(join(root, 'examples', 'blog'), dir, { recursive: true, filter: (source) => !source.includes('.vellum') })
  await prepare?.(dir)
  const { url } = await createPostgresDatabase(t)
  const lines: string[] = []
  const config = configFromEnv(dir, { DATABASE_URL: url, LOG_LEVEL: level, HOST: '127.0.0.1', PORT: '0' })
  const app = await buildServer({ ...config, logStream: { write: (line) => { lines.push(line) } } })
  t.teardown(() => app.close())
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (address === null || typeof address !== 'object') throw new Error('not listening')
  return { app, port: address.port, lines, databaseUrl: url }
}

export interface RawReply {
  status: number
  headers: Record<string, string>
  body: string
}

/** Sends `request` as bytes on a new connection and reads the answer until the server closes or it is whole. */
export async function rawRequest (port: number, request: string | Buffer): Promise<RawReply> {
  return await new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    const finish = (): void => {
      const text = Buffer.concat(chunks).toString('latin1')
      const split = text.indexOf('\r\n\r\n')
      if (split === -1) {
        reject(new Error(`no HTTP answer: ${JSON.stringify(text.slice(0, 200))}`))
        return
      }
      const [statusLine = '', ...headerLines] = text.slice(0, split).split('\r\n')
      const headers: Record<string, string> = {}
      for (const line of headerLines) {
        const colon = line.indexOf(':')
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
      }
      const length = Number(headers['content-length'] ?? NaN)
      const body = text.slice(split + 4)
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: Number.isNaN(length) ? body : body.slice(0, length) })
    }
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      // A keep-alive answer is whole once its Content-Length arrived.
      const text = Buffer.concat(chunks).toString('latin1')
      const split = text.indexOf('\r\n\r\n')
      const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, split))
      if (split !== -1 && length !== null && text.length - split - 4 >= Number(length[1])) socket.end()
    })
    socket.on('close', finish)
    socket.on('error', () => {})
    socket.write(request)
  })
}

/** True when `text` is the error envelope with this status: `{ data: null, error: { status, name, message, details } }`. */
export function envelopeProblem (status: number, contentType: string | undefined, text: string): string | undefined {
  if (contentType === undefined || !contentType.startsWith('application/json')) return `content-type ${String(contentType)}`
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return `not JSON: ${text.slice(0, 100)}`
  }
  const { data, error } = body as { data?: unknown, error?: Record<string, unknown> }
  if (data !== null || typeof error !== 'object' || error === null) return `not an envelope: ${text.slice(0, 200)}`
  if (Object.keys(body as object).length !== 2) return `extra keys: ${text.slice(0, 200)}`
  if (error.status !== status) return `error.status ${String(error.status)} on a ${status}`
  if (typeof error.name !== 'string' || typeof error.message !== 'string') return `name/message: ${text.slice(0, 200)}`
  if (status < 500 && (typeof error.details !== 'object' || error.details === null)) return `no details: ${text.slice(0, 200)}`
  return undefined
}
