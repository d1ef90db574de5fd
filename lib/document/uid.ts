import type { Model } from '../content-types/index.js'
import { ValidationError, type ValidationErrorItem } from '../errors.js'
import { compileFreeUids, compileUidLock, type PlainObject } from '../query/index.js'
import { isLocalized, type ServiceContext } from './context.js'

/**
 * uid attributes left empty are generated from their `targetField` (beyond Strapi, whose REST API leaves them
 * null): the target's text slugified (`@sindresorhus/slugify`, as Strapi's admin does), then made unique
 * among the other documents' rows of the same locale by appending `-1`, `-2`, …. Concurrent writes of one
 * process skip each other's values while they run. Writes of two processes (or one whose value was generated
 * just as another committed it) may still pick the same value; the database's unique index then rejects the
 * second one, and the write retries (see `withGeneratedUids`), by then seeing the winner's value.
 */

const MAX_BASE = 240

/**
 * How many times a write whose generated uid lost a race is tried again: each round has a winner, so N writes
 * racing on one value need up to N - 1 retries. Beyond this, the last loser gets the unique ValidationError.
 */
const UID_ATTEMPTS = 20

/** Free values read per generation, to pass over those this process's other writes hold. */
const FREE_CANDIDATES = 16

/** The row a write generates uids for. */
export interface UidTarget {
  model: Model
  documentId: string
  /** The row's locale (null on non-localized types). */
  locale: string | null
  /** The data written, where generated uids are set. */
  scalars: PlainObject
  /** The stored row (or what a new locale inherits), on update. */
  current?: PlainObject
}

function isEmpty (value: unknown): boolean {
  return value === undefined || value === null || value === ''
}

/** A unique violation on one of the uids this write generated (not one the caller gave). */
function isGeneratedUidConflict (error: unknown, generated: readonly string[]): boolean {
  if (!(error instanceof ValidationError)) return false
  const items = (error.details.errors ?? []) as ValidationErrorItem[]
  return items.some(item => item.message === 'This attribute must be unique' && generated.includes(item.path[0] ?? ''))
}

// Loaded on the first generated uid: its transliteration tables are a twentieth of a second of cold start.
let loadingSlugify: Promise<(text: string) => string> | undefined

function slugifier (): Promise<(text: string) => string> {
  loadingSlugify ??= import('@sindresorhus/slugify').then(module => module.default)
  return loadingSlugify
}

/** The uid attributes a write generates (empty, with a target field holding text) and the base of each. */
export async function generatedUids (model: Model, scalars: PlainObject, current?: PlainObject): Promise<Array<{ name: string, base: string }>> {
  const out: Array<{ name: string, base: string }> = []
  for (const attribute of Object.values(model.attributes)) {
    if (attribute.type !== 'uid' || attribute.targetField === undefined) continue
    const value = scalars[attribute.name] === undefined ? current?.[attribute.name] : scalars[attribute.name]
    if (!isEmpty(value)) continue
    const source = scalars[attribute.targetField] === undefined ? current?.[attribute.targetField] : scalars[attribute.targetField]
    if (typeof source !== 'string' && typeof source !== 'number') continue
    const base = (await slugifier())(String(source)).slice(0, MAX_BASE).replace(/-+$/, '')
    if (base !== '') out.push({ name: attribute.name, base })
  }
  return out
}

/** Marks a value as held by a running write of this process; `held` receives its release. */
function hold (ctx: ServiceContext, key: string, value: string, held: Array<() => void>): void {
  const pending = ctx.pendingUids.get(key) ?? new Set<string>()
  pending.add(value)
  ctx.pendingUids.set(key, pending)
  held.push(() => {
    pending.delete(value)
    if (pending.size === 0) ctx.pendingUids.delete(key)
  })
}

/**
 * Fills `target.scalars` with generated uids; returns the names of the attributes it generated. A value another
 * write of this process is still writing is skipped too (it cannot be seen until that write commits); `held`
 * receives the release of each value this write now holds. `locked`: after a lost race, each base's lock is
 * taken first, so the writes (of any process) that lost together line up instead of racing again.
 */
