import {
  EXTRA_LIFECYCLE_HOOKS, LIFECYCLE_ACTIONS,
  type LifecycleAction, type LifecycleEvent, type LifecycleHandler, type Lifecycles as ModelLifecycles, type LifecyclesFile
} from '../content-types/index.js'
import type { Catalog } from './model.js'

/**
 * Lifecycle hooks (contract §15): a built-in timestamps step, per-model hooks (inline in a TypeScript
 * definition, or a `lifecycles.(ts|js)` file beside a schema.json, read by lib/project into the model), then
 * subscribers in registration order.
 * Hooks are awaited one at a time; the first throw aborts the action (and rolls back its transaction).
 * `afterCommit` is vellum's own: called once the transaction that carried a write has committed, never
 * after a rollback.
 */

export const QUERY_ACTIONS = ['create', 'createMany', 'update', 'updateMany', 'delete', 'deleteMany', 'findOne', 'findMany', 'count'] as const
export type QueryAction = typeof QUERY_ACTIONS[number]
/** `beforeCreate`, `afterCreate`, …: the names shared with content-type definitions. */
export type HookName = LifecycleAction
export type { LifecycleEvent, LifecycleHandler }

const capitalize = <T extends string>(s: T): Capitalize<T> => `${s.charAt(0).toUpperCase()}${s.slice(1)}` as Capitalize<T>
const HOOK_SET = new Set<string>([...LIFECYCLE_ACTIONS, ...EXTRA_LIFECYCLE_HOOKS])

/** The model as hooks see it: the normalized model plus Strapi's `tableName`. */
export type EventModel = LifecycleEvent['model']

/** Hooks by name, `afterCommit` included (the shape of a content type's `lifecycles`). */
export type SubscriberHooks = ModelLifecycles
export type Subscriber = SubscriberHooks & { models?: string[] }
/** Called with every before/after event of every model (not with afterCommit). */
export type SubscriberFunction = (event: LifecycleEvent) => unknown

export interface LifecyclesApi {
  /** Adds a subscriber; returns its unsubscribe function. */
  subscribe: (subscriber: Subscriber | SubscriberFunction) => () => void
  /** Removes every subscriber added with `subscribe` (the timestamps step and per-model hooks stay). */
  clear: () => void
}

/** What one action of one model runs: its chain (a snapshot) and whether any of it has a hook for the action. */
interface ActionHooks {
  chain: Registered[]
  before: HookName
  after: HookName
  idle: boolean
}

interface Registered {
  hooks: SubscriberHooks
  fn?: SubscriberFunction
  models?: Set<string>
}

export interface ActionRun<T> {
  uid: string
  action: QueryAction
  params: Record<string, unknown>
  /** Runs the action with the params the before-hooks left. */
  exec: (params: Record<string, unknown>) => Promise<T>
  /** Writes: schedule afterCommit calls (through the transaction context). */
  onCommit?: (fn: () => unknown) => unknown
}

export interface Lifecycles {
  api: LifecyclesApi
  run: <T>(run: ActionRun<T>) => Promise<T>
  /**
   * True when no hook but the built-in timestamps step listens to the action: a write that stamps its own
   * timestamps may then run without the action's events.
   */
  quiet: (uid: string, action: QueryAction) => boolean
  /** Resolves at once: lifecycles files come loaded with the model (kept for `db.ready()`). */
  ready: () => Promise<void>
  /** True when no hook sees this action of this model: a read's rows then need not be entries. */
  idle: (uid: string, action: QueryAction) => boolean
}

function checkHooks (hooks: object, where: string, strict: boolean): SubscriberHooks {
  const out: SubscriberHooks = {}
  for (const [key, value] of Object.entries(hooks)) {
    if (key === 'models' || key === 'default') continue
    if (HOOK_SET.has(key)) {
      if (typeof value !== 'function') throw new TypeError(`Lifecycle hook ${key} in ${where} must be a function`)
      out[key as keyof SubscriberHooks] = value as LifecycleHandler
    } else if (strict || (typeof value === 'function' && /^(before|after)[A-Z]/.test(key))) {
      throw new TypeError(`Unknown lifecycle hook "${key}" in ${where}; expected one of ${[...HOOK_SET].join(', ')}`)
    }
  }
  return out
}

/** Timestamps first, as Strapi's built-in subscriber: createdAt/updatedAt kept if given, updatedAt set on update. */
function timestamps (catalog: Catalog): Registered {
  const models = new Set<string>()
  for (const uid of catalog.physical.models.keys()) {
    const { fields } = catalog.get(uid)
    if (fields.has('createdAt') && fields.has('updatedAt')) models.add(uid)
  }
  const stamp = (data: unknown, create: boolean): void => {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return
    const row = data as Record<string, unknown>
    const now = new Date()
    if (create) {
      row.createdAt ??= now
      row.updatedAt ??= now
    } else {
      row.updatedAt = now
    }
  }
  return {
    models,
    hooks: {
      beforeCreate: (e) => { stamp(e.params.data, true) },
      beforeCreateMany: (e) => { if (Array.isArray(e.params.data)) for (const d of e.params.data) stamp(d, true) },
      beforeUpdate: (e) => { stamp(e.params.data, false) },
      beforeUpdateMany: (e) => { stamp(e.params.data, false) }
    }
  }
}

