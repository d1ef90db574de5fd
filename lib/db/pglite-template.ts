/**
 * A cached, freshly initialized PGlite cluster, so that a new embedded database skips initdb (seconds of WASM).
 *
 * The template is built once per machine and PGlite version (initdb's output depends only on PGlite: vellum
 * passes it no options) and kept in `node_modules/.cache/vellum/` beside the installed PGlite, or
 * `$VELLUM_CACHE_DIR`, or `<os tmpdir>/vellum-cache` when neither is writable. It holds the data directory
 * (copied to make a new on-disk database) and its `dumpDataDir()` tarball (loaded into a new in-memory one),
 * uncompressed: gunzipping 40 MB costs more than reading it.
 * Built under a unique name and renamed into place, by one process at a time (others wait for it): a reader
 * never sees half a template. Anything going wrong here only costs speed: the caller initializes as before.
 */
import { randomBytes } from 'node:crypto'
import { constants, existsSync } from 'node:fs'
import { access, copyFile, mkdir, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { basename, dirname, join, sep } from 'node:path'
import type { Logger } from '../logger.js'
import { findPackage } from '../package-json.js'
import { acquireOwnerLock, LockHeldError } from './owner-lock.js'

/** Bumped whenever the way templates are built changes. */
const TEMPLATE_FORMAT = 2

export interface PgliteTemplate {
  /** An initialized data directory (cleanly shut down). */
  dataDir: string
  /** The same cluster as an uncompressed `dumpDataDir()` tarball, for `loadDataDir` (see `templateBlob`). */
  tarball: string
}

function pglitePackage (): { root: string, version: string } {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite')
  const { dir, version } = findPackage(dirname(entry), '@electric-sql/pglite')
  if (version === undefined) throw new Error(`${join(dir, 'package.json')} has no version`)
  return { root: dir, version }
}

/** The cache key: the PGlite version and the template format. */
export function templateKey (): string {
  return `pglite-${pglitePackage().version}-t${TEMPLATE_FORMAT}`
}

/** Candidate cache directories, best first: $VELLUM_CACHE_DIR, node_modules/.cache/vellum, the OS temp dir. */
export function cacheDirs (env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.VELLUM_CACHE_DIR !== undefined && env.VELLUM_CACHE_DIR !== '') return [env.VELLUM_CACHE_DIR]
  const dirs: string[] = []
  const { root } = pglitePackage()
  const at = root.lastIndexOf(`${sep}node_modules${sep}`)
  if (at !== -1) dirs.push(join(root.slice(0, at), 'node_modules', '.cache', 'vellum'))
  dirs.push(join(tmpdir(), 'vellum-cache'))
  return dirs
}

async function writableDir (dir: string): Promise<boolean> {
  try {
    await mkdir(dir, { recursive: true })
    await access(dir, constants.W_OK)
    return true
  } catch {
    return false
  }
}

async function build (cacheDir: string, key: string, final: string, log: Logger): Promise<void> {
  const staging = join(cacheDir, `.${key}.${process.pid}.${randomBytes(4).toString('hex')}`)
  const started = performance.now()
  try {
    const { PGlite } = await import('@electric-sql/pglite')
    await mkdir(staging, { recursive: true })
    const client = await PGlite.create({ dataDir: join(staging, 'data') })
    try {
      const dump = await client.dumpDataDir('none')
      await writeFile(join(staging, 'data.tar'), Buffer.from(await dump.arrayBuffer()))
    } finally {
      await client.close()
    }
    await rename(staging, final)
    log.debug({ template: final, ms: Math.round(performance.now() - started) }, 'built the PGlite template')
  } finally {
    await rm(staging, { recursive: true, force: true })
  }
}

async function sleep (ms: number): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, ms))
}

/** How long a process waits for another one building the same template before building without the cache. */
const BUILD_WAIT_MS = 180_000

