/** The ownership lock file on its own: real files, real (and really dead) processes. */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readdir, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { acquireOwnerLock, LockHeldError, type LockOwner, processStartTime, readOwnerLock } from '../../lib/db/owner-lock.js'
import { silentLogger } from '../../lib/logger.js'
import { plain } from '../helpers/process.js'

/** The pid of a process that has exited. */
function deadPid (): number {
  const { pid } = spawnSync(process.execPath, ['-e', ''])
  if (pid === undefined) throw new Error('could not spawn')
  return pid
}

async function lockOf (pid: number, extra: Partial<LockOwner> = {}): Promise<LockOwner> {
  return { pid, hostname: hostname(), bootId: null, startTime: await processStartTime(pid), since: '2020-01-01T00:00:00.000Z', nonce: 'feedfacefeedface', ...extra }
}

t.test('the lock is exclusive, names its owner, and is free again once released', async t => {
  const dir = t.testdir()
  const file = join(dir, 'data.lock')
  const lock = await acquireOwnerLock(file, silentLogger)
  t.match(await readOwnerLock(file), { pid: process.pid, hostname: hostname(), nonce: lock.owner.nonce })
  const err = await acquireOwnerLock(file, silentLogger).then(() => null, (e: unknown) => e)
  t.ok(err instanceof LockHeldError)
  t.match(err, { sameProcess: true, owner: { pid: process.pid }, file })
  await lock.release()
  await lock.release()
  t.equal(existsSync(file), false)
  const again = await acquireOwnerLock(file, silentLogger)
  t.teardown(() => again.release())
  t.equal(await readOwnerLock(file).then(o => o?.nonce), again.owner.nonce)
  t.same((await readdir(dir)).sort(), ['data.lock'], 'no temporary files left behind')
})

t.test('a lock whose process is dead is taken over', async t => {
  const file = join(t.testdir(), 'data.lock')
  await writeFile(file, JSON.stringify(await lockOf(deadPid())))
  const warnings: unknown[] = []
  const log = { ...silentLogger, warn: (obj: unknown) => { warnings.push(obj) } }
  const lock = await acquireOwnerLock(file, log)
  t.teardown(() => lock.release())
  t.equal((await readOwnerLock(file))?.pid, process.pid)
  t.equal(warnings.length, 1, 'the takeover is logged')
})

t.test('a live pid that belongs to a later process (other start time, or other boot) is stale too', async t => {
  const dir = t.testdir()
  const reused = join(dir, 'reused.lock')
  await writeFile(reused, JSON.stringify(await lockOf(process.pid, { startTime: '1', nonce: 'a' })))
  const first = await acquireOwnerLock(reused, silentLogger)
  t.teardown(() => first.release())
  t.equal((await readOwnerLock(reused))?.nonce, first.owner.nonce, 'same pid, earlier start time: taken over')

  const rebooted = join(dir, 'rebooted.lock')
  await writeFile(rebooted, JSON.stringify(await lockOf(process.pid, { bootId: 'another-boot', nonce: 'b' })))
  const second = await acquireOwnerLock(rebooted, silentLogger)
  t.teardown(() => second.release())
  t.equal((await readOwnerLock(rebooted))?.nonce, second.owner.nonce, 'written before a reboot: taken over')
})

t.test('a live process, and any other host, keep their lock', async t => {
  const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'])
  t.teardown(() => { sleeper.kill('SIGKILL') })
  const dir = t.testdir()
  const live = join(dir, 'live.lock')
  await writeFile(live, JSON.stringify(await lockOf(sleeper.pid!)))
  await t.rejects(acquireOwnerLock(live, silentLogger), { name: 'LockHeldError', sameProcess: false, owner: { pid: sleeper.pid } })

  const remote = join(dir, 'remote.lock')
  await writeFile(remote, JSON.stringify(await lockOf(deadPid(), { hostname: 'elsewhere' })))
  await t.rejects(acquireOwnerLock(remote, silentLogger), { name: 'LockHeldError', owner: { hostname: 'elsewhere' } })
})

t.test('processes racing for one stale lock: exactly one wins, the others see the winner', async t => {
  const file = join(t.testdir(), 'data.lock')
  await writeFile(file, JSON.stringify(await lockOf(deadPid())))
  // The child beside this file: compiled JavaScript under `npm test`, TypeScript through tsx when run from source.
  const child = fileURLToPath(new URL(`owner-lock-child${extname(fileURLToPath(import.meta.url))}`, import.meta.url))
  const loader = child.endsWith('.ts') ? ['--import=tsx'] : []
  const startAt = Date.now() + 3000
  const racers = Array.from({ length: 4 }, () => spawn(...plain(process.execPath, [...loader, child, file, String(startAt), '4000'])))
  const results = await Promise.all(racers.map(racer => new Promise<{ pid: number, out: string, code: number | null }>(resolve => {
    let out = ''
    racer.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
    racer.stderr.on('data', (chunk: Buffer) => { out += chunk.toString() })
    racer.on('exit', code => resolve({ pid: racer.pid!, out: out.trim(), code }))
  })))
  t.same(results.map(r => r.code), [0, 0, 0, 0], results.map(r => r.out).join('\n'))
  const winners = results.filter(r => r.out === 'won')
  t.equal(winners.length, 1, 'one winner')
  for (const loser of results.filter(r => r.out !== 'won')) t.equal(loser.out, `held ${winners[0]?.pid}`, 'the others name the winner')
  t.equal((await readOwnerLock(file))?.pid, winners[0]?.pid)
})
