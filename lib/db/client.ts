import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { PGlite } from '@electric-sql/pglite'
import type { SQL } from 'drizzle-orm'
import type { Logger as DrizzleLogger } from 'drizzle-orm/logger'
import { PgDialect, type PgDatabase, type PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
import { StatementCancelledError } from '../errors.js'
import type { Logger } from '../logger.js'
import { DatabaseConnectionError, DatabaseLockedError } from './errors.js'
import { acquireOwnerLock, LockHeldError, type OwnerLock } from './owner-lock.js'
import { copyTemplate, pgliteTemplate, templateBlob } from './pglite-template.js'
import { normalizeRows, type ResultColumn } from './values.js'

/**
 * Where the data lives:
 * - `{ url, max?, prepare? }`: PostgreSQL through a postgres.js pool we create (and end on close); `prepare:
 *   false` turns prepared statements off (behind a pooler in transaction mode, such as PgBouncer's);
 * - `{ pglite: dir | 'memory' }`: embedded PGlite in a data directory (created if missing) or in memory;
 * - `{ client }`: a postgres.js or PGlite client the host owns; we never close it. Note that Drizzle's
 *   postgres-js driver rewrites a postgres.js client's date/timestamp parsers to return strings, as it does
 *   for any client handed to `drizzle()`.
 * `logParams` adds query parameters to the trace log (off: they may hold personal data). `statementTimeout`
 * (ms, 0 = none) is PostgreSQL's `statement_timeout` on a pool we create; a host's client keeps its own
 * settings, and PGlite has no timers to enforce one.
 */
export type DatabaseOption = (
  | { url: string, max?: number, prepare?: boolean }
  | { pglite: string }
  | { client: postgres.Sql | PGlite }
) & { logParams?: boolean, statementTimeout?: number }

/** One Drizzle type for both drivers: the query layer never needs to know which one runs. */
export type DrizzleDatabase = PgDatabase<PgQueryResultHKT, Record<string, never>>

/** Anything with Drizzle's `execute`: the database or a transaction. */
export type Executor = Pick<DrizzleDatabase, 'execute'>

export type QueryListener = (sql: string, params: unknown[]) => void

export interface Database {
  dialect: 'postgres' | 'pglite'
  drizzle: DrizzleDatabase
  /** Raw SQL; rows as an array on both drivers, values normalized (see values.ts). */
  execute: <T = Record<string, unknown>>(query: SQL) => Promise<T[]>
  /** Called with every statement Drizzle sends (not the drivers' own BEGIN/COMMIT). Returns an unsubscribe. */
  onQuery: (listener: QueryListener) => () => void
  /**
   * Starts a statement with `start`, which must hand it to the driver before returning (Drizzle's prepared
   * query does, before its first await), so that it is cancelled on PostgreSQL when `signal` aborts (the
   * client that asked went away) while it runs. A synchronous hand-off, not an async-context scope: nothing
   * else started later sees the signal. PGlite runs each statement to its end.
   */
  cancellable: <T>(signal: AbortSignal | undefined, start: () => T) => T
  /** Ends the client if we created it; a host's client stays open. Safe to call twice. */
  close: () => Promise<void>
  /** True when we created the client (and so close it). */
  owned: boolean
}

interface PostgresRowList extends Array<Record<string, unknown>> {
  columns?: Array<{ name: string, type: number }>
}

interface PgliteResults {
  rows: Record<string, unknown>[]
  fields?: Array<{ name: string, dataTypeID: number }>
}

/** A raw `execute()` result of either driver → its rows, values normalized. */
export function rowsOf<T = Record<string, unknown>> (result: unknown): T[] {
  if (Array.isArray(result)) {
    // postgres.js: a RowList (an Array subclass with `columns`); copied to a plain array.
    const list = result as PostgresRowList
    const columns: ResultColumn[] = (list.columns ?? []).map(c => ({ name: c.name, oid: c.type }))
    return normalizeRows<T>(Array.from(list), columns)
  }
  const { rows, fields } = result as PgliteResults
  return normalizeRows<T>(rows, (fields ?? []).map(f => ({ name: f.name, oid: f.dataTypeID })))
}

/** Raw SQL on the database or inside a transaction (`tx`), with the same normalized rows as `Database.execute`. */
export async function executeOn<T = Record<string, unknown>> (executor: Executor, query: SQL | string): Promise<T[]> {
  return rowsOf<T>(await executor.execute(query))
}

/** A connection URL fit for logs and error messages: the password (and password-like parameters) removed. */
export function redactUrl (url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password !== '') parsed.password = '***'
    for (const key of [...parsed.searchParams.keys()]) {
      if (/pass|secret|key/i.test(key)) parsed.searchParams.set(key, '***')
    }
    return parsed.toString()
  } catch {
    // Not a WHATWG URL: drop anything between `user:` and `@`.
    return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@')
  }
}