async function generateUids (ctx: ServiceContext, { model, documentId, locale, scalars, current }: UidTarget, held: Array<() => void>, locked: boolean): Promise<string[]> {
  const generated: string[] = []
  for (const { name, base } of await generatedUids(model, scalars, current)) {
    const info = ctx.catalog.get(model.uid)
    const inLocale = isLocalized(model) && locale !== null ? locale : undefined
    if (locked) await ctx.db.execute(compileUidLock(info, name, base, inLocale))
    const scope = { documentId, ...(inLocale !== undefined && { locale: inLocale }) }
    const free = await ctx.db.execute(compileFreeUids(info, name, base, scope, FREE_CANDIDATES))
    const key = `${model.uid}.${name}:${locale ?? ''}`
    const pending = ctx.pendingUids.get(key) ?? new Set<string>()
    const values = free.map(row => Number(row.n) === 0 ? base : `${base}-${Number(row.n)}`)
    // Every candidate held (more writes of this process pending than candidates): the retry settles it.
    const candidate = values.find(value => !pending.has(value)) ?? values[0] ?? base
    hold(ctx, key, candidate, held)
    scalars[name] = candidate
    generated.push(name)
  }
  return generated
}

/**
 * Runs `write` after generating the target's empty uids, which this process's other writes skip until it
 * returns. When the database rejects a generated value because a concurrent write took it first, the values
 * are generated again and `write` runs again; each attempt is a savepoint, so a lost one leaves nothing behind.
 */
export async function withGeneratedUids<T> (ctx: ServiceContext, target: UidTarget, write: () => Promise<T>): Promise<T> {
  const held: Array<() => void> = []
  try {
    for (let attempt = 1; ; attempt++) {
      // Outside the attempt's savepoint: a lock taken inside it would go with a rollback.
      const generated = await generateUids(ctx, target, held, attempt > 1)
      // Nothing generated, no race to lose: the action's own transaction is enough.
      if (generated.length === 0) return await write()
      try {
        return await ctx.db.transaction(write, { whole: true })
      } catch (error) {
        if (attempt >= UID_ATTEMPTS || !isGeneratedUidConflict(error, generated)) throw error
        for (const name of generated) delete target.scalars[name]
      }
    }
  } finally {
    for (const release of held) release()
  }
}

// Statements picking a value of one uid key, one at a time per process, so each sees the values the others hold.
const gates = new WeakMap<ServiceContext, Map<string, Promise<void>>>()

async function enter (ctx: ServiceContext, key: string): Promise<() => void> {
  let byKey = gates.get(ctx)
  if (byKey === undefined) {
    byKey = new Map()
    gates.set(ctx, byKey)
  }
  const previous = byKey.get(key) ?? Promise.resolve()
  let release = (): void => {}
  const mine = new Promise<void>((resolve) => { release = resolve })
  const chained = previous.then(() => mine)
  byKey.set(key, chained)
  await previous
  return () => {
    release()
    if (byKey.get(key) === chained) byKey.delete(key)
  }
}

/** A uid picked by the write's own statement (see insert.ts). */
export interface PickedUid {
  model: Model
  name: string
  base: string
  locale: string | null
}

/**
 * Runs `attempt`, whose statement picks a free value of the uid skipping `skip` (the values this process's other
 * writes hold) and returns it, or undefined when a concurrent write took it first (nothing written); then it
 * runs again, after taking the base's lock. The value is held until this returns. `last`: the attempt must not
 * yield (its unique violation is the caller's error).
 */
export async function withPickedUid (ctx: ServiceContext, target: PickedUid, attempt: (skip: string[], last: boolean) => Promise<string | undefined>): Promise<void> {
  const key = `${target.model.uid}.${target.name}:${target.locale ?? ''}`
  const held: Array<() => void> = []
  try {
    for (let n = 1; ; n++) {
      if (n > 1) await ctx.db.execute(compileUidLock(ctx.catalog.get(target.model.uid), target.name, target.base, isLocalized(target.model) && target.locale !== null ? target.locale : undefined))
      const leave = await enter(ctx, key)
      let value: string | undefined
      try {
        value = await attempt([...ctx.pendingUids.get(key) ?? []], n >= UID_ATTEMPTS)
        if (value !== undefined) hold(ctx, key, value, held)
      } finally {
        leave()
      }
      if (value !== undefined) return
    }
  } finally {
    for (const release of held) release()
  }
}
