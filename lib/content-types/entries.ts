import type { LifecyclesFile } from './types.js'

/** A schema as read, before any check: where it came from and its parsed JSON (or inline object). */
export interface RawEntry {
  modelType: 'contentType' | 'component'
  /** Absolute file path; for inline definitions `inline:contentTypes[<i>]` until the uid is known. */
  source: string
  data: unknown
  /** Content types from files: the `<api>` directory. */
  apiDir?: string
  /** Content types from files: the directory holding schema.json (used for the uid when singularName is missing). */
  typeDir?: string
  /** Built-in types: the plugin they belong to (uid `plugin::<plugin>.<singularName>`). */
  plugin?: string
  /** Inline definitions: the uid as given. */
  uid?: string
  /** Components from files: `<category>` and `<name>` of `src/components/<category>/<name>.json`. */
  category?: string
  name?: string
  /** Inline content types: the `lifecycles` object, checked later. */
  lifecycles?: unknown
  /** Content types from files: the exports of the `lifecycles.(ts|js)` file beside schema.json, if any. */
  lifecyclesFile?: LifecyclesFile
}

/** A file of a project that could not be read as a schema, and why. */
export interface UnreadSchema {
  source: string
  problem: string
}

/** What a project folder held (read by lib/project), in load order: each schema read, or why one was not. */
export type ProjectSchemas = ReadonlyArray<RawEntry | UnreadSchema>
