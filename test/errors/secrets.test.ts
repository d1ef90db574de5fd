/**
 * No secret reaches the logs: a run at trace level that writes a password attribute (created, refused by a
 * unique index, and failing in the database with an error vellum does not map) and sends an Authorization
 * header and a cookie leaves neither the password nor the token nor the cookie in any log line.
 */
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { rawRequest, startServer } from './helpers.js'

const PASSWORD = 'Pa55-w0rd-never-logged'
const TOKEN = 'tok-never-logged-4242'
const COOKIE = 'cookie-never-logged-77'

/** The example's author, with a password attribute and a unique text (a value too large for its index fails in PostgreSQL). */
async function withPassword (dir: string): Promise<void> {
  const file = join(dir, 'src/api/author/content-types/author/schema.json')
  const schema = JSON.parse(await readFile(file, 'utf8')) as { attributes: Record<string, unknown> }
  schema.attributes.password = { type: 'password' }
  schema.attributes.code = { type: 'text', unique: true }
  await writeFile(file, JSON.stringify(schema))
}

t.test('no log line holds a password value, a bearer token or a cookie', async (t) => {
  const { port, lines } = await startServer(t, 'trace', withPassword)
  const post = async (data: Record<string, unknown>, headers: Record<string, string> = {}): Promise<number> => {
    const res = await fetch(`http://127.0.0.1:${port}/api/authors`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ data })
    })
    await res.arrayBuffer()
    return res.status
  }
  t.equal(await post({ name: 'Ann', email: 'ann@example.com', password: PASSWORD }, { authorization: `Bearer ${TOKEN}`, cookie: `session=${COOKIE}` }), 401, 'credentials are refused')
  t.equal(await post({ name: 'Ann', email: 'ann@example.com', password: PASSWORD }), 201, 'written')
  t.equal(await post({ name: 'Bob', email: 'ann@example.com', password: PASSWORD }), 400, 'a unique violation')
  // 3,200 random characters: over the btree's 2,704-byte row limit, an error vellum does not map.
  t.equal(await post({ name: 'Cy', email: 'cy@example.com', password: PASSWORD, code: randomBytes(1600).toString('hex') }), 500, 'a database error')
  // Refused by Node's parser before Fastify: the parser's error carries the raw request bytes (rawPacket).
  const refused = await rawRequest(port, `GET /api/authors HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`)
  t.equal(refused.status, 431)
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.same(lines.filter(line => line.includes('rawPacket')), [], 'no raw request bytes in the logs')

  const parsed = lines.map(line => JSON.parse(line) as { level: number, msg: string })
  t.ok(parsed.some(l => l.level === 50 && l.msg === 'request failed'), 'the database error is logged')
  t.ok(parsed.some(l => l.msg === 'database constraint rejected a write'), 'the unique violation is logged')
  t.ok(parsed.some(l => l.msg === 'sql'), 'statements are logged (trace)')
  for (const secret of [PASSWORD, TOKEN, COOKIE]) {
    t.same(lines.filter(line => line.includes(secret)), [], `no line holds ${secret}`)
  }
})
