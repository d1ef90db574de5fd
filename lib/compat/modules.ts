import { existsSync } from 'node:fs'
import Module, { register } from 'node:module'
import { sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import * as strapiModule from './strapi.js'
import * as utilsModule from './utils.js'

/** The Strapi packages project files import, and the compatibility module each resolves to. */
const COMPAT_MODULES = { '@strapi/strapi': 'strapi', '@strapi/utils': 'utils' } as const

/** This folder's module `name`: the compiled .js, or the .ts source when vellum itself runs through tsx. */
function compatFile (name: string): string {
  const compiled = fileURLToPath(new URL(`./${name}.js`, import.meta.url))
  return existsSync(compiled) ? compiled : compiled.replace(/\.js$/, '.ts')
}

// Runs in Node's loader thread: the compatibility URL for a Strapi package imported from inside the project.
const ESM_HOOKS = `
let root, targets
export async function initialize (data) { root = data.root; targets = data.targets }
export async function resolve (specifier, context, next) {
  const target = targets[specifier]
  if (target !== undefined && typeof context.parentURL === 'string' && context.parentURL.startsWith(root)) return next(target, context)
  return next(specifier, context)
}
`

/** What `require()` gives: the very modules vellum loaded, so `instanceof` and the error envelope see its classes. */
const NAMESPACES: Record<string, unknown> = { '@strapi/strapi': strapiModule, '@strapi/utils': utilsModule }

type Load = (request: string, parent: { filename?: string | null } | undefined, isMain: boolean) => unknown
const registered = new Set<string>()

/**
 * Lets the files under `root` import or require `@strapi/strapi` and `@strapi/utils` without the real packages:
 * an ESM resolve hook (import, TypeScript through tsx included) and CommonJS's loader (require, and TypeScript
 * compiled to CommonJS), both giving vellum's own module instances. Files outside the project resolve those
 * names as before. Once per root.
 */
export function resolveStrapiModules (root: string): void {
  const prefix = root.endsWith(sep) ? root : root + sep
  if (registered.has(prefix)) return
  registered.add(prefix)
  const files = Object.fromEntries(Object.entries(COMPAT_MODULES).map(([specifier, name]) => [specifier, compatFile(name)]))
  const targets = Object.fromEntries(Object.entries(files).map(([specifier, file]) => [specifier, pathToFileURL(file).href]))
  register(`data:text/javascript,${encodeURIComponent(ESM_HOOKS)}`, { data: { root: pathToFileURL(prefix).href, targets } })
  const cjs = Module as unknown as { _load: Load }
  const original = cjs._load
  cjs._load = function (request, parent, isMain) {
    const namespace = NAMESPACES[request]
    if (namespace !== undefined && parent?.filename?.startsWith(prefix) === true) return namespace
    return original.call(this, request, parent, isMain)
  }
}
