import { promisify } from 'node:util'
import { brotliCompress, deflate, gzip } from 'node:zlib'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { isNumber, option, type Builtin } from './types.js'

const ENCODERS = {
  br: promisify(brotliCompress),
  gzip: promisify(gzip),
  deflate: promisify(deflate)
} satisfies Record<string, (input: Buffer) => Promise<Buffer>>
type Encoding = keyof typeof ENCODERS

const COMPRESSIBLE = /^(?:text\/|application\/(?:json|javascript|xml|[\w.+-]+\+(?:json|xml))|image\/svg\+xml)/i

/** The client's preferred encoding among ours (`q=0` refuses one), br first on ties as koa-compress does. */
export function negotiateEncoding (header: string | undefined, enabled: readonly Encoding[]): Encoding | undefined {
  if (header === undefined || header === '') return undefined
  let best: { encoding: Encoding, q: number } | undefined
  for (const part of header.split(',')) {
    const [token = '', ...params] = part.trim().split(';')
    const name = token.trim().toLowerCase()
    const qParam = params.map(param => param.trim()).find(param => param.startsWith('q='))
    const q = qParam === undefined ? 1 : Number(qParam.slice(2))
    const candidates = name === '*' ? enabled : enabled.filter(encoding => encoding === name)
    for (const encoding of candidates) {
      if (!(q > 0)) continue
      const better = best === undefined || q > best.q || (q === best.q && enabled.indexOf(encoding) < enabled.indexOf(best.encoding))
      if (better) best = { encoding, q }
    }
  }
  return best?.encoding
}

interface CompressionOptions {
  threshold: number
  encodings: Encoding[]
}

const compressionPlugin = fp(async function vellumCompression (scope: FastifyInstance, options: Record<string, unknown>) {
  const { threshold, encodings } = options as unknown as CompressionOptions
  scope.addHook('onSend', async function compressPayload (request: FastifyRequest, reply: FastifyReply, payload: unknown) {
    // Streams and already-encoded answers pass through untouched.
    if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload
    if (reply.hasHeader('content-encoding')) return payload
    reply.header('Vary', appendVary(reply.getHeader('vary'), 'Accept-Encoding'))
    const size = Buffer.byteLength(payload)
    const type = String(reply.getHeader('content-type') ?? '')
    if (size < threshold || !COMPRESSIBLE.test(type)) return payload
    const accept = request.headers['accept-encoding']
    const encoding = negotiateEncoding(Array.isArray(accept) ? accept.join(',') : accept, encodings)
    if (encoding === undefined) return payload
    const compressed = await ENCODERS[encoding](Buffer.isBuffer(payload) ? payload : Buffer.from(payload))
    reply.header('Content-Encoding', encoding)
    reply.removeHeader('content-length')
    return compressed
  })
}, { name: 'vellum-compression', fastify: '5.x' })

function appendVary (current: unknown, field: string): string {
  const value = Array.isArray(current) ? current.join(', ') : current === undefined ? '' : String(current)
  if (value === '') return field
  const fields = value.split(',').map(item => item.trim().toLowerCase())
  return fields.includes(field.toLowerCase()) || fields.includes('*') ? value : `${value}, ${field}`
}

/**
 * `strapi::compression`: br/gzip/deflate of serialized answers over `threshold` bytes (1024, koa-compress's
 * default), in an `onSend` hook of vellum's scope, after serialization. `br: false`, `gzip: false`,
 * `deflate: false` turn an encoding off, as in koa-compress.
 */
export const compression: Builtin = (config, context) => {
  const threshold = option(config, 'threshold', isNumber, 'a number of bytes', context) ?? 1024
  const encodings = (Object.keys(ENCODERS) as Encoding[]).filter(encoding => config[encoding] !== false)
  const extra = Object.keys(config).filter(key => key !== 'threshold' && !(key in ENCODERS))
  if (extra.length > 0) context.log.warn({ middleware: context.name, ignored: extra }, `${context.name}: unknown option(s), ignored`)
  return { kind: 'plugin', plugin: { name: context.name, plugin: compressionPlugin, options: { threshold, encodings } } }
}
