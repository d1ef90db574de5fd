import type { Model } from '../content-types/index.js'

/** What a key of an entry holds when it holds other entries: a relation (media and `localizations` too), a component, a zone. */
export type Nested =
  | { kind: 'relation', target: string }
  | { kind: 'component', uid: string }
  | { kind: 'zone' }

const cache = new WeakMap<Model, ReadonlyMap<string, Nested>>()

/**
 * The keys of a model's entries that hold other entries, with the model they hold (a zone item names its own):
 * the one reading of the model for the walks over populated output (sanitizing, the v4 format). Morph sides are
 * left out: their items have no one model.
 */
export function nestedKeys (model: Model): ReadonlyMap<string, Nested> {
  let keys = cache.get(model)
  if (keys !== undefined) return keys
  const built = new Map<string, Nested>()
  for (const attribute of Object.values(model.attributes)) {
    if (attribute.type === 'relation') built.set(attribute.name, { kind: 'relation', target: attribute.target })
    else if (attribute.type === 'component') built.set(attribute.name, { kind: 'component', uid: attribute.component })
    else if (attribute.type === 'dynamiczone') built.set(attribute.name, { kind: 'zone' })
  }
  // The virtual relation of a localized content type to its other locales (not an attribute).
  if (model.kind !== 'component' && model.localized && model.attributes.localizations === undefined) {
    built.set('localizations', { kind: 'relation', target: model.uid })
  }
  keys = built
  cache.set(model, keys)
  return keys
}
