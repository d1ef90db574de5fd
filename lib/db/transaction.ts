import { AsyncLocalStorage } from 'node:async_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import type { SQL } from 'drizzle-orm'
import { PgDialect, type PgSession } from 'drizzle-orm/pg-core'
import type { Logger } from '../logger.js'
import { ServiceUnavailableError, StatementCancelledError } from '../errors.js'
import { type Database, rowsOf } from './client.js'
import { isTransactionConflict, pgErrorOf } from './errors.js'

/**
 * The transaction context: every Query Engine (and Document Service) call made inside
 * `transaction(fn)` joins the open transaction through AsyncLocalStorage, without a handle being passed
 * around. A nested `transaction()` is a savepoint. Callbacks registered with `onCommit` run once the
 * outermost transaction has committed, and never after a rollback (a rolled-back savepoint drops its own).
 * A write (`write`) is a savepoint of its own inside an open transaction, except inside a `whole` one.
 * Cancellation is explicit: a statement is cancelled when the signal it is run with (`execute`'s, else its
 * transaction's) aborts; no async-context scope is entered for it.
 */

/** What runs SQL: drizzle's database or one of its transactions (both drivers share this shape). */
export interface SqlRunner {
  execute (query: SQL): PromiseLike<unknown>
  transaction<T> (fn: (tx: SqlRunner) => Promise<T>): Promise<T>
  readonly _: { readonly session: Pick<PgSession, 'prepareQuery'> }
}

/**
 * SQL already rendered to text and parameters. `prepare` asks the driver to keep it as a named prepared
 * statement on each connection (postgres.js): one round trip instead of two and no new plan per call. Only
 * texts from a bounded set may be prepared (postgres.js never evicts them), so the caller marks the texts
 * it caches, and at most `preparedLimit` distinct texts are ever prepared; later ones run unprepared.
 */
export interface Statement {
  sql: string
  params: unknown[]
  prepare?: boolean
}

/** Distinct statement texts prepared per process, at most (each connection keeps its own copy of each). */
export const PREPARED_LIMIT = 1000

export type Row = Record<string, unknown>

export interface TransactionScope {
  /** Runs `fn` after the outermost transaction commits; its errors are logged, never thrown. */
  onCommit (fn: () => unknown): void
}

export interface TransactionOptions {
  /**
   * All or nothing: a write failing inside fails the transaction even when the error is caught on the way
   * out, so writes join it without a savepoint each (two round trips saved per write).
   */
  whole?: boolean
  /**
   * When the database aborts the transaction for meeting another one (a deadlock, a serialization failure),
   * run `fn` again in a new one, up to CONFLICT_ATTEMPTS times with jittered backoff, then answer
   * ServiceUnavailableError (503). Only an outermost transaction can run again: inside an open one, the error
   * goes up as ServiceUnavailableError (its cause kept, so an outer `retry` still sees the conflict).
   */
  retry?: boolean
  /** Cancels the statements run inside (PostgreSQL) when aborted: a departed client's, say. Nested ones inherit it. */
  signal?: AbortSignal
}

export interface TransactionsOptions {
  /** Distinct statement texts ever prepared (PREPARED_LIMIT). */
  preparedLimit?: number
  /** Starts a statement cancellable by a signal (`Database.cancellable`); without it, signals are ignored. */
  cancellable?: Database['cancellable']
}

/** Attempts of a `retry` transaction, the first included. */
export const CONFLICT_ATTEMPTS = 5
/** Backoff before attempt n + 1: a random wait up to min(CAP, BASE × 2^n) ms, so the rivals spread out. */
const BACKOFF_BASE_MS = 10
const BACKOFF_CAP_MS = 250

export interface Transactions {
  /** Runs `fn` in a transaction, or in a savepoint of the one already open in this async context. */
  transaction<T> (fn: (scope: TransactionScope) => Promise<T>, options?: TransactionOptions): Promise<T>
  /**
   * Runs a write that must apply entirely or not at all: in a transaction (or savepoint) of its own, or
   * directly in an open `whole` transaction, whose rollback covers it.
   */
  write<T> (fn: () => Promise<T>): Promise<T>
  /**
   * Runs SQL on the open transaction, or on the database outside one; rows as `Database.execute` gives them.
   * `signal` (else the open transaction's) cancels the statement when it aborts while the statement runs.
   */
  execute<T extends Row = Row> (query: SQL | Statement, signal?: AbortSignal): Promise<T[]>
  /** True inside `transaction()`. */
  active (): boolean
  /** Runs `fn` once the current transaction commits, or at once (awaited, errors logged) outside one. */
  onCommit (fn: () => unknown): Promise<void>
}

interface Frame {
  runner: SqlRunner
  pending: Array<() => unknown>
  /** Set on `whole` transactions: the first error of a write that joined it. */
  whole?: { failed?: { error: unknown } }
  signal?: AbortSignal
}

