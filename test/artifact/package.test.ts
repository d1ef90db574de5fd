import { execFile } from 'node:child_process'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import t from 'tap'
import { root } from '../helpers/paths.js'
import { plain } from '../helpers/process.js'

/**
 * The package as a user gets it: `npm pack`, then the tarball installed into a plain JavaScript ESM app and a
 * strict TypeScript app, both run with plain `node` (no tsx, no loader flags). One pack and one install, shared
 * by both hosts.
 *
 * `npm test` builds dist/ first (pretest; CI's build step), so the pack takes that build instead of prepack's
 * second clean one (~17 s of CPU); a dist/ older than its sources, or holding a module with no source, is
 * rebuilt from scratch by prepack as before. (The file sits in test/artifact so that tap, which runs files in
 * name order, starts this longest file first instead of leaving it for the end of the run.)
 */

const repo = root
const tsc = join(repo, 'node_modules/typescript/bin/tsc')

interface Run { code: number | null, stdout: string, stderr: string }

/** Child processes get no loader (tap's NODE_OPTIONS) and no npm_* settings of the `npm test` that started us. */
function cleanEnv (): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'NODE_OPTIONS' || /^npm_/i.test(key) || key.startsWith('TAP')) continue
    env[key] = value
  }
  // The hosts share the suite's PGlite template (built once per machine, as a user's machine keeps it) instead
  // of each initializing a cluster, which takes minutes when the suite saturates the cores.
  env.VELLUM_CACHE_DIR ??= join(repo, 'node_modules', '.cache', 'vellum')
  return env
}

function run (file: string, args: string[], cwd: string, timeout = 180_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(...plain(file, args), { cwd, env: cleanEnv(), timeout, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null
      resolve({ code, stdout, stderr })
    })
  })
}

const npm = (args: string[], cwd: string): Promise<Run> => run('npm', args, cwd)
const node = (args: string[], cwd: string): Promise<Run> => run(process.execPath, args, cwd, 180_000)

