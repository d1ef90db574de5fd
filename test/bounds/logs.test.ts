/**
 * Log lines stay bounded (`bounds.maxLogValueLength`, the standalone server's log formatter): a failed
 * statement's 7 MB of text and parameters, or details nested thousands of levels deep, make a short line that
 * still says what failed.
 */
import Fastify from 'fastify'
import t from 'tap'
import { capLogObject } from '../../lib/logger.js'

function logged (max: number): { log: (obj: object, msg: string) => void, lines: string[] } {
  const lines: string[] = []
  const app = Fastify({
    logger: {
      level: 'info',
      stream: { write: (line: string) => { lines.push(line) } },
      formatters: { log: (object: Record<string, unknown>) => capLogObject(object, max) }
    }
  })
  return { log: (obj, msg) => { app.log.error(obj, msg) }, lines }
}

class DrizzleQueryError extends Error {
  constructor (readonly query: string, readonly params: unknown[], cause: Error) {
    super(`Failed query: ${query}\nparams: ${params.join(',')}`, { cause })
  }
}

t.test('a failed statement with 100,000 parameters: a short line, the error still named', async (t) => {
  const { log, lines } = logged(2048)
  const params = Array.from({ length: 100_000 }, (_, i) => `value number ${i}`)
  const query = `INSERT INTO "t" VALUES ${params.map((_, i) => `($${i + 1})`).join(', ')}`
  const cause = Object.assign(new Error('bind message supplies 100000 parameters'), { code: '08P01' })
  log({ err: new DrizzleQueryError(query, params, cause) }, 'request failed')
  const [line] = lines
  t.ok(line !== undefined && line.length < 20_000, `${line?.length ?? 0} characters`)
  const entry = JSON.parse(line ?? '{}') as { msg: string, err: { type: string, message: string, params: string[], query: string } }
  t.equal(entry.msg, 'request failed')
  t.equal(entry.err.type, 'DrizzleQueryError', 'the error keeps its class')
  t.match(entry.err.message, /^Failed query: INSERT INTO "t" VALUES \(\$1\)/, 'and the start of its message')
  t.match(entry.err.message, /… \(\d+ characters\)/, 'the cut is marked')
  t.equal(entry.err.params.length, 101, '100 parameters, then how many more')
  t.equal(entry.err.params[100], '… 99900 more items')
})

t.test('details nested 5,000 levels deep: a bounded line', async (t) => {
  const { log, lines } = logged(2048)
  let deep: Record<string, unknown> = { value: 'x' }
  for (let i = 0; i < 5000; i++) deep = { deeper: deep }
  log({ details: deep }, 'deep')
  t.ok(lines[0] !== undefined && lines[0].length < 2000)
  t.match(lines[0], /"\[nested too deeply\]"/)
})

t.test('short values pass unchanged', async (t) => {
  const object = { a: 'short', list: [1, 2, 3], nested: { b: true } }
  t.same(capLogObject(object, 64), object)
})
