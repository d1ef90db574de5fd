import { JsonText } from '../hooks/index.js'

/**
 * A pass-through response body around its entries' JSON texts: `head`, the texts joined by commas, `tail`.
 *
 * A large body is written straight into one Buffer. As one string it would be built and copied three
 * times (the join, the flattening of head + join + tail when its byte length is asked, its UTF-8 encoding
 * on the socket), each copy a fresh allocation in V8's large-object space past ~128 KB: scenario e's 756 KB
 * took 8.2-8.6 ms of CPU per response that way against 1.3 ms as a Buffer (a socket write included, Node 20).
 * Below the threshold the string is cheaper (90 KB: 117 µs as a string, 219 µs as a Buffer).
 */
const BUFFER_FROM_CHARS = 100 * 1024

export function jsonBody (head: string, texts: readonly string[], tail: string): JsonText {
  let chars = head.length + tail.length
  for (const text of texts) chars += text.length
  if (chars < BUFFER_FROM_CHARS) return new JsonText(head + texts.join(',') + tail)
  let bytes = Buffer.byteLength(head) + Buffer.byteLength(tail) + Math.max(texts.length - 1, 0)
  for (const text of texts) bytes += Buffer.byteLength(text)
  const body = Buffer.allocUnsafe(bytes)
  let at = body.write(head, 0)
  for (let i = 0; i < texts.length; i++) {
    if (i > 0) body[at++] = 0x2c // ','
    at += body.write(texts[i] as string, at)
  }
  body.write(tail, at)
  return new JsonText(body)
}