/** SQLSTATE query_canceled: statement_timeout, or a cancel request (see StatementCancelledError). */
const QUERY_CANCELED = '57014'

function isStatement (query: SQL | Statement): query is Statement {
  return typeof (query as Statement).sql === 'string'
}

function busy (cause: unknown): ServiceUnavailableError {
  return new ServiceUnavailableError('The database is busy with concurrent writes: try again', {}, cause)
}

// SQL rendered as Drizzle's `execute` renders it, so that a statement is handed to the driver synchronously.
const dialect = new PgDialect()
const uncancellable: Database['cancellable'] = (_signal, start) => start()

export function createTransactions (root: SqlRunner, log: Logger, options: TransactionsOptions = {}): Transactions {
  const { preparedLimit = PREPARED_LIMIT, cancellable = uncancellable } = options
  const storage = new AsyncLocalStorage<Frame>()
  // Outermost transactions in flight. On Node 20 the storage's first run() turns on async hooks for every promise
  // of the process, for good: when the last transaction ends it is disabled again (run() re-enables it), so a
  // process that has written does not pay for async context on every read after.
  let open = 0
  const prepared = new Set<string>()

  function mayPrepare (text: string): boolean {
    if (prepared.has(text)) return true
    if (prepared.size >= preparedLimit) return false
    prepared.add(text)
    return true
  }

  async function runCommitted (callbacks: Array<() => unknown>): Promise<void> {
    for (const fn of callbacks) {
      try {
        await fn()
      } catch (err) {
        log.error({ err }, 'afterCommit callback failed')
      }
    }
  }

  async function transaction<T> (fn: (scope: TransactionScope) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    if (options.retry !== true) return await once(fn, options)
    const nested = storage.getStore() !== undefined
    for (let attempt = 1; ; attempt++) {
      try {
        return await once(fn, options)
      } catch (err) {
        if (!isTransactionConflict(err)) throw err
        if (nested) throw err instanceof ServiceUnavailableError ? err : busy(err)
        if (attempt >= CONFLICT_ATTEMPTS) {
          // The code only: a driver error's message may carry the statement's bind parameters.
          log.warn({ code: pgErrorOf(err)?.code, attempts: attempt }, 'transaction aborted by concurrent ones at each attempt')
          throw busy(err)
        }
        await sleep(Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt))
      }
    }
  }

  async function once<T> (fn: (scope: TransactionScope) => Promise<T>, options: TransactionOptions): Promise<T> {
    const parent = storage.getStore()
    const pending: Array<() => unknown> = []
    const scope: TransactionScope = { onCommit: (cb) => { pending.push(cb) } }
    const outer = parent?.runner ?? root
    if (parent === undefined) open++
    let result: T
    try {
      result = await outer.transaction(async (tx) => {
        const signal = options.signal ?? parent?.signal
        const frame: Frame = { runner: tx, pending, ...(options.whole === true && { whole: {} }), ...(signal !== undefined && { signal }) }
        const value = await storage.run(frame, () => fn(scope))
        // A joined write failed and the error was caught: its statements may have run in part, so roll back.
        if (frame.whole?.failed !== undefined) throw frame.whole.failed.error
        return value
      })
    } finally {
      if (parent === undefined && --open === 0) storage.disable()
    }
    // Reached only when the transaction (or savepoint) was committed (or released).
    if (parent !== undefined) parent.pending.push(...pending)
    else await runCommitted(pending)
    return result
  }

  return {
    transaction,
    async write (fn) {
      const whole = storage.getStore()?.whole
      if (whole === undefined) return await transaction(async () => await fn())
      try {
        return await fn()
      } catch (error) {
        whole.failed ??= { error }
        throw error
      }
    },
    async execute<T extends Row> (query: SQL | Statement, signal?: AbortSignal): Promise<T[]> {
      const frame = storage.getStore()
      const runner = frame?.runner ?? root
      try {
        const statement = isStatement(query) ? query : dialect.sqlToQuery(query)
        // A name makes Drizzle's postgres.js session prepare the statement (PGlite runs it the same either way).
        const name = isStatement(query) && query.prepare === true && mayPrepare(query.sql) ? 'vellum' : undefined
        const prepared = runner._.session.prepareQuery({ sql: statement.sql, params: statement.params }, undefined, name, false)
        const result: unknown = await cancellable(signal ?? frame?.signal, () => prepared.execute())
        return rowsOf<T>(result)
      } catch (err) {
        if (pgErrorOf(err)?.code === QUERY_CANCELED) throw new StatementCancelledError(undefined, {}, err)
        throw err
      }
    },
    active: () => storage.getStore() !== undefined,
    async onCommit (fn) {
      const frame = storage.getStore()
      if (frame !== undefined) frame.pending.push(fn)
      else await runCommitted([fn])
    }
  }
}