function describePostgresClient (client: postgres.Sql): string {
  const { host, port, database, user } = client.options
  return `postgres://${user}@${host.join(',')}:${port.join(',')}/${database}`
}

async function probe (client: postgres.Sql, target: string): Promise<void> {
  try {
    await client.unsafe('select 1')
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    throw new DatabaseConnectionError(`Could not connect to PostgreSQL at ${target}: ${reason}`, { cause: err, details: { database: target } })
  }
}

/** A postgres.js pool; a URL it cannot parse is a DatabaseConnectionError naming it (redacted), not a TypeError. */
function openPostgres (url: string, target: string, options: postgres.Options<Record<string, never>>): postgres.Sql {
  try {
    return postgres(url, options)
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    throw new DatabaseConnectionError(`Invalid PostgreSQL URL ${target}: ${reason}`, { cause: err, details: { database: target } })
  }
}

function isPostgresClient (client: postgres.Sql | PGlite): client is postgres.Sql {
  // postgres.js clients are tagged-template functions; PGlite is a class instance.
  return typeof client === 'function'
}

type Sql = postgres.Sql | postgres.TransactionSql

/** What `cancellableClient` uses of a postgres.js query: `active` and `canceller` are its own, untyped, fields. */
type DriverQuery = Pick<Promise<unknown>, 'then'> & { cancel: () => unknown, active?: boolean, canceller?: unknown }

/** A cancel request PostgreSQL dropped is sent again this often while its statement runs, at most this many times. */
const CANCEL_RESEND_MS = 250
const CANCEL_ATTEMPTS = 20

/** The signal of the statement being handed to the driver now (`Database.cancellable`), if any. */
interface SignalSlot { current: AbortSignal | undefined }

/**
 * The client Drizzle is given: every statement it starts (`unsafe`, in transactions and savepoints too) is
 * cancelled if the signal it was started with (`Database.cancellable`) aborts while it runs. Only while it
 * runs: a cancel request names a connection, which may be running someone else's statement once this one is done.
 */
function cancellableClient<T extends Sql> (client: T, slot: SignalSlot): T {
  const watch = (query: DriverQuery): void => {
    const signal = slot.current
    if (signal === undefined) return
    let resend: NodeJS.Timeout | undefined
    // Only one the server is running: postgres.js cancelling a statement not yet handed to a connection leaves
    // that connection out of its pool for good (its `execute` skips it and the pool marks the connection full),
    // so a burst of aborted requests would leave the pool empty and every later request waiting.
    // A cancel that cannot reach the server changes nothing: the statement runs to its end.
    const cancel = (): void => {
      // postgres.js forgets its canceller after one use; PostgreSQL drops a cancel request that lands while the
      // backend reads the statement's next protocol message (between Parse, Bind and Execute), which a loaded
      // machine makes likely, so the request is sent again while the statement still runs, a bounded number of times.
      const canceller = query.canceller
      let attempts = 0
      const send = (): void => {
        if (query.active !== true || attempts++ === CANCEL_ATTEMPTS) return
        query.canceller = canceller
        Promise.resolve(query.cancel()).catch(() => {})
        resend = setTimeout(send, CANCEL_RESEND_MS).unref()
      }
      send()
    }
    signal.addEventListener('abort', cancel, { once: true })
    const done = (): void => {
      signal.removeEventListener('abort', cancel)
      clearTimeout(resend)
    }
    query.then(done, done)
  }
  const wrapCallback = (args: unknown[]): unknown[] => args.map(arg => typeof arg === 'function'
    ? (tx: Sql) => (arg as (tx: Sql) => unknown)(cancellableClient(tx, slot))
    : arg)
  return new Proxy(client, {
    get (target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver)
      if (typeof value !== 'function') return value
      if (property === 'unsafe') {
        return (...args: Parameters<Sql['unsafe']>) => {
          const query = target.unsafe(...args)
          watch(query)
          return query
        }
      }
      if (property === 'begin' || property === 'savepoint') {
        return (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(target, wrapCallback(args))
      }
      return value
    }
  })
}

