import { AsyncLocalStorage } from 'node:async_hooks'
import type { SQL } from 'drizzle-orm'
import type { Logger } from '../logger.js'
import { rowsOf } from './client.js'

/**
 * The transaction context: every Query Engine (and Document Service) call made inside
 * `transaction(fn)` joins the open transaction through AsyncLocalStorage, without a handle being passed
 * around. A nested `transaction()` is a savepoint. Callbacks registered with `onCommit` run once the
 * outermost transaction has committed, and never after a rollback (a rolled-back savepoint drops its own).
 */

/** What runs SQL: drizzle's database or one of its transactions (both drivers share this shape). */
export interface SqlRunner {
  execute (query: SQL): PromiseLike<unknown>
  transaction<T> (fn: (tx: SqlRunner) => Promise<T>): Promise<T>
}

export type Row = Record<string, unknown>

export interface TransactionScope {
  /** Runs `fn` after the outermost transaction commits; its errors are logged, never thrown. */
  onCommit (fn: () => unknown): void
}

export interface Transactions {
  /** Runs `fn` in a transaction, or in a savepoint of the one already open in this async context. */
  transaction<T> (fn: (scope: TransactionScope) => Promise<T>): Promise<T>
  /** Runs SQL on the open transaction, or on the database outside one; rows as `Database.execute` gives them. */
  execute<T extends Row = Row> (query: SQL): Promise<T[]>
  /** True inside `transaction()`. */
  active (): boolean
  /** Runs `fn` once the current transaction commits, or at once (awaited, errors logged) outside one. */
  onCommit (fn: () => unknown): Promise<void>
}

interface Frame {
  runner: SqlRunner
  pending: Array<() => unknown>
}

export function createTransactions (root: SqlRunner, log: Logger): Transactions {
  const storage = new AsyncLocalStorage<Frame>()

  async function runCommitted (callbacks: Array<() => unknown>): Promise<void> {
    for (const fn of callbacks) {
      try {
        await fn()
      } catch (err) {
        log.error({ err }, 'afterCommit callback failed')
      }
    }
  }

  async function transaction<T> (fn: (scope: TransactionScope) => Promise<T>): Promise<T> {
    const parent = storage.getStore()
    const pending: Array<() => unknown> = []
    const scope: TransactionScope = { onCommit: (cb) => { pending.push(cb) } }
    const outer = parent?.runner ?? root
    const result = await outer.transaction((tx) => storage.run({ runner: tx, pending }, () => fn(scope)))
    // Reached only when the transaction (or savepoint) was committed (or released).
    if (parent !== undefined) parent.pending.push(...pending)
    else await runCommitted(pending)
    return result
  }

  return {
    transaction,
    async execute<T extends Row> (query: SQL): Promise<T[]> {
      const runner = storage.getStore()?.runner ?? root
      return rowsOf<T>(await runner.execute(query))
    },
    active: () => storage.getStore() !== undefined,
    async onCommit (fn) {
      const frame = storage.getStore()
      if (frame !== undefined) frame.pending.push(fn)
      else await runCommitted([fn])
    }
  }
}
