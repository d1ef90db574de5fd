import type { FindPlan } from './ast.js'
import type { PlainObject } from './forms.js'
import type { Catalog } from './model.js'
import { type FindInput, parseFind, type ParseOptions } from './params.js'

/**
 * A read checked once: the Query Engine params it came from (what lifecycle hooks receive) and the typed
 * plan the engine compiles. A layer above builds it, the engine runs it without parsing again; only a
 * lifecycle hook listening to the read (it may edit the params) makes the engine parse them anew.
 */
export interface ReadPlan {
  readonly uid: string
  readonly params: PlainObject
  readonly find: FindPlan
  /** Whether private attributes were reachable (the parse options a re-parse reuses). */
  readonly allowPrivate: boolean
}

// Plans made here, so an engine method told "a plan" never trusts an object shaped like one by user code.
const plans = new WeakSet<object>()

export function planRead (catalog: Catalog, uid: string, params: PlainObject & FindInput, options: ParseOptions = {}): ReadPlan {
  const plan: ReadPlan = { uid, params, find: parseFind(catalog, uid, params, options), allowPrivate: options.allowPrivate ?? true }
  plans.add(plan)
  return plan
}

export function isReadPlan (value: unknown): value is ReadPlan {
  return typeof value === 'object' && value !== null && plans.has(value)
}
