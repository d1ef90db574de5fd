import type { ComponentDefinition, ContentTypeDefinition } from './types.js'

/**
 * Identity helpers for inline definitions: they type-check the definition while keeping its literal types
 * (`const` generic), so later code can derive precise types from it. Validation happens in `loadSchema`.
 */
export function defineContentType<const T extends ContentTypeDefinition> (definition: T): T {
  return definition
}

export function defineComponent<const T extends ComponentDefinition> (definition: T): T {
  return definition
}
