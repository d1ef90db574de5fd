import type { Component, ComponentDefinition, ContentType, ContentTypeDefinition, Schema } from './types.js'
import { projectRoot, readProject, type RawEntry } from './load.js'
import { deepFreeze, defaultCollectionName, normalizeComponent, normalizeContentType } from './normalize.js'
import { createProblems, type Problems } from './problems.js'
import { checkComponentCycles, checkModel, prepare, type Candidate, type Registry, type Seen } from './validate.js'

export * from './types.js'
export { defineComponent, defineContentType } from './define.js'
export { snakeCase } from './names.js'
export type { SchemaProblem } from './problems.js'

export interface LoadSchemaInput {
  /** A Strapi project root: `src/api/*\/content-types/*\/schema.json` and `src/components/<category>/<name>.json`. */
  dir?: string | URL
  /** Inline content types, added after the project's. */
  contentTypes?: readonly ContentTypeDefinition[]
  /** Inline components, added after the project's. */
  components?: readonly ComponentDefinition[]
}

function inlineEntries (input: LoadSchemaInput, problems: Problems): RawEntry[] {
  const entries: RawEntry[] = []
  const lists = [['contentType', input.contentTypes ?? []], ['component', input.components ?? []]] as const
  for (const [modelType, list] of lists) {
    list.forEach((definition: unknown, index) => {
      const where = `inline:${modelType === 'contentType' ? 'contentTypes' : 'components'}[${index}]`
      if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) {
        problems.add(where, `must be an object (got ${definition === null ? 'null' : typeof definition})`)
        return
      }
      // Split off what is not part of Strapi's schema format; the rest is checked like a schema.json.
      const { uid, lifecycles, ...data } = definition as Record<string, unknown>
      if (uid !== undefined && typeof uid !== 'string') {
        problems.add(where, 'uid must be a string')
        return
      }
      entries.push({
        modelType,
        source: where,
        data,
        ...(uid !== undefined && { uid }),
        ...(lifecycles !== undefined && { lifecycles })
      })
    })
  }
  return entries
}

/**
 * Loads, validates and normalizes every content type and component of a project directory and/or inline
 * definitions. Any problem rejects with one InvalidContentTypeError listing them all
 * (`details.problems`: `{ source, attribute?, message }[]`).
 */
export async function loadSchema (input: LoadSchemaInput): Promise<Schema> {
  const problems = createProblems()
  const entries: RawEntry[] = []
  if (input.dir !== undefined) entries.push(...await readProject(projectRoot(input.dir), problems))
  entries.push(...inlineEntries(input, problems))

  const registry: Registry = { contentTypes: new Map(), components: new Map() }
  const candidates: Candidate[] = []
  for (const entry of entries) {
    const candidate = prepare(entry, problems)
    if (candidate === undefined) continue
    const models = candidate.modelType === 'contentType' ? registry.contentTypes : registry.components
    const existing = models.get(candidate.uid)
    if (existing !== undefined) {
      problems.add(candidate.source, `uid "${candidate.uid}" is already defined by ${existing.source}`)
      continue
    }
    models.set(candidate.uid, candidate)
    candidates.push(candidate)
  }

  const seen: Seen = { apiIds: new Map(), collectionNames: new Map() }
  for (const candidate of candidates) {
    if (candidate.usable) checkModel(candidate, registry, seen, defaultCollectionName(candidate), problems)
  }
  checkComponentCycles(registry.components, problems)
  problems.throwIfAny()

  const contentTypes = new Map<string, ContentType>()
  const components = new Map<string, Component>()
  for (const candidate of candidates) {
    if (candidate.modelType === 'contentType') contentTypes.set(candidate.uid, deepFreeze(normalizeContentType(candidate)))
    else components.set(candidate.uid, deepFreeze(normalizeComponent(candidate)))
  }
  return {
    contentTypes,
    components,
    get (uid: string) {
      return contentTypes.get(uid) ?? components.get(uid)
    }
  }
}
