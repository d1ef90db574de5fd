import { createServer, connect, type Server, type Socket } from 'node:net'

/**
 * A TCP proxy in front of PostgreSQL that counts round trips on the wire, the same way for vellum and the
 * baseline and for whatever layer sends them (Drizzle, postgres.js, BEGIN/COMMIT included). A statement ends
 * with a `Sync` ('S', extended protocol) or is a simple `Query` ('Q'); each is one round trip. A `Flush`
 * ('H') is one more: postgres.js sends Parse + Describe + Flush and waits for the parameter types before it
 * sends Bind + Execute + Sync whenever a statement with parameters is not a prepared statement it already
 * holds (always, when the caller asks for `prepare: false`). `Parse` messages ('P') are counted apart.
 * Used for a counting pass only, never under load (it is one more hop).
 */

export interface WireCounts { roundTrips: number, statements: number, parses: number }

export interface WireCounter {
  port: number
  /** Counts since the last reset. */
  counts: () => WireCounts
  reset: () => void
  close: () => Promise<void>
}

const SSL_REQUEST = 80877103
const GSS_REQUEST = 80877104

export async function createWireCounter (target: { host: string, port: number }): Promise<WireCounter> {
  let statements = 0
  let flushes = 0
  let parses = 0
  const sockets = new Set<Socket>()

  function track (client: Socket): void {
    const server = connect(target.port, target.host)
    sockets.add(client)
    sockets.add(server)
    let startup = true
    let buffer: Buffer = Buffer.alloc(0)
    client.on('data', (chunk: Buffer) => {
      server.write(chunk)
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk])
      for (;;) {
        if (startup) {
          if (buffer.length < 8) break
          const length = buffer.readInt32BE(0)
          if (buffer.length < length) break
          const code = buffer.readInt32BE(4)
          buffer = buffer.subarray(length)
          // SSL/GSS negotiation is followed by another startup message.
          if (code !== SSL_REQUEST && code !== GSS_REQUEST) startup = false
          continue
        }
        if (buffer.length < 5) break
        const length = buffer.readInt32BE(1)
        if (buffer.length < 1 + length) break
        const type = String.fromCharCode(buffer[0] as number)
        if (type === 'S' || type === 'Q') statements++
        else if (type === 'H') flushes++
        else if (type === 'P') parses++
        buffer = buffer.subarray(1 + length)
      }
    })
    server.on('data', (chunk: Buffer) => client.write(chunk))
    const end = (): void => {
      client.destroy()
      server.destroy()
      sockets.delete(client)
      sockets.delete(server)
    }
    client.on('close', end)
    server.on('close', end)
    client.on('error', end)
    server.on('error', end)
  }

  const proxy: Server = createServer(track)
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  const address = proxy.address()
  if (address === null || typeof address === 'string') throw new Error('wire counter: no port')
  return {
    port: address.port,
    counts: () => ({ roundTrips: statements + flushes, statements, parses }),
    reset () {
      statements = 0
      flushes = 0
      parses = 0
    },
    async close () {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => proxy.close(() => resolve()))
    }
  }
}
