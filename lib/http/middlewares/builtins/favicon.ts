import { readFile } from 'node:fs/promises'
import { extname, resolve } from 'node:path'
import { isNumber, isString, option, warnIgnored, type Builtin } from './types.js'

const TYPES: Record<string, string> = {
  '.ico': 'image/x-icon',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.gif': 'image/gif'
}

async function readIcon (file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

/**
 * `strapi::favicon`: answers `/favicon.ico` with the project's `favicon.png` (config `path`, falling back to
 * `favicon.png` then `favicon.ico`, as Strapi does), read once at boot. Without a project directory or an icon
 * it does nothing; Strapi would answer a 500 on every favicon request instead. Under a REST prefix
 * (`/api/...`) no request has that path, so it only matters standalone.
 */
export const favicon: Builtin = async (config, context) => {
  const path = option(config, 'path', isString, 'a file path', context) ?? 'favicon.png'
  const maxAge = option(config, 'maxAge', isNumber, 'a number of milliseconds', context) ?? 86400000
  warnIgnored(config, ['path', 'maxAge'], context, 'unknown option(s), ignored')
  if (context.projectDir === undefined) {
    context.log.debug({ middleware: context.name }, `${context.name}: no project directory, no favicon`)
    return { kind: 'none' }
  }
  let file: string | undefined
  let icon: Buffer | undefined
  for (const candidate of [path, 'favicon.png', 'favicon.ico']) {
    file = resolve(context.projectDir, candidate)
    icon = await readIcon(file)
    if (icon !== undefined) break
  }
  if (icon === undefined || file === undefined) {
    context.log.debug({ middleware: context.name }, `${context.name}: no ${path}, favicon.png nor favicon.ico in the project, no favicon`)
    return { kind: 'none' }
  }
  const body = icon
  const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream'
  const cacheControl = `public, max-age=${Math.floor(maxAge / 1000)}`
  return {
    kind: 'middleware',
    middleware: async function vellumFavicon (ctx, next) {
      if (ctx.path !== '/favicon.ico') return await next()
      if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
        ctx.set('Allow', 'GET, HEAD, OPTIONS')
        if (ctx.method === 'OPTIONS') ctx.status = 200
        else ctx.methodNotAllowed()
        return
      }
      ctx.set('Cache-Control', cacheControl)
      ctx.set('Content-Type', type)
      ctx.status = 200
      ctx.body = body
    }
  }
}
