/**
 * One owner per embedded data directory: an exclusive lock file held for the life of the process.
 *
 * The lock is a small JSON file (pid, hostname, boot id, process start time, a random nonce), created complete
 * and atomically: written under a unique name, then hard-linked to the lock path (`link` fails if the path
 * exists, like O_EXCL, but readers never see a half-written file). A lock whose owner no longer lives on this
 * host (its pid is gone, or the pid now belongs to a later process: other start time or other boot) is stale
 * and taken over. Two processes taking over the same stale lock at once are serialized by a short-lived guard
 * file, also created with `link`: only the guard's holder removes the stale lock, after checking it is still
 * the same file it judged stale. A lock held by another host cannot be checked and is never taken over.
 */
import { randomBytes } from 'node:crypto'
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises'
import { hostname } from 'node:os'
import type { Logger } from '../logger.js'

export interface LockOwner {
  pid: number
  hostname: string
  /** Linux: /proc/sys/kernel/random/boot_id; null elsewhere. */
  bootId: string | null
  /** Linux: the process start time in clock ticks after boot (/proc/<pid>/stat, field 22); null elsewhere. */
  startTime: string | null
  /** When the lock was taken (ISO 8601). */
  since: string
  nonce: string
}

export interface OwnerLock {
  file: string
  owner: LockOwner
  /** Removes the lock file if it is still ours. Safe to call twice. */
  release: () => Promise<void>
}

/** Thrown by acquireOwnerLock when a live owner holds the lock; `owner` is what its lock file says. */
export class LockHeldError extends Error {
  readonly owner: LockOwner
  readonly file: string
  readonly sameProcess: boolean

  constructor (file: string, owner: LockOwner, sameProcess: boolean) {
    super(`${file} is held by pid ${owner.pid} on ${owner.hostname}`)
    this.name = 'LockHeldError'
    this.file = file
    this.owner = owner
    this.sameProcess = sameProcess
  }
}

/** A guard older than this was left by a process killed in the middle of a takeover (it is held for microseconds). */
const GUARD_ABANDONED_MS = 10_000

async function readOptional (file: string): Promise<string | null> {
  try {
    return (await readFile(file, 'utf8')).trim()
  } catch {
    return null
  }
}

/** The start time of a live process on this host (Linux), or null when it cannot be known. */
export async function processStartTime (pid: number): Promise<string | null> {
  const stat = await readOptional(`/proc/${pid}/stat`)
  if (stat === null) return null
  // `pid (comm) state ppid ...`: comm may hold spaces and parentheses, so fields are counted after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // Field 22 of the whole line is the 20th after comm (fields 1 and 2 are pid and comm).
  return fields[19] ?? null
}

let bootIdCache: Promise<string | null> | undefined
function bootId (): Promise<string | null> {
  bootIdCache ??= readOptional('/proc/sys/kernel/random/boot_id')
  return bootIdCache
}

async function currentOwner (): Promise<LockOwner> {
  return {
    pid: process.pid,
    hostname: hostname(),
    bootId: await bootId(),
    startTime: await processStartTime(process.pid),
    since: new Date().toISOString(),
    nonce: randomBytes(8).toString('hex')
  }
}

