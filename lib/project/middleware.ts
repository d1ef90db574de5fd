import { statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { isAbsolute, join, resolve } from 'node:path'
import { messageOf, ProjectCodeError } from '../errors.js'
import { CODE_EXTENSIONS, importFile } from './import.js'

function isFile (file: string): boolean {
  return statSync(file, { throwIfNoEntry: false })?.isFile() === true
}

/** `{ resolve }`: a path relative to the project (extension optional), or a package the project can require. */
function resolveModule (spec: string, projectDir: string | undefined): string {
  const base = projectDir ?? process.cwd()
  if (spec.startsWith('.') || isAbsolute(spec)) {
    const file = resolve(base, spec)
    const candidates = [file, ...CODE_EXTENSIONS.map(ext => file + ext), ...CODE_EXTENSIONS.map(ext => join(file, `index${ext}`))]
    const found = candidates.find(isFile)
    if (found === undefined) throw new ProjectCodeError(`Middleware ${spec}: no such file (${file})`, { middleware: spec })
    return found
  }
  try {
    return createRequire(join(base, 'package.json')).resolve(spec)
  } catch (error) {
    throw new ProjectCodeError(`Middleware ${spec}: cannot be resolved from ${base}: ${messageOf(error)}`, { middleware: spec }, error)
  }
}

/** The module a `{ resolve: spec }` middleware reference names, and its exported value (a factory, if well formed). */
export async function loadMiddlewareModule (spec: string, projectDir: string | undefined): Promise<{ file: string, value: unknown }> {
  const file = resolveModule(spec, projectDir)
  return { file, value: await importFile(file, `Middleware ${spec} (${file})`) }
}
