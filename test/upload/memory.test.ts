/**
 * A 50 MB upload over real HTTP, its body streamed by a client in another process, raises the server's RSS by less than 30 MB:
 * the file goes from the socket to a temp file to the provider, never whole in memory (issue 16).
 */
import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import v8 from 'node:v8'
import { runInNewContext } from 'node:vm'
import { buildApp } from '../helpers/app.js'
import { tempDir } from './helpers.js'

const SIZE = 50 * 1024 * 1024

/**
 * Node allocates a fresh buffer for every socket read, and V8 frees those buffers lazily: a bare
 * `request.pipe(fs.createWriteStream())` of this body, with no vellum at all, shows ~32 MB of dead buffers at
 * its peak on Node 20. The sampler runs a young-generation collection (a scavenge, ~1 ms) before each reading,
 * so the peak measured is what the server holds; a server that kept the file in memory would still hold it.
 */
v8.setFlagsFromString('--expose-gc')
const collect = runInNewContext('gc') as (options: { type: 'minor' }) => void

/**
 * The client, in its own process so that the RSS measured is the server's alone: POSTs one `files` part of
 * `size` bytes, generated chunk by chunk, and prints the answer's status and body.
 */
const CLIENT = `
const { request } = require('node:http')
const { Readable } = require('node:stream')
const { pipeline } = require('node:stream/promises')
const [port, token, size, filename] = process.argv.slice(1)
const boundary = 'vellum-memory-test-boundary'
const chunk = Buffer.alloc(64 * 1024, 0x5a)
const head = Buffer.from('--' + boundary + '\\r\\nContent-Disposition: form-data; name="files"; filename="' + filename + '"\\r\\nContent-Type: application/octet-stream\\r\\n\\r\\n')
const tail = Buffer.from('\\r\\n--' + boundary + '--\\r\\n')
function * body () {
  yield head
  for (let sent = 0; sent < size; sent += chunk.length) yield sent + chunk.length <= size ? chunk : chunk.subarray(0, size - sent)
  yield tail
}
const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/upload', headers: {
  authorization: 'Bearer ' + token, 'content-type': 'multipart/form-data; boundary=' + boundary, 'content-length': head.length + Number(size) + tail.length
} }, (res) => {
  let text = ''
  res.setEncoding('utf8')
  res.on('data', (c) => { text += c })
  res.on('end', () => { process.stdout.write(JSON.stringify({ status: res.statusCode, body: text })) })
})
pipeline(Readable.from(body()), req).catch((error) => { process.stderr.write(String(error)); process.exitCode = 1 })
`

async function streamUpload (port: number, token: string, size: number, filename: string): Promise<{ status: number, body: string }> {
  const child = spawn(process.execPath, ['-e', CLIENT, String(port), token, String(size), filename], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => { out += chunk })
  const [code] = await once(child, 'close') as [number]
  if (code !== 0) throw new Error(`the client exited with ${code}`)
  return JSON.parse(out) as { status: number, body: string }
}

t.test('a 50 MB upload raises RSS, and live memory, by less than 30 MB', async (t) => {
  const dir = await tempDir(t, 'vellum-upload-memory-')
  const app = await buildApp(t, { dir })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  const { accessKey } = await app.vellum.auth.tokens.create({ name: 'memory', type: 'full-access' })
  // Warm up: every module of the path loaded, the folder made.
  t.equal((await streamUpload(address.port, accessKey, 1024, 'warm.bin')).status, 201)
  const live = (usage: NodeJS.MemoryUsage): number => usage.heapUsed + usage.arrayBuffers
  collect({ type: 'minor' })
  const before = process.memoryUsage()
  let peak = before.rss
  let peakLive = live(before)
  const sample = (): void => {
    collect({ type: 'minor' })
    const usage = process.memoryUsage()
    peak = Math.max(peak, usage.rss)
    peakLive = Math.max(peakLive, live(usage))
  }
  const sampler = setInterval(sample, 10)
  const answer = await streamUpload(address.port, accessKey, SIZE, 'big.bin')
  clearInterval(sampler)
  sample()
  t.equal(answer.status, 201, 'the upload is created')
  const [file] = JSON.parse(answer.body) as Array<{ hash: string, size: number }>
  t.equal(file!.size, SIZE / 1000)
  t.equal((await stat(join(dir, 'public', 'uploads', `${file!.hash}.bin`))).size, SIZE)
  const rise = (peak - before.rss) / 1024 / 1024
  t.ok(rise < 30, `RSS rose by ${rise.toFixed(1)} MB`)
  // RSS alone can hide a buffered file: the allocator reuses pages the process freed before (PGlite's start
  // frees hundreds of MB). Live JavaScript memory (heap and buffers) cannot.
  const liveRise = (peakLive - live(before)) / 1024 / 1024
  t.ok(liveRise < 30, `live heap and buffers rose by ${liveRise.toFixed(1)} MB`)
})
