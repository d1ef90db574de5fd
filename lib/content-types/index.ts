import type { Component, ComponentDefinition, ContentType, ContentTypeDefinition, Schema } from './types.js'
import type { ProjectSchemas, RawEntry } from './entries.js'
import { deepFreeze, defaultCollectionName, normalizeComponent, normalizeContentType } from './normalize.js'
import { createProblems, type Problems } from './problems.js'
import { BUILTIN_CONTENT_TYPES } from './builtin/index.js'
import { checkComponentCycles, checkModel, checkRegexes, prepare, type Candidate, type Registry, type Seen } from './validate.js'

export * from './types.js'
export type { ProjectSchemas, RawEntry, UnreadSchema } from './entries.js'
export { defineComponent, defineContentType } from './define.js'
export { snakeCase } from './names.js'
export { FILE_UID, FOLDER_UID, PERMISSION_UID, ROLE_UID, USER_UID, USERS_PERMISSIONS_UIDS } from './builtin/index.js'

/** The project's own content types (those with routes, controllers and permissions): not a plugin's built-in ones. */
export function isApiContentType (contentType: ContentType): boolean {
  return contentType.plugin === undefined
}
export type { SchemaProblem } from './problems.js'

export interface BuildSchemaInput {
  /** What a project folder held, as lib/project read it. */
  project?: ProjectSchemas
  /** Inline content types, added after the project's. */
  contentTypes?: readonly ContentTypeDefinition[]
  /** Inline components, added after the project's. */
  components?: readonly ComponentDefinition[]
  /** Accept `regex` patterns that safe-regex2 flags as catastrophic (refused by default). */
  allowUnsafeRegex?: boolean
}

function inlineEntries (input: BuildSchemaInput, problems: Problems): RawEntry[] {
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
 * Validates and normalizes every content type and component of a project (as read by lib/project) and/or
 * inline definitions. Any problem throws one InvalidContentTypeError listing them all
 * (`details.problems`: `{ source, attribute?, message }[]`).
 */
export function buildSchema (input: BuildSchemaInput): Schema {
  const problems = createProblems()
  const entries: RawEntry[] = []
  for (const item of input.project ?? []) {
    // Problems are reported by file, in load order.
    if ('problem' in item) {
      problems.add(item.source, item.problem)
    } else {
      problems.declare(item.source)
      entries.push(item)
    }
  }
  entries.push(...inlineEntries(input, problems))
  // Every project has the built-in types; after its own, so a project's clash is reported on its file.
  for (const { plugin, schema } of BUILTIN_CONTENT_TYPES) entries.push({ modelType: 'contentType', source: `builtin:${plugin}`, plugin, data: schema })

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
    if (!candidate.usable) continue
    checkModel(candidate, registry, seen, defaultCollectionName(candidate), problems)
    checkRegexes(candidate, input.allowUnsafeRegex === true, problems)
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
