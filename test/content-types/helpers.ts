import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { Test } from 'tap'
import { InvalidContentTypeError } from '../../lib/errors.js'
import { type SchemaProblem } from '../../lib/content-types/index.js'
import { loadSchema, type LoadSchemaInput } from '../../lib/project/index.js'
import { fixture as fixturePath } from '../helpers/paths.js'

export const fixture = fixturePath('projects', 'blog-model')
export const referenceModel = fixturePath('reference-model')

/**
 * Writes a throwaway Strapi project (paths relative to its root; objects are written as JSON, strings
 * as they are) and removes it on teardown.
 */
export async function writeProject (t: Test, files: Record<string, unknown>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'vellum-ct-'))
  t.teardown(() => rm(root, { recursive: true, force: true }))
  for (const [path, content] of Object.entries(files)) {
    const file = join(root, path)
    await mkdir(dirname(file), { recursive: true })
    await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2))
  }
  return root
}

/** Path of a content type's schema.json inside a project written by writeProject. */
export function schemaPath (root: string, api: string, type = api): string {
  return join(root, 'src', 'api', api, 'content-types', type, 'schema.json')
}

/** A minimal valid collection type for throwaway projects; `extra` overrides top-level keys. */
export function collectionType (singular: string, plural: string, attributes: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { kind: 'collectionType', info: { singularName: singular, pluralName: plural, displayName: singular }, attributes, ...extra }
}

/** Loads and expects an InvalidContentTypeError; returns it with its problems. */
export async function loadError (input: LoadSchemaInput): Promise<{ error: InvalidContentTypeError, problems: SchemaProblem[] }> {
  try {
    await loadSchema(input)
  } catch (error) {
    if (!(error instanceof InvalidContentTypeError)) throw error
    return { error, problems: error.details.problems as SchemaProblem[] }
  }
  throw new Error('expected loadSchema to reject')
}

/** Only the problems, for the usual assertion. */
export async function loadProblems (input: LoadSchemaInput): Promise<SchemaProblem[]> {
  return (await loadError(input)).problems
}