/** The template in `cacheDir`, built first if missing. Throws on any failure (see `pgliteTemplate`). */
export async function ensureTemplate (cacheDir: string, log: Logger): Promise<PgliteTemplate> {
  const key = templateKey()
  const final = join(cacheDir, key)
  const template = { dataDir: join(final, 'data'), tarball: join(final, 'data.tar') }
  const deadline = Date.now() + BUILD_WAIT_MS
  while (!existsSync(final)) {
    let lock
    try {
      lock = await acquireOwnerLock(join(cacheDir, `${key}.lock`), log)
    } catch (err) {
      if (!(err instanceof LockHeldError) || Date.now() > deadline) throw err
      // Another process (or instance) builds it: wait for the result (or for that process to die, leaving a stale lock).
      await sleep(100)
      continue
    }
    try {
      if (existsSync(final)) break
      // Leftovers of builders killed midway (a builder holds the lock, so none runs now).
      for (const name of await readdir(cacheDir)) {
        if (name.startsWith(`.${key}.`)) await rm(join(cacheDir, name), { recursive: true, force: true })
      }
      await build(cacheDir, key, final, log)
    } finally {
      await lock.release()
    }
  }
  return template
}

/** The template from the first usable cache directory, or null (debug-logged) if none can be had. */
export async function pgliteTemplate (log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<PgliteTemplate | null> {
  for (const dir of cacheDirs(env)) {
    if (!await writableDir(dir)) {
      log.debug({ cacheDir: dir }, 'PGlite template cache directory not writable')
      continue
    }
    try {
      return await ensureTemplate(dir, log)
    } catch (err) {
      log.debug({ err, cacheDir: dir }, 'PGlite template unavailable: initializing without it')
      return null
    }
  }
  return null
}

/**
 * A tarball's bytes as the Blob `loadDataDir` takes, without Node's Blob copying them in (~0.1 s of CPU for a
 * cluster) and handing them out in chunks that are then concatenated (~0.3 s): `arrayBuffer()` makes one copy.
 */
class TarBlob extends Blob {
  readonly #bytes: Uint8Array

  constructor (bytes: Uint8Array) {
    super([], { type: 'application/x-tar' })
    this.#bytes = bytes
    Object.defineProperty(this, 'size', { value: bytes.byteLength })
  }

  override async arrayBuffer (): Promise<ArrayBuffer> {
    // A new array of its own: a Buffer's slice() is a view, and its .buffer may hold other bytes around it.
    return new Uint8Array(this.#bytes).buffer
  }
}

/** `bytes` (a template's tarball, read once by the caller) as PGlite's `loadDataDir`. */
export function templateBlob (bytes: Uint8Array): Blob {
  return new TarBlob(bytes)
}

/** Files copied at once: the copies run on libuv's thread pool (fs.cp copies one file after the other). */
const COPY_CONCURRENCY = 16

/**
 * Copies the directory tree `from` to `to` (which must not exist), files in parallel, each a copy-on-write
 * clone where the file system has them and a plain copy elsewhere. About 1,000 files and 40 MB for a cluster.
 */
async function copyTree (from: string, to: string): Promise<void> {
  const entries = await readdir(from, { recursive: true, withFileTypes: true })
  await mkdir(to)
  const files: string[] = []
  for (const entry of entries) {
    const relative = join(entry.parentPath, entry.name).slice(from.length + 1)
    if (entry.isDirectory()) await mkdir(join(to, relative), { recursive: true })
    else if (entry.isFile()) files.push(relative)
  }
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const relative = files[next++]!
      await copyFile(join(from, relative), join(to, relative), constants.COPYFILE_FICLONE)
    }
  }
  await Promise.all(Array.from({ length: COPY_CONCURRENCY }, worker))
}

/**
 * Makes `dir` (missing or empty) a copy of the template: copied beside it under a unique name, then renamed,
 * so that a process killed midway leaves no half-made data directory. The caller owns `dir`'s lock, which
 * also makes leftover copies of killed processes safe to remove.
 */
export async function copyTemplate (template: PgliteTemplate, dir: string): Promise<void> {
  const parent = dirname(dir)
  const prefix = `${basename(dir)}.vellum-new-`
  for (const name of await readdir(parent)) {
    if (name.startsWith(prefix)) await rm(join(parent, name), { recursive: true, force: true })
  }
  const staging = join(parent, `${prefix}${process.pid}-${randomBytes(4).toString('hex')}`)
  try {
    await copyTree(template.dataDir, staging)
    await rmdir(dir).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'ENOENT') throw err })
    await rename(staging, dir)
  } finally {
    await rm(staging, { recursive: true, force: true })
  }
}