function pidExists (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Whether the process a lock names still runs. Another host's process is assumed alive (it cannot be checked).
 * On this host: after a reboot every pid is stale; otherwise the pid must exist and, where start times are
 * known, still belong to the same process (pids are reused, and a container's pid 1 is pid 1 again after a
 * restart).
 */
export async function ownerAlive (owner: LockOwner): Promise<boolean> {
  const self = await currentOwner()
  if (owner.hostname !== self.hostname) return true
  if (owner.bootId !== null && self.bootId !== null && owner.bootId !== self.bootId) return false
  if (!pidExists(owner.pid)) return false
  if (owner.startTime === null) return true
  const startTime = await processStartTime(owner.pid)
  return startTime === null || startTime === owner.startTime
}

function parseOwner (text: string | null): LockOwner | null {
  if (text === null || text === '') return null
  try {
    const value = JSON.parse(text) as Partial<LockOwner>
    if (typeof value.pid !== 'number' || typeof value.hostname !== 'string' || typeof value.nonce !== 'string') return null
    return {
      pid: value.pid,
      hostname: value.hostname,
      bootId: typeof value.bootId === 'string' ? value.bootId : null,
      startTime: typeof value.startTime === 'string' ? value.startTime : null,
      since: typeof value.since === 'string' ? value.since : '',
      nonce: value.nonce
    }
  } catch {
    return null
  }
}

/** Creates `file` holding `content`, complete from its first instant; false if `file` already exists. */
async function createComplete (file: string, content: string): Promise<boolean> {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  const handle = await open(temp, 'wx', 0o644)
  try {
    await handle.writeFile(content)
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await link(temp, file)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw err
  } finally {
    await unlink(temp).catch(() => {})
  }
}

/**
 * Removes the stale lock `file` if it still is the file seen (same inode and content). Under the guard, so
 * that of two processes removing the same stale lock, the second cannot remove the lock the first has
 * meanwhile created. Returns false when another process holds the guard (the caller retries).
 */
async function removeStale (file: string, seen: { ino: number, text: string }, log: Logger): Promise<boolean> {
  const guard = `${file}.takeover`
  if (!await createComplete(guard, JSON.stringify(await currentOwner()))) {
    const guardStat = await stat(guard).catch(() => null)
    if (guardStat !== null && Date.now() - guardStat.mtimeMs > GUARD_ABANDONED_MS) {
      log.warn({ guard }, 'removing an abandoned lock takeover guard')
      // Renamed before removal so that only one process removes this very guard.
      const moved = `${guard}.${process.pid}.${randomBytes(4).toString('hex')}.old`
      await rename(guard, moved).then(() => unlink(moved)).catch(() => {})
    }
    return false
  }
  try {
    const current = await stat(file).catch(() => null)
    if (current !== null && current.ino === seen.ino && await readOptional(file) === seen.text) await unlink(file)
    return true
  } finally {
    await unlink(guard).catch(() => {})
  }
}

/**
 * Takes the lock `file` for this process, taking over a stale one (logged at warn). Throws LockHeldError
 * when a live owner holds it, this process included (`sameProcess`).
 */
export async function acquireOwnerLock (file: string, log: Logger): Promise<OwnerLock> {
  const owner = await currentOwner()
  const content = JSON.stringify(owner)
  for (let attempt = 0; ; attempt++) {
    if (await createComplete(file, content)) break
    const info = await stat(file).catch(() => null)
    const text = await readOptional(file)
    if (info === null || text === null) continue // released meanwhile: try again
    const holder = parseOwner(text)
    if (holder !== null && await ownerAlive(holder)) {
      throw new LockHeldError(file, holder, holder.pid === owner.pid && holder.hostname === owner.hostname)
    }
    if (attempt > 50) throw new Error(`Could not take over the stale lock ${file}`)
    log.warn({ lock: file, stale: holder ?? text }, 'taking over a stale lock (its process no longer runs)')
    if (!await removeStale(file, { ino: info.ino, text }, log)) await new Promise(resolve => setTimeout(resolve, 20 + Math.random() * 30))
  }

  let released: Promise<void> | undefined
  return {
    file,
    owner,
    release () {
      released ??= (async () => {
        // Only our own lock is removed (a stale-lock takeover by someone else is not undone).
        if (parseOwner(await readOptional(file))?.nonce === owner.nonce) await unlink(file).catch(() => {})
      })()
      return released
    }
  }
}

/** What the lock file `file` says, or null if there is none (or it cannot be read). */
export async function readOwnerLock (file: string): Promise<LockOwner | null> {
  return parseOwner(await readOptional(file))
}