/** Hooks are checked here, where their names are known; inline ones first, then the file's. */
export function createLifecycles (catalog: Catalog): Lifecycles {
  const builtin = [timestamps(catalog)]
  const perModel = new Map<string, Registered[]>()
  const eventModels = new Map<string, EventModel>()
  for (const [uid, tables] of catalog.physical.models) {
    const { model } = tables
    eventModels.set(uid, { ...model, tableName: tables.table.name })
    const own: Registered[] = []
    perModel.set(uid, own)
    const inline = (model as { lifecycles?: ModelLifecycles }).lifecycles
    if (inline !== undefined) own.push({ hooks: checkHooks(inline, `the definition of ${uid}`, false) })
    const file = (model as { lifecyclesFile?: LifecyclesFile }).lifecyclesFile
    if (file !== undefined) own.push({ hooks: checkHooks(file.hooks, file.file, false) })
  }
  let subscribers: Registered[] = []
  // The hooks of each model's actions, built on first use; replaced (never edited)
  // when subscribers change, so an action running keeps the chain it started with.
  let plans = new Map<string, Map<QueryAction, ActionHooks>>()

  function subscribe (subscriber: Subscriber | SubscriberFunction): () => void {
    let entry: Registered
    if (typeof subscriber === 'function') {
      entry = { hooks: {}, fn: subscriber }
    } else if (typeof subscriber === 'object' && subscriber !== null) {
      const { models } = subscriber
      if (models !== undefined && (!Array.isArray(models) || models.some(m => typeof m !== 'string'))) {
        throw new TypeError('subscribe: models must be an array of uids')
      }
      for (const uid of models ?? []) if (!catalog.has(uid)) throw new TypeError(`subscribe: unknown model ${uid}`)
      entry = { hooks: checkHooks(subscriber, 'a subscriber', true), ...(models !== undefined && { models: new Set(models) }) }
    } else {
      throw new TypeError('subscribe expects an object of hooks or a function')
    }
    subscribers = [...subscribers, entry]
    plans = new Map()
    return () => {
      subscribers = subscribers.filter(s => s !== entry)
      plans = new Map()
    }
  }

  function hooksOf (uid: string, action: QueryAction): ActionHooks {
    let byAction = plans.get(uid)
    if (byAction === undefined) {
      byAction = new Map()
      plans.set(uid, byAction)
    }
    let plan = byAction.get(action)
    if (plan === undefined) {
      const chain = [...builtin, ...(perModel.get(uid) ?? []), ...subscribers].filter(s => s.models === undefined || s.models.has(uid))
      const before = `before${capitalize(action)}` as HookName
      const after = `after${capitalize(action)}` as HookName
      const idle = chain.every(s => s.fn === undefined && s.hooks[before] === undefined && s.hooks[after] === undefined && s.hooks.afterCommit === undefined)
      plan = { chain, before, after, idle }
      byAction.set(action, plan)
    }
    return plan
  }

  async function runHooks<T> (plan: ActionHooks, model: EventModel, { uid, params, exec, onCommit }: ActionRun<T>): Promise<T> {
    const { chain, before, after } = plan
    const states = chain.map(() => ({}))
    let current = params
    for (const [i, s] of chain.entries()) {
      const handler = s.fn ?? s.hooks[before]
      if (handler === undefined) continue
      const event: LifecycleEvent = { action: before, uid, model, params: current, state: states[i]! }
      await handler(event)
      current = event.params
    }
    let result: T = await exec(current)
    for (const [i, s] of chain.entries()) {
      const handler = s.fn ?? s.hooks[after]
      if (handler === undefined) continue
      const event: LifecycleEvent = { action: after, uid, model, params: current, result, state: states[i]! }
      await handler(event)
      result = event.result as T
    }
    if (onCommit !== undefined) {
      for (const [i, s] of chain.entries()) {
        const handler = s.hooks.afterCommit
        if (handler === undefined) continue
        const event: LifecycleEvent = { action: after, uid, model, params: current, result, state: states[i]! }
        await onCommit(() => handler(event))
      }
    }
    return result
  }

  function run<T> (action: ActionRun<T>): Promise<T> {
    const model = eventModels.get(action.uid)
    if (model === undefined) return Promise.reject(new Error(`unknown model ${action.uid}`))
    const plan = hooksOf(action.uid, action.action)
    // Most reads have no hook at all: the action runs without events, states or an extra promise.
    return plan.idle ? action.exec(action.params) : runHooks(plan, model, action)
  }

  return {
    api: { subscribe, clear: () => { subscribers = []; plans = new Map() } },
    run,
    quiet (uid, action) {
      const { chain, before, after } = hooksOf(uid, action)
      return chain.every(s => builtin.includes(s) || (s.fn === undefined && s.hooks[before] === undefined && s.hooks[after] === undefined && s.hooks.afterCommit === undefined))
    },
    ready: () => Promise.resolve(),
    idle: (uid, action) => hooksOf(uid, action).idle
  }
}
