/**
 * `bounds.bodyTimeout`, over real HTTP: a body that trickles in is cut off with a 408 in the envelope and its
 * connection closed, where it would hold the connection open indefinitely.
 */
import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { tracedBlogApp } from './helpers.js'

async function serve (t: Test, bodyTimeout: number): Promise<number> {
  const { app } = await tracedBlogApp(t, { bounds: { bodyTimeout } })
  await app.listen({ host: '127.0.0.1', port: 0 })
  return (app.server.address() as AddressInfo).port
}

/** A POST whose 40-byte body comes one byte every `every` ms: what the server answers, and when it closed. */
async function trickle (port: number, every: number): Promise<{ response: string, closedAfter: number }> {
  const socket = connect(port, '127.0.0.1')
  const body = JSON.stringify({ data: { name: 'a slow tag, slowly' } }).padEnd(40)
  socket.write(`POST /api/tags HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`)
  let sent = 0
  let response = ''
  const timer = setInterval(() => {
    if (sent < body.length && socket.writable) socket.write(body[sent++]!)
    // The whole body sent and answered: done with this connection (not before: the server would see the client leave).
    else if (sent === body.length && response !== '') socket.end()
  }, every)
  socket.on('data', (chunk: Buffer) => { response += chunk.toString() })
  const started = performance.now()
  await new Promise<void>((resolve) => {
    socket.on('close', () => resolve())
    socket.on('error', () => resolve())
  })
  clearInterval(timer)
  return { response, closedAfter: performance.now() - started }
}

t.test('a body that trickles in is cut off: 408 in the envelope, connection closed', async (t) => {
  const port = await serve(t, 1000)
  // 40 bytes at one every 250 ms would take 10 s; the socket is never idle long enough for an idle timeout.
  const { response, closedAfter } = await trickle(port, 250)
  t.match(response, /^HTTP\/1\.1 408 /, 'answered 408')
  t.match(response, /\r\nconnection: close\r\n/i, 'the connection is closed')
  const body = JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as unknown
  t.same(body, {
    data: null,
    error: {
      status: 408,
      name: 'RequestTimeoutError',
      message: 'The request body did not arrive within 1000 ms (bounds.bodyTimeout)',
      details: { limit: 'bounds.bodyTimeout', max: 1000 }
    }
  })
  t.ok(closedAfter < 2500, `closed after ${Math.round(closedAfter)} ms`)
})

t.test('a body that arrives in time is read', async (t) => {
  const port = await serve(t, 1000)
  const { response } = await trickle(port, 5)
  t.match(response, /^HTTP\/1\.1 201 /, 'the whole body arrived and was written')
})
