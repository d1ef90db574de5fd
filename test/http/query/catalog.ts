/**
 * The blog-model fixture as a catalog, without a database: enough for everything the query layer checks.
 * `vault` adds what the fixture lacks for the privacy tests: private and password attributes inside
 * components (plain, repeatable, in a dynamic zone) and a private relation.
 */
import { type ComponentDefinition, type ContentTypeDefinition } from '../../../lib/content-types/index.js'
import { loadSchema } from '../../../lib/project/index.js'
import { buildPhysicalModel } from '../../../lib/db/index.js'
import type { RestLimits, ValidateQueryContext } from '../../../lib/http/query/index.js'
import { createCatalog } from '../../../lib/query/index.js'

import { ARTICLE, AUTHOR, BLOG } from '../../helpers/blog-model.js'
export { ARTICLE, AUTHOR, BLOG, CATEGORY, HOMEPAGE, PROFILE, TAG } from '../../helpers/blog-model.js'
export const VAULT = 'api::vault.vault'

const components: ComponentDefinition[] = [{
  uid: 'secret.box',
  info: { displayName: 'Box' },
  attributes: {
    label: { type: 'string' },
    code: { type: 'string', private: true },
    pin: { type: 'password' },
    owner: { type: 'relation', relation: 'oneToOne', target: AUTHOR }
  }
}]

const contentTypes: ContentTypeDefinition[] = [{
  uid: VAULT,
  kind: 'collectionType',
  info: { singularName: 'vault', pluralName: 'vaults', displayName: 'Vault' },
  attributes: {
    name: { type: 'string' },
    secret: { type: 'string', private: true },
    box: { type: 'component', component: 'secret.box', repeatable: false },
    boxes: { type: 'component', component: 'secret.box', repeatable: true },
    zone: { type: 'dynamiczone', components: ['secret.box', 'content.quote'] },
    owner: { type: 'relation', relation: 'manyToOne', target: AUTHOR, private: true },
    keeper: { type: 'relation', relation: 'manyToOne', target: AUTHOR },
    article: { type: 'relation', relation: 'oneToOne', target: ARTICLE }
  }
}]

export const schema = await loadSchema({ dir: BLOG, contentTypes, components })
export const catalog = createCatalog(schema, buildPhysicalModel(schema))

/** vellum's defaults (lib/options.ts). */
export const rest: RestLimits = {
  defaultLimit: 25,
  maxLimit: 100,
  withCount: true,
  maxPopulateDepth: 5,
  maxFilterDepth: 10,
  maxArrayLength: 100
}

export function context (overrides: Partial<ValidateQueryContext> = {}): ValidateQueryContext {
  return { catalog, rest, action: 'find', kind: 'collectionType', locales: ['en', 'fr'], ...overrides }
}

/** The error `fn` throws (the test fails when it does not throw). */
export function thrown (fn: () => unknown): Error & { details?: Record<string, unknown> } {
  try {
    fn()
  } catch (err) {
    return err as Error & { details?: Record<string, unknown> }
  }
  throw new Error('expected an error')
}
