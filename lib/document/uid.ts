import type { Model } from '../content-types/index.js'
import { compileFreeUid, compileUidLock, type PlainObject } from '../query/index.js'
import { isLocalized, type ServiceContext } from './context.js'

/**
 * uid attributes left empty are generated from their `targetField` (beyond Strapi, whose REST API leaves them
 * null): the target's text slugified (`@sindresorhus/slugify`, as Strapi's admin does), then made unique
 * among the other documents' rows of the same locale by appending `-1`, `-2`, …. A write generating from a
 * base holds the base's lock (compileUidLock) until it commits, so writes of any process generating from one
 * base pick their values one after the other, each seeing the values of those before. Within a process, the
 * values of writes still running are skipped too, so that they do not all pick the same value and retry.
 */

const MAX_BASE = 240

/**
 * How many times a write picking its uid in its insert statement is tried (see withPickedUid): the second
 * attempt holds the base's lock, so only a value given explicitly by a concurrent write can make it lose again.
 */
const UID_ATTEMPTS = 20

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

/** Which values of this process's running writes a uid's generation skips: per attribute and locale. */
function pendingKey (model: Model, name: string, locale: string | null): string {
  return `${model.uid}.${name}:${locale ?? ''}`
}

/** The locale a uid is unique within (and its lock is per): the row's, on a localized type only. */
function uidLocale (model: Model, locale: string | null): string | undefined {
  return isLocalized(model) && locale !== null ? locale : undefined
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
 * Fills `target.scalars` with generated uids, each read once the base's lock is held (see the top); `held`
 * receives the release of each value this write now holds (skipped by this process's other writes).
 */
async function generateUids (ctx: ServiceContext, { model, documentId, locale, scalars, current }: UidTarget, held: Array<() => void>): Promise<void> {
  for (const { name, base } of await generatedUids(model, scalars, current)) {
    const info = ctx.catalog.get(model.uid)
    const inLocale = uidLocale(model, locale)
    await ctx.db.execute(compileUidLock(info, name, base, inLocale))
    const scope = { documentId, ...(inLocale !== undefined && { locale: inLocale }) }
    const key = pendingKey(model, name, locale)
    const [free] = await ctx.db.execute(compileFreeUid(info, name, base, scope, [...ctx.pendingUids.get(key) ?? []]))
    const value = typeof free?.v === 'string' ? free.v : base
    hold(ctx, key, value, held)
    scalars[name] = value
  }
}

/**
 * Runs `write` after generating the target's empty uids, which this process's other writes skip until it
 * returns. The base's lock makes the values free until the transaction commits: no race to lose, no retry.
 */
export async function withGeneratedUids<T> (ctx: ServiceContext, target: UidTarget, write: () => Promise<T>): Promise<T> {
  const held: Array<() => void> = []
  try {
    await generateUids(ctx, target, held)
    return await write()
  } finally {
    for (const release of held) release()
  }
}

// First attempts picking a value of one uid key, one at a time per process, so each sees the values the others hold.
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
 * Runs `attempt`, whose statement takes the base's lock and picks a free value of the uid skipping `skip` (the
 * values this process's other writes hold) and returns it, or undefined when a write that committed while it
 * waited for the lock took it (nothing written); then it runs again. The value is held until this returns.
 * `last`: the attempt must not yield (its unique violation is the caller's error). `lockFirst`: the lock is
 * taken by a statement of its own first (for rows a taken value would not make yield).
 */
export async function withPickedUid (ctx: ServiceContext, target: PickedUid, lockFirst: boolean, attempt: (skip: string[], last: boolean) => Promise<string | undefined>): Promise<void> {
  if (!ctx.db.inTransaction()) {
    // On its own the statement commits at once and releases the base's lock with it: the shortest hold, so
    // creates of one title follow each other at the pace of one statement. If it yields (a value committed
    // while it waited), or the lock must come first, the next attempts run in a transaction that holds it.
    if (!lockFirst && await pickOnce(ctx, target, attempt)) return
    await ctx.db.transaction(() => withPickedUid(ctx, target, true, attempt), { whole: true, retry: true })
    return
  }
  const key = pendingKey(target.model, target.name, target.locale)
  const held: Array<() => void> = []
  const run = async (n: number): Promise<string | undefined> => {
    const value = await attempt([...ctx.pendingUids.get(key) ?? []], n >= UID_ATTEMPTS)
    if (value !== undefined) hold(ctx, key, value, held)
    return value
  }
  try {
    if (lockFirst) await ctx.db.execute(compileUidLock(ctx.catalog.get(target.model.uid), target.name, target.base, uidLocale(target.model, target.locale)))
    for (let n = 1; ; n++) {
      // Holding the lock, a write neither waits inside its statement nor needs the gate (which a write waiting
      // for the lock inside its statement may hold).
      if (lockFirst || n > 1) {
        if (await run(n) !== undefined) return
        continue
      }
      const leave = await enter(ctx, key)
      try {
        if (await run(n) !== undefined) return
      } finally {
        leave()
      }
    }
  } finally {
    for (const release of held) release()
  }
}

/** One attempt of withPickedUid outside a transaction, through the gate: true when it wrote its rows. */
async function pickOnce (ctx: ServiceContext, target: PickedUid, attempt: (skip: string[], last: boolean) => Promise<string | undefined>): Promise<boolean> {
  const key = pendingKey(target.model, target.name, target.locale)
  const leave = await enter(ctx, key)
  try {
    // Committed when it returns: nothing to hold for the writes that follow, which see it.
    return await attempt([...ctx.pendingUids.get(key) ?? []], false) !== undefined
  } finally {
    leave()
  }
}
