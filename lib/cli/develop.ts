import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, watch, type FSWatcher } from 'node:fs'
import { basename, join } from 'node:path'
import { stringOption } from './args.js'
import type { CliContext, Command } from './command.js'
import { DIR_OPTION, PROJECT_ENVIRONMENT, projectDir } from './project.js'
import { packageRoot } from './package.js'

/** Changes closer together than this make one restart (an editor's save, `git checkout`). */
const DEBOUNCE_MS = 150
/** Trees whose changes restart the server; vellum.config.* at the root too. */
const WATCHED = ['src', 'config'] as const

interface Running {
  process: ChildProcess
  /** Settles once the process has exited: its embedded database is released. */
  exited: Promise<void>
  /** We asked it to stop: its exit is not news. */
  stopping: boolean
}

/** Editor droppings (`.x.swp`, `x~`) are not changes to the project. */
function ignored (file: string): boolean {
  const name = basename(file)
  return name.startsWith('.') || name.endsWith('~')
}

/**
 * Runs `vellum start` in a child process and restarts it when the project changes, one process at a time:
 * the old one has exited (its embedded database closed) before the next starts. A child that fails to boot
 * (a broken schema) has printed why; the next change tries again.
 */
async function supervise (dir: string, context: CliContext): Promise<number> {
  const bin = join(packageRoot(), 'bin', 'vellum.js')
  const note = (message: string): void => { context.stderr(`vellum develop: ${message}\n`) }
  let running: Running | undefined
  let shuttingDown = false

  function launch (): void {
    // An IPC channel tells the child it is supervised; it also closes if this process dies.
    const child = spawn(process.execPath, [...process.execArgv, bin, 'start', '--dir', dir], { env: context.env, stdio: ['inherit', 'inherit', 'inherit', 'ipc'] })
    const run: Running = { process: child, stopping: false, exited: Promise.resolve() }
    run.exited = new Promise((resolve) => {
      child.once('error', (error) => {
        note(`cannot start the server: ${error.message}; waiting for a change to retry`)
        resolve()
      })
      child.once('exit', (code, signal) => {
        if (!run.stopping && !shuttingDown) note(`the server stopped (${signal ?? `exit code ${code ?? 0}`}); waiting for a change to restart`)
        resolve()
      })
    })
    running = run
  }

  async function stop (): Promise<void> {
    const run = running
    running = undefined
    if (run === undefined) return
    run.stopping = true
    if (run.process.exitCode === null && run.process.signalCode === null) run.process.kill('SIGTERM')
    await run.exited
  }

  let queue: Promise<void> = Promise.resolve()
  let queued = false
  function restart (reason: string): void {
    // One restart waiting is enough: it will see every change made before it starts.
    if (queued) return
    queued = true
    queue = queue.then(async () => {
      queued = false
      if (shuttingDown) return
      note(`${reason} changed, restarting`)
      await stop()
      if (!shuttingDown) launch()
    })
  }

  let timer: NodeJS.Timeout | undefined
  let firstChange: string | undefined
  function changed (file: string): void {
    if (shuttingDown || ignored(file)) return
    firstChange ??= file
    clearTimeout(timer)
    timer = setTimeout(() => {
      const reason = firstChange ?? file
      firstChange = undefined
      restart(reason)
    }, DEBOUNCE_MS)
  }

  const watchers = new Map<string, FSWatcher>()
  /** (Re)watches src/ or config/: created after the start, or removed and created again. */
  function watchTree (name: string): void {
    watchers.get(name)?.close()
    watchers.delete(name)
    const path = join(dir, name)
    if (!existsSync(path)) return
    try {
      const watcher = watch(path, { recursive: true }, (_event, file) => { changed(file === null ? name : `${name}/${file}`) })
      watcher.on('error', () => { watcher.close() })
      watchers.set(name, watcher)
    } catch (error) {
      note(`cannot watch ${path}: ${(error as Error).message}`)
    }
  }
  for (const name of WATCHED) watchTree(name)
  const root = watch(dir, (_event, file) => {
    if (file === null) return
    if ((WATCHED as readonly string[]).includes(file)) {
      watchTree(file)
      changed(file)
    } else if (file.startsWith('vellum.config.')) {
      changed(file)
    }
  })

  note(`watching ${join(dir, '{src,config}')} and vellum.config.*; the server restarts on changes`)
  return await new Promise<number>((resolve) => {
    function shutdown (): void {
      if (shuttingDown) return
      shuttingDown = true
      clearTimeout(timer)
      root.close()
      for (const watcher of watchers.values()) watcher.close()
      queue.then(stop).then(() => { resolve(0) }, () => { resolve(1) })
    }
    process.once('SIGINT', shutdown)
    process.once('SIGTERM', shutdown)
    launch()
  })
}

export const develop: Command = {
  name: 'develop',
  summary: 'serve a project and restart it when its files change',
  usage: 'vellum develop [--dir <project>]',
  description: 'Runs `vellum start` in a child process and restarts it when a file under the project\'s src/ or\n' +
    'config/, or vellum.config.*, changes. The embedded database is kept: each server exits before the next\n' +
    'starts. A restart that fails (a broken schema) prints the error and waits for the next change.\n' +
    'SIGINT/SIGTERM stop the server and exit.',
  options: [DIR_OPTION],
  environment: PROJECT_ENVIRONMENT,
  async run (args, context) {
    const dir = await projectDir(stringOption(args, 'dir') ?? '.')
    // A wrong PORT or LOG_LEVEL is said once, here, rather than by every restart.
    const { configFromEnv } = await import('../server.js')
    configFromEnv(dir, context.env)
    return await supervise(dir, context)
  }
}