async function versionOf (pkg: string): Promise<string> {
  const manifest = JSON.parse(await readFile(join(repo, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }
  return manifest.version
}

async function filesUnder (dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(dir, join(entry.parentPath, entry.name)))
}

/**
 * Whether dist/ is this checkout's build: every lib/ module compiled no earlier than its source was last
 * changed, and no compiled module left over from a source that is gone.
 */
async function freshBuild (): Promise<boolean> {
  const sources = (await filesUnder(join(repo, 'lib'))).filter((file) => file.endsWith('.ts'))
  const compiled = await filesUnder(join(repo, 'dist')).catch((): string[] => [])
  const outputs = new Set(compiled.filter((file) => file.endsWith('.js')))
  if (outputs.size !== sources.length) return false
  for (const source of sources) {
    const output = source.replace(/\.ts$/, '.js')
    if (!outputs.has(output)) return false
    const [from, to] = await Promise.all([stat(join(repo, 'lib', source)), stat(join(repo, 'dist', output))])
    if (to.mtimeMs < from.mtimeMs) return false
  }
  return true
}

/** Every specifier a module imports at load time (static `import`/`export ... from`), not `import()`. */
function staticImports (source: string): string[] {
  const found: string[] = []
  for (const match of source.matchAll(/^\s*(?:import|export)\s(?:[^'"();]*?\sfrom\s*)?['"]([^'"]+)['"]/gm)) {
    if (match[1] !== undefined) found.push(match[1])
  }
  return found
}

const ARTICLE = {
  kind: 'collectionType',
  info: { singularName: 'article', pluralName: 'articles', displayName: 'Article' },
  attributes: { title: { type: 'string', required: true } }
}

const PLAIN_HOST = `import Fastify from 'fastify'
import vellum from 'vellum'

// A first PGlite boot can take seconds on a loaded machine: more than Fastify's default 10 s plugin timeout allows.
const app = Fastify({ logger: false, pluginTimeout: 120_000 })
await app.register(vellum, {
  contentTypes: [${JSON.stringify(ARTICLE)}],
  database: { pglite: 'memory' },
  permissions: { public: '*' }
})
const post = await app.inject({ method: 'POST', url: '/api/articles', payload: { data: { title: 'Hello' } } })
const get = await app.inject({ method: 'GET', url: '/api/articles' })
await app.close()
console.log(JSON.stringify({
  execArgv: process.execArgv,
  post: { status: post.statusCode, body: post.json() },
  get: { status: get.statusCode, body: get.json() }
}))
`

const TS_HOST = `import Fastify from 'fastify'
import vellum, {
  createCoreController, createCoreRouter, createCoreService, defineComponent, defineContentType, NotFoundError,
  type EmailSendOptions, type Vellum, type VellumOptions
} from 'vellum'

const seo = defineComponent({
  uid: 'shared.seo',
  info: { displayName: 'Seo' },
  attributes: { metaTitle: { type: 'string', required: true } }
})
const article = defineContentType({
  kind: 'collectionType',
  info: { singularName: 'article', pluralName: 'articles', displayName: 'Article' },
  options: { draftAndPublish: false },
  attributes: {
    title: { type: 'string', required: true, maxLength: 200 },
    slug: { type: 'uid', targetField: 'title' },
    seo: { type: 'component', component: 'shared.seo', repeatable: false }
  }
})

// Typical option objects, checked under exactOptionalPropertyTypes (only type-checked, never registered).
export const fromDirectory: VellumOptions = { dir: './cms', database: { url: 'postgres://localhost/cms' } }
export const pooled: VellumOptions = { database: { url: 'postgres://localhost/cms', max: 5, prepare: false } }
export const tuned: VellumOptions = { rest: { maxLimit: 50 }, i18n: { locales: ['en', 'fr'], defaultLocale: 'en' }, sync: { allowDestructive: true } }
export const mailing: VellumOptions = { email: { provider: 'nodemailer', providerOptions: { host: 'smtp.example.com', port: 587, auth: { user: 'u', pass: 'p' } }, settings: { defaultFrom: 'no-reply@example.com' } } }
export const customMail: VellumOptions = { email: { provider: { async send (message: EmailSendOptions) { return message.to } } } }

const options: VellumOptions = {
  contentTypes: [article],
  components: [seo],
  database: { pglite: 'memory' },
  permissions: { public: '*' },
  routes: [createCoreRouter('api::article.article', { only: ['find', 'create'] })],
  controllers: [createCoreController('api::article.article', ({ vellum }) => ({
    async count () {
      return { data: await vellum.documents('api::article.article').count({}) }
    }
  }))],
  services: [createCoreService('api::article.article')],
  bootstrap: async ({ vellum }) => { await vellum.documents('api::article.article').create({ data: { title: 'First' } }) }
}

const app = Fastify({ logger: false, pluginTimeout: 120_000 })
app.get('/hello', async () => ({ hello: 'world' }))
await app.register(vellum, options)
await app.ready()
const cms: Vellum = app.vellum
const uids: string[] = Object.keys(cms.contentTypes)
const found = await cms.documents('api::article.article').findMany({ filters: { title: { $eq: 'First' } } })
const list = await app.inject({ method: 'GET', url: '/api/articles' })
const error = new NotFoundError('nothing here')
await app.close()
console.log(JSON.stringify({ uids, found: found.length, status: list.statusCode, body: list.json(), error: error.name }))
`

const STRICT_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    exactOptionalPropertyTypes: true,
    noPropertyAccessFromIndexSignature: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: false,
    types: ['node'],
    outDir: 'out',
    rootDir: '.'
  },
  files: ['host.ts']
}

// npm pack, one npm install, a strict tsc run and three PGlite boots: minutes on a loaded machine.
t.setTimeout(600_000)

t.test('the packed tarball works as a dependency, from plain JavaScript and from strict TypeScript', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'vellum-package-'))
  t.teardown(() => rm(root, { recursive: true, force: true }))

  // A copy of what a clone holds, so a clean build never touches the dist/ other test files run.
  const stage = join(root, 'stage')
  await mkdir(stage)
  for (const entry of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md', 'LICENSE', 'lib', 'bin', 'docs']) {
    await cp(join(repo, entry), join(stage, entry), { recursive: true })
  }
  await symlink(join(repo, 'node_modules'), join(stage, 'node_modules'), 'dir')
  const built = await freshBuild()
  if (built) await cp(join(repo, 'dist'), join(stage, 'dist'), { recursive: true })
  t.comment(built ? 'packing the fresh dist/ of this checkout' : 'dist/ is stale or missing: prepack builds it from scratch')

  const pack = await npm(['pack', '--json', '--pack-destination', root, ...(built ? ['--ignore-scripts'] : [])], stage)
  t.equal(pack.code, 0, 'npm pack succeeds', { stderr: pack.stderr })
  const [packed] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as Array<{ filename: string, version: string, files: Array<{ path: string }> }>
  if (packed === undefined) throw new Error(`npm pack printed no manifest: ${pack.stdout}`)
  const tarball = join(root, packed.filename)

  t.test('the tarball holds the compiled package and nothing else', async (t) => {
    const paths = packed.files.map((file) => file.path)
    const outside = paths.filter((path) => !/^(package\.json|README\.md|LICENSE|(dist|bin|docs)\/.+)$/.test(path))
    t.same(outside, [], 'only package.json, README.md, LICENSE, dist/, bin/ and docs/')
    for (const path of ['package.json', 'README.md', 'LICENSE', 'bin/vellum.js', 'dist/index.js', 'dist/index.d.ts']) {
      t.ok(paths.includes(path), `ships ${path}`)
    }
    for (const target of staticImports(await readFile(join(stage, 'bin/vellum.js'), 'utf8'))) {
      if (target.startsWith('.')) t.ok(paths.includes(join('bin', target)), `ships ${join('bin', target)}, which the bin imports`)
    }
    t.same(paths.filter((path) => path.endsWith('.ts') && !path.endsWith('.d.ts')), [], 'no TypeScript sources')
    t.same(paths.filter((path) => path.includes('tsbuildinfo')), [], 'no build cache')
  })

  const app = join(root, 'app')
  await mkdir(app)
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'vellum-host', private: true, type: 'module' }))
  const install = await npm([
    'install', tarball, `fastify@${await versionOf('fastify')}`, `@types/node@${await versionOf('@types/node')}`,
    '--no-audit', '--no-fund', '--prefer-offline'
  ], app)
  t.equal(install.code, 0, 'npm install of the tarball succeeds', { stderr: install.stderr })
  const installed = join(app, 'node_modules/vellum')

  t.test('one fastify for host and plugin; nothing in dist needs tsx at load', async (t) => {
    const nested = await readdir(join(installed, 'node_modules')).catch((): string[] => [])
    t.notOk(nested.includes('fastify'), 'vellum uses the host\'s fastify (peer dependency)')
    const loaded: string[] = []
    for (const file of await filesUnder(join(installed, 'dist'))) {
      if (!file.endsWith('.js')) continue
      const imports = staticImports(await readFile(join(installed, 'dist', file), 'utf8'))
      if (imports.some((specifier) => specifier === 'tsx' || specifier.startsWith('tsx/'))) loaded.push(file)
    }
    t.same(loaded, [], 'no static import of tsx (the CLI registers it lazily)')
    const entry = await node(['--input-type=module', '-e', "const m = await import('vellum'); console.log(typeof m.default, typeof m.defineContentType)"], app)
    t.equal(entry.code, 0, "import('vellum') with plain node", { stderr: entry.stderr })
    t.equal(entry.stdout.trim(), 'function function')
  })

  // The type check is the slow part: it runs while the JavaScript host boots.
  await writeFile(join(app, 'host.ts'), TS_HOST)
  await writeFile(join(app, 'tsconfig.json'), JSON.stringify(STRICT_TSCONFIG, null, 2))
  const typecheck = run(process.execPath, [tsc, '-p', '.', '--pretty', 'false'], app)

  t.test('a plain JavaScript ESM host registers it and serves the content API', async (t) => {
    await writeFile(join(app, 'plain.mjs'), PLAIN_HOST)
    const result = await node(['plain.mjs'], app)
    t.equal(result.code, 0, 'plain node runs the host', { stderr: result.stderr })
    const answer = JSON.parse(result.stdout) as { execArgv: string[], post: { status: number, body: unknown }, get: { status: number, body: unknown } }
    t.same(answer.execArgv, [], 'no loader flags')
    t.equal(answer.post.status, 201)
    t.match(answer.post.body, { data: { title: 'Hello', documentId: String }, meta: {} })
    t.equal(answer.get.status, 200)
    t.match(answer.get.body, { data: [{ title: 'Hello' }], meta: { pagination: { total: 1 } } })
  })

  t.test('the installed bin runs with plain node', async (t) => {
    const bin = join(app, 'node_modules/.bin/vellum')
    const version = await node([bin, '--version'], app)
    t.equal(version.code, 0, 'vellum --version', { stderr: version.stderr })
    t.equal(version.stdout.trim(), packed.version)
    const help = await node([bin, '--help'], app)
    t.equal(help.code, 0, 'vellum --help', { stderr: help.stderr })
    t.match(help.stdout, /\bstart\b/)
  })

  t.test('a strict TypeScript host compiles against the declarations and boots', async (t) => {
    const result = await typecheck
    const diagnostics = result.stdout.split('\n').filter((line) => /error TS\d+/.test(line))
    t.same(diagnostics.filter((line) => line.startsWith('node_modules/vellum/')), [], 'no error inside vellum\'s declarations')
    t.same(diagnostics.filter((line) => !line.startsWith('node_modules/')), [], 'no error in the host\'s own code')
    // Other packages' own declarations (drizzle-orm's other dialects, PGlite's Emscripten types) are theirs.
    const others = new Set(diagnostics.map((line) => /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(line)?.[1]).filter((name) => name !== undefined))
    t.comment(`${diagnostics.length} diagnostics under skipLibCheck: false, all in: ${[...others].join(', ') || 'none'}`)
    const compiled = await filesUnder(join(app, 'out')).catch((): string[] => [])
    t.ok(compiled.includes('host.js'), 'tsc emitted the host')
    const run = await node(['out/host.js'], app)
    t.equal(run.code, 0, 'plain node runs the compiled host', { stderr: run.stderr })
    const answer = JSON.parse(run.stdout) as unknown
    t.match(answer, {
      uids: ['api::article.article', 'plugin::upload.file', 'plugin::upload.folder'],
      found: 1,
      status: 200,
      body: { data: [{ title: 'First', slug: 'first' }], meta: { pagination: { total: 1 } } },
      error: 'NotFoundError'
    })
  })
})
