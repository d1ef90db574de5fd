/**
 * One owner per embedded data directory, shown with real `vellum start` processes (the compiled CLI: `npm test`
 * builds dist/ first) on a temporary project, and in-process with createDatabase. Embedded PGlite in every run:
 * the children get an empty DATABASE_URL.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { sql } from 'drizzle-orm'
import { createDatabase, DatabaseConnectionError, DatabaseLockedError } from '../../lib/db/index.js'
import { pgliteLockFile } from '../../lib/db/client.js'
import { readOwnerLock } from '../../lib/db/owner-lock.js'
import { silentLogger } from '../../lib/logger.js'
import { plain } from '../helpers/process.js'
import { root } from '../helpers/paths.js'

/** A minimal project: one collection type `note` with a string, everything public. */
async function makeProject (t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vellum-owner-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const schemaDir = join(dir, 'src', 'api', 'note', 'content-types', 'note')
  await mkdir(schemaDir, { recursive: true })
  await writeFile(join(schemaDir, 'schema.json'), JSON.stringify({
    kind: 'collectionType',
    collectionName: 'notes',
    info: { singularName: 'note', pluralName: 'notes', displayName: 'Note' },
    options: { draftAndPublish: false },
    attributes: { text: { type: 'string' } }
  }))
  await writeFile(join(dir, 'vellum.config.json'), JSON.stringify({ permissions: { public: '*' } }))
  return dir
}

interface Server {
  child: ChildProcessWithoutNullStreams
  output: () => string
  exited: Promise<number | null>
}

/** `node bin/vellum.js start --dir <dir>` on 127.0.0.1, any free port, embedded database; killed on teardown. */
function spawnVellum (t: Test, dir: string): Server {
  const child = spawn(...plain(process.execPath, [join(root, 'bin', 'vellum.js'), 'start', '--dir', dir]), {
    env: { ...process.env, DATABASE_URL: '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info' }
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)))
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await exited
    }
  })
  return { child, output: () => output, exited }
}

/** Waits for the log line giving the address ("listening on http://127.0.0.1:<port>") and returns it. */
async function listening (server: Server): Promise<string> {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline && server.child.exitCode === null) {
    const match = /(?:Server listening at|listening on) (http:\/\/127\.0\.0\.1:\d+)/.exec(server.output())
    if (match !== null) return match[1]!
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  throw new Error(`the server did not start:\n${server.output()}`)
}

async function post (base: string, text: string): Promise<number> {
  const response = await fetch(`${base}/api/notes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ data: { text } })
  })
  await response.arrayBuffer()
  return response.status
}

async function texts (base: string): Promise<string[]> {
  const response = await fetch(`${base}/api/notes?pagination[pageSize]=100&sort=id`)
  const body = await response.json() as { data: Array<{ text: string }> }
  return body.data.map(note => note.text)
}

t.test('a second process on the same data directory is refused, naming the directory and the owner; the first keeps serving', async t => {
  const dir = await makeProject(t)
  const dataDir = join(dir, '.vellum', 'data')
  const first = spawnVellum(t, dir)
  const base = await listening(first)
  t.equal(await post(base, 'before'), 201)
  t.match(await readOwnerLock(pgliteLockFile(dataDir)), { pid: first.child.pid }, 'the lock names the first process')

  const second = spawnVellum(t, dir)
  const code = await second.exited
  t.not(code, 0, 'the second process exits with an error')
  t.notMatch(second.output(), /listening/i, 'the second process never listened')
  const output = second.output()
  t.match(output, `The embedded database ${dataDir} is already in use by process ${first.child.pid} on `)
  t.match(output, /set DATABASE_URL \(PostgreSQL\) to run several processes/)

  t.equal(await post(base, 'after'), 201, 'the first process still writes')
  t.same(await texts(base), ['before', 'after'])
  t.match(await readOwnerLock(pgliteLockFile(dataDir)), { pid: first.child.pid }, 'the refused process left the lock alone')

  first.child.kill('SIGTERM')
  t.equal(await first.exited, 0)
  t.equal(existsSync(pgliteLockFile(dataDir)), false, 'a graceful shutdown releases the lock')
})

t.test('after kill -9, a new process takes the stale lock over and every acknowledged write is there', async t => {
  const dir = await makeProject(t)
  const lockFile = pgliteLockFile(join(dir, '.vellum', 'data'))
  const first = spawnVellum(t, dir)
  const base = await listening(first)
  const written: string[] = []
  for (let i = 0; i < 25; i++) {
    const text = `note ${i}`
    t.equal(await post(base, text), 201)
    written.push(text)
  }
  first.child.kill('SIGKILL')
  await first.exited
  t.match(await readOwnerLock(lockFile), { pid: first.child.pid }, 'the killed process left its lock')

  const second = spawnVellum(t, dir)
  const again = await listening(second)
  t.match(second.output(), /taking over a stale lock/)
  t.match(await readOwnerLock(lockFile), { pid: second.child.pid }, 'the lock now names the new process')
  t.same(await texts(again), written, 'every acknowledged write survived')
  t.equal(await post(again, 'after restart'), 201)
})

t.test('in one process, a second instance on the same directory is refused until the first closes', async t => {
  const dir = join(t.testdir(), 'data')
  const first = await createDatabase({ pglite: dir }, silentLogger)
  t.teardown(() => first.close())
  const refused = await createDatabase({ pglite: dir }, silentLogger).then(() => null, (err: unknown) => err)
  t.ok(refused instanceof DatabaseLockedError, 'a DatabaseLockedError')
  t.ok(refused instanceof DatabaseConnectionError, 'of the DatabaseConnectionError family')
  t.match(refused, {
    name: 'DatabaseLockedError',
    code: 'VELLUM_ERR_DATABASE_LOCKED',
    message: new RegExp(`^The embedded database ${dir} is already open in another vellum instance of this process \\(pid ${process.pid} `),
    details: { database: dir, pid: process.pid }
  })
  await first.execute(sql`create table kept (value text)`)
  await first.execute(sql`insert into kept values ('one owner')`)
  await first.close()
  t.equal(existsSync(pgliteLockFile(dir)), false, 'close releases the lock')

  const second = await createDatabase({ pglite: dir }, silentLogger)
  t.teardown(() => second.close())
  t.same(await second.execute(sql`select value from kept`), [{ value: 'one owner' }])
})

t.test("{ pglite: 'memory' } takes no lock: two in-memory instances live side by side", async t => {
  const a = await createDatabase({ pglite: 'memory' }, silentLogger)
  t.teardown(() => a.close())
  const b = await createDatabase({ pglite: 'memory' }, silentLogger)
  t.teardown(() => b.close())
  await a.execute(sql`create table only_in_a (v int)`)
  t.same(await b.execute(sql`select to_regclass('only_in_a') as found`), [{ found: null }], 'separate databases')
  t.same(await a.execute(sql`select count(*)::int as n from only_in_a`), [{ n: 0 }])
})
