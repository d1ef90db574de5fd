import type { BoundPolicy, RequestContext } from '../../hooks/index.js'
import { ProjectCodeError } from '../../errors.js'
import type { FactoryDeps, Policy, PolicyContext, PolicyReference } from '../types.js'

/**
 * Route policies (contract §18): references resolved once at boot into functions of the request ctx. The
 * pipeline runs them in order in `preHandler`; true or undefined lets the request through, anything else is a
 * 403 PolicyError, and a thrown error keeps its status, name and message.
 */

export interface PolicyScope {
  /** The route's API: a bare name is looked up as `api::<apiName>.<name>` first. */
  apiName?: string
}

const kPolicyContext = Symbol('vellum.policyContext')
type WithPolicyContext = RequestContext & { [kPolicyContext]?: PolicyContext }

/**
 * The ctx plus Strapi's `type: 'koa'` and `is(type)`. A proxy rather than a copy (Strapi copies with
 * Object.assign), so a policy that sets `ctx.body`, `ctx.status` or `ctx.query` changes the real ctx.
 */
export function createPolicyContext (ctx: RequestContext): PolicyContext {
  const holder = ctx as WithPolicyContext
  const cached = holder[kPolicyContext]
  if (cached !== undefined) return cached
  const is = (type: string): boolean => type === 'koa'
  const policyContext = new Proxy(ctx, {
    get (target, key, receiver) {
      if (key === 'type') return 'koa'
      if (key === 'is') return is
      return Reflect.get(target, key, receiver === policyContext ? target : receiver)
    },
    has (target, key) {
      return key === 'type' || key === 'is' || Reflect.has(target, key)
    }
  }) as PolicyContext
  holder[kPolicyContext] = policyContext
  return policyContext
}

/**
 * The policy a name stands for: `global::x` and `api::<api>.x` as given, a bare `x` in the route's API first,
 * then among the global ones (`global::x`, or `x` as registered).
 */
export function findPolicy (name: string, scope: PolicyScope, registry: ReadonlyMap<string, Policy>): Policy | undefined {
  if (name.includes('::')) return registry.get(name)
  const own = scope.apiName === undefined ? undefined : registry.get(`api::${scope.apiName}.${name}`)
  // A registry built from options may keep a global one under its bare name.
  return own ?? registry.get(`global::${name}`) ?? registry.get(name)
}

/** Resolves one reference (`'name'`, `{ name, config }` or a function) with its config; an unknown name throws at boot. */
export function resolvePolicy (ref: PolicyReference, scope: PolicyScope, registry: ReadonlyMap<string, Policy>, deps: FactoryDeps): BoundPolicy {
  let policy: Policy | undefined
  let config: Record<string, unknown> = {}
  if (typeof ref === 'function') {
    policy = ref
  } else if (typeof ref === 'string') {
    policy = findPolicy(ref, scope, registry)
    if (policy === undefined) throw new ProjectCodeError(`Policy ${ref} not found.`, { policy: ref })
  } else if (typeof ref === 'object' && ref !== null && typeof ref.name === 'string' && ref.name !== '') {
    if (ref.config !== undefined && (typeof ref.config !== 'object' || ref.config === null || Array.isArray(ref.config))) {
      throw new ProjectCodeError(`Policy ${ref.name}: "config" must be an object`, { policy: ref.name })
    }
    policy = findPolicy(ref.name, scope, registry)
    if (policy === undefined) throw new ProjectCodeError(`Policy ${ref.name} not found.`, { policy: ref.name })
    config = ref.config ?? {}
  } else {
    throw new ProjectCodeError('A policy must be a name, { name, config } or a function (policyContext, config, { vellum })', { policy: String(ref) })
  }
  const resolved = policy
  return function boundPolicy (ctx) {
    return resolved(createPolicyContext(ctx), config, deps)
  }
}

/** A route's `config.policies`, in order. */
export function resolvePolicies (refs: readonly PolicyReference[] | undefined, scope: PolicyScope, registry: ReadonlyMap<string, Policy>, deps: FactoryDeps): BoundPolicy[] {
  if (refs === undefined) return []
  if (!Array.isArray(refs)) throw new ProjectCodeError('Route policies must be an array')
  return refs.map(ref => resolvePolicy(ref, scope, registry, deps))
}