/** A password hash is a secret even where parameters are logged (users-permissions writes them). */
const BCRYPT_HASH = /^\$2[abxy]\$\d\d\$/
const hideSecret = (param: unknown): unknown => typeof param === 'string' && BCRYPT_HASH.test(param) ? '[redacted]' : param

function queryLogger (log: Logger, logParams: boolean, listeners: Set<QueryListener>): DrizzleLogger {
  return {
    logQuery (query, params) {
      log.trace(logParams ? { sql: query, params: params.map(hideSecret) } : { sql: query }, 'sql')
      for (const listener of listeners) listener(query, params)
    }
  }
}

/** Opens (or adopts) the database client and wraps it in Drizzle with a pino-backed query logger. */
export async function createDatabase (option: DatabaseOption, log: Logger): Promise<Database> {
  const listeners = new Set<QueryListener>()
  const logger = queryLogger(log, option.logParams === true, listeners)
  const slot: SignalSlot = { current: undefined }
  let dialect: Database['dialect']
  let drizzle: DrizzleDatabase
  let owned: boolean
  let end: () => Promise<void>

  if ('url' in option) {
    const target = redactUrl(option.url)
    const client = openPostgres(option.url, target, {
      max: option.max ?? 10,
      prepare: option.prepare ?? true,
      ...(option.statementTimeout !== undefined && option.statementTimeout > 0 && { connection: { statement_timeout: option.statementTimeout } }),
      // postgres.js prints notices with console.log by default (e.g. "relation already exists, skipping").
      onnotice: notice => log.debug({ notice: notice.message }, 'postgres notice')
    })
    try {
      await probe(client, target)
    } catch (err) {
      await client.end({ timeout: 0 })
      throw err
    }
    log.debug({ database: target }, 'connected to PostgreSQL')
    dialect = 'postgres'
    drizzle = drizzlePostgres(cancellableClient(client, slot), { logger })
    owned = true
    end = () => client.end({ timeout: 5 })
  } else if ('pglite' in option) {
    const { client, where, lock } = await openPglite(option.pglite, log)
    log.debug({ database: where }, 'opened PGlite')
    dialect = 'pglite'
    drizzle = (await loadPgliteDriver())(client, { logger })
    owned = true
    end = async () => {
      try {
        await client.close()
      } finally {
        await lock?.release()
      }
    }
  } else {
    const client = option.client
    owned = false
    end = async () => {}
    if (isPostgresClient(client)) {
      await probe(client, describePostgresClient(client))
      dialect = 'postgres'
      drizzle = drizzlePostgres(cancellableClient(client, slot), { logger })
    } else {
      await client.waitReady
      dialect = 'pglite'
      drizzle = (await loadPgliteDriver())(client, { logger })
    }
  }

  let closing: Promise<void> | undefined
  const renderer = new PgDialect()
  const session = drizzle._.session
  return {
    dialect,
    drizzle,
    owned,
    // Handed to the driver before the first await (as `cancellable` needs), as Drizzle's `execute` would run it.
    execute: async query => rowsOf(await session.prepareQuery(renderer.sqlToQuery(query), undefined, undefined, false).execute()),
    cancellable (signal, start) {
      if (signal === undefined) return start()
      // Its request is over (the client left, the caller aborted): nothing more starts, so a read's later
      // statement does not run to its end unwatched, and a write's transaction rolls back whole.
      if (signal.aborted) throw new StatementCancelledError('The request was cancelled before this statement started')
      const outer = slot.current
      slot.current = signal
      try {
        return start()
      } finally {
        slot.current = outer
      }
    },
    onQuery (listener) {
      listeners.add(listener)
      return () => { listeners.delete(listener) }
    },
    close () {
      closing ??= end()
      return closing
    }
  }
}

