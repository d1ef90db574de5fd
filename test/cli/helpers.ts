import type { Test } from 'tap'
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { main } from '../../lib/cli/index.js'
import { createPostgresDatabase, usingPostgres } from '../helpers/db.js'
import { plain } from '../helpers/process.js'
import { root } from '../helpers/paths.js'

export { root }
export const bin = join(root, 'bin', 'vellum.js')

/**
 * The environment of a user's shell: no NODE_OPTIONS (tap puts its loader there), so the CLI runs on plain node
 * exactly as installed; the database is embedded unless the suite runs on PostgreSQL.
 */
export async function cliEnv (t: Test, extra: Record<string, string> = {}): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = { ...process.env }
  delete env.NODE_OPTIONS
  env.DATABASE_URL = usingPostgres() ? (await createPostgresDatabase(t)).url : ''
  env.HOST = '127.0.0.1'
  return { ...env, ...extra }
}

export interface Finished {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs `vellum <args>` to its end, with `input` piped on its stdin (else an empty one). */
export async function runCli (args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000, input?: string): Promise<Finished> {
  const child = spawn(...plain(process.execPath, [bin, ...args]), { env, stdio: 'pipe' })
  child.stdin.end(input ?? '')
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const code = await new Promise<number | null>((resolve) => child.on('close', (exitCode) => resolve(exitCode)))
  clearTimeout(timer)
  return { code, stdout, stderr }
}

/**
 * `vellum <args>` through the CLI's entry point in this process, its output captured: for what needs no process
 * of its own (help texts, argument errors), where a node start per case cost most of a file's time.
 */
export async function callCli (args: string[], env: NodeJS.ProcessEnv, input = ''): Promise<Finished> {
  let stdout = ''
  let stderr = ''
  const code = await main(args, {
    env,
    stdout: (text) => { stdout += text },
    stderr: (text) => { stderr += text },
    stdin: async () => input
  })
  return { code: code ?? null, stdout, stderr }
}

export interface Mark {
  stdout: number
  stderr: number
}

export interface Running {
  child: ChildProcessWithoutNullStreams
  stdout: () => string
  stderr: () => string
  /** Where the output is now, to wait for what comes after. */
  mark: () => Mark
  /** Resolves once stdout or stderr (after `since`) matches; rejects on exit or timeout. */
  waitFor: (pattern: RegExp, options?: { timeoutMs?: number, since?: Mark }) => Promise<void>
  exited: Promise<number | null>
  /** Every JSON log line on stdout. */
  logLines: () => Array<Record<string, unknown>>
}

/** Starts `vellum <args>` in the background; killed at teardown if still alive. */
export function spawnCli (t: Test, args: string[], env: NodeJS.ProcessEnv, cwd?: string): Running {
  const child = spawn(...plain(process.execPath, [bin, ...args]), { env, stdio: ['pipe', 'pipe', 'pipe'], ...(cwd !== undefined && { cwd }) })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await exited
    }
  })
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    logLines: () => stdout.split('\n').filter(line => line.startsWith('{')).map(line => JSON.parse(line) as Record<string, unknown>),
    mark: () => ({ stdout: stdout.length, stderr: stderr.length }),
    async waitFor (pattern, { timeoutMs = 60_000, since = { stdout: 0, stderr: 0 } } = {}) {
      const deadline = Date.now() + timeoutMs
      while (!pattern.test(stdout.slice(since.stdout)) && !pattern.test(stderr.slice(since.stderr))) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited before ${pattern}:\n${stdout}\n${stderr}`)
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${stdout}\n${stderr}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    }
  }
}

export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => { typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')) })
    })
  })
}

/** A throwaway project holding `files` (path → content; objects are written as JSON). */
export async function tempProject (t: Test, files: Record<string, string | object>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vellum-cli-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await writeFiles(dir, files)
  return dir
}

export async function writeFiles (dir: string, files: Record<string, string | object>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true })
    await writeFile(join(dir, path), typeof content === 'string' ? content : JSON.stringify(content, null, 2))
  }
}

/** A collection type's schema.json. */
export function collectionType (singularName: string, pluralName: string, attributes: Record<string, object> = { name: { type: 'string' } }): object {
  return {
    kind: 'collectionType',
    collectionName: pluralName,
    info: { singularName, pluralName, displayName: singularName },
    options: { draftAndPublish: false },
    attributes
  }
}