/**
 * PGlite (a WASM PostgreSQL) and its Drizzle driver load only when used: a PostgreSQL deployment never pays
 * their import at cold start.
 */
async function loadPgliteDriver (): Promise<typeof import('drizzle-orm/pglite').drizzle> {
  return (await import('drizzle-orm/pglite')).drizzle
}

interface OpenedPglite { client: PGlite, where: string, lock?: OwnerLock }

/**
 * The lock file of a data directory: beside it (`<dir>.lock`), as SQLite keeps its `-wal` and `-shm`, since
 * PostgreSQL's initdb wants an empty directory.
 */
export function pgliteLockFile (dataDir: string): string {
  return `${resolve(dataDir)}.lock`
}

function lockedError (where: string, err: LockHeldError): DatabaseLockedError {
  const { pid, hostname, since } = err.owner
  const details = { database: where, lock: err.file, pid, hostname, since }
  const rule = 'An embedded (PGlite) database belongs to one process and one vellum instance; set DATABASE_URL ' +
    '(PostgreSQL) to run several processes on one database.'
  const message = err.sameProcess
    ? `The embedded database ${where} is already open in another vellum instance of this process (pid ${pid} on ${hostname}), since ${since}. ${rule}`
    : `The embedded database ${where} is already in use by process ${pid} on ${hostname}, since ${since}. ${rule} ` +
      `Stop the other process; if it no longer runs vellum, delete ${err.file}.`
  return new DatabaseLockedError(message, { cause: err, details })
}

/** A data directory PGlite still has to initialize: missing, or empty. */
async function needsInit (dir: string): Promise<boolean> {
  if (existsSync(resolve(dir, 'PG_VERSION'))) return false
  try {
    return (await readdir(dir)).length === 0
  } catch {
    return true
  }
}

async function openPglite (location: string, log: Logger): Promise<OpenedPglite> {
  const { PGlite } = await import('@electric-sql/pglite')
  const inMemory = location === 'memory' || location.startsWith('memory://')
  const where = inMemory ? 'memory' : resolve(location)
  if (inMemory) {
    // One process, one instance: nothing to lock. A new cluster comes from the template's tarball when there is one.
    const template = await pgliteTemplate(log)
    if (template !== null) {
      try {
        return { client: await PGlite.create({ loadDataDir: templateBlob(await readFile(template.tarball)) }), where }
      } catch (err) {
        log.debug({ err, template: template.tarball }, 'PGlite template not loadable: initializing without it')
      }
    }
    try {
      return { client: await PGlite.create(), where }
    } catch (err) {
      throw openError(where, err)
    }
  }

  let lock: OwnerLock
  try {
    await mkdir(where, { recursive: true })
    lock = await acquireOwnerLock(pgliteLockFile(where), log)
  } catch (err) {
    if (err instanceof LockHeldError) throw lockedError(where, err)
    throw openError(where, err)
  }
  try {
    if (await needsInit(where)) {
      const template = await pgliteTemplate(log)
      if (template !== null) {
        await copyTemplate(template, where).catch((err: unknown) => {
          log.debug({ err, template: template.dataDir }, 'PGlite template not copied: initializing without it')
        })
      }
    }
    return { client: await PGlite.create({ dataDir: where }), where, lock }
  } catch (err) {
    await lock.release()
    throw openError(where, err)
  }
}

function openError (where: string, err: unknown): DatabaseConnectionError {
  const reason = err instanceof Error ? err.message : String(err)
  return new DatabaseConnectionError(`Could not open the PGlite database at ${where}: ${reason}`, { cause: err, details: { database: where } })
}
