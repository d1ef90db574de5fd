/**
 * The PGlite template cache: built once into a cache directory, then copied (new data directories) or loaded
 * (memory databases); databases made from it are ordinary ones; a broken cache only costs speed.
 */
import { existsSync } from 'node:fs'
import { readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import Fastify from 'fastify'
import t from 'tap'
import { sql } from 'drizzle-orm'
import vellum from '../../lib/index.js'
import { createDatabase } from '../../lib/db/index.js'
import { cacheDirs, ensureTemplate, pgliteTemplate, templateBlob, templateKey } from '../../lib/db/pglite-template.js'
import { silentLogger } from '../../lib/logger.js'
import { articleDefinition } from '../helpers/app.js'

t.test('cache directories: $VELLUM_CACHE_DIR, else node_modules/.cache/vellum beside PGlite, then the OS temp dir', async t => {
  t.same(cacheDirs({ VELLUM_CACHE_DIR: '/somewhere' }), ['/somewhere'])
  const dirs = cacheDirs({})
  t.match(dirs[0], /node_modules\/\.cache\/vellum$/)
  t.match(dirs[1], /vellum-cache$/)
  t.match(templateKey(), /^pglite-\d+\.\d+\.\d+.*-t\d+$/, 'keyed by the PGlite version')
})

// One cache for the two tests below: building a template initializes a whole cluster (seconds on a busy machine).
const cacheDir = t.testdir()

t.test('a template is built once, atomically, even when asked for twice at once; new databases come from it', async t => {
  const debug: string[] = []
  const log = { ...silentLogger, debug: (_: unknown, msg?: string) => { if (msg !== undefined) debug.push(msg) } }
  const [a, b] = await Promise.all([ensureTemplate(cacheDir, log), ensureTemplate(cacheDir, log)])
  t.same(a, b)
  t.equal(debug.filter(m => m === 'built the PGlite template').length, 1, 'built once')
  t.ok(existsSync(join(a.dataDir, 'PG_VERSION')))
  t.ok(existsSync(a.tarball))
  t.same((await readdir(cacheDir)).sort(), [templateKey()], 'nothing but the template left in the cache (no staging, no lock)')

  // Through the public entry point, with the cache set by the environment (this file's process only).
  process.env.VELLUM_CACHE_DIR = cacheDir
  t.teardown(() => { delete process.env.VELLUM_CACHE_DIR })

  const dataDir = join(t.testdir(), 'projects', 'one', 'data')
  const onDisk = await createDatabase({ pglite: dataDir }, silentLogger)
  t.teardown(() => onDisk.close())
  t.ok(existsSync(join(dataDir, 'PG_VERSION')), 'a copy of the template')
  t.same(await readdir(join(dataDir, '..')).then(names => names.sort()), ['data', 'data.lock'], 'no staging copy left beside it')
  await onDisk.execute(sql`create table t (v text)`)
  await onDisk.execute(sql`insert into t values ('kept')`)
  await onDisk.close()
  const reopened = await createDatabase({ pglite: dataDir }, silentLogger)
  t.teardown(() => reopened.close())
  t.same(await reopened.execute(sql`select v from t`), [{ v: 'kept' }])

  const memory = await createDatabase({ pglite: 'memory' }, silentLogger)
  t.teardown(() => memory.close())
  t.same(await memory.execute(sql`select to_regclass('t') as found`), [{ found: null }], 'the template holds no data')
  const template = await createDatabase({ pglite: join(cacheDir, templateKey(), 'data') }, silentLogger)
  t.teardown(() => template.close())
  t.same(await template.execute(sql`select to_regclass('t') as found`), [{ found: null }], 'the copy never wrote into the template')
})

t.test('vellum on a new data directory made from the template serves writes and reads', async t => {
  process.env.VELLUM_CACHE_DIR = cacheDir
  t.teardown(() => { delete process.env.VELLUM_CACHE_DIR })
  const app = Fastify({ logger: false, pluginTimeout: 120_000 })
  t.teardown(() => app.close())
  await app.register(vellum, { contentTypes: [articleDefinition], database: { pglite: join(cacheDir, 'app-data') }, permissions: { public: '*' } })
  await app.ready()
  t.ok(existsSync(join(cacheDir, 'app-data', 'PG_VERSION')), 'the data directory is a copy of the template')
  t.same(await readdir(cacheDir).then(names => names.sort()), ['app-data', 'app-data.lock', templateKey()].sort(), 'no second template')
  const created = await app.inject({ method: 'POST', url: '/api/articles', payload: { data: { title: 'From a template', views: 3 } } })
  t.equal(created.statusCode, 201)
  const list = await app.inject({ method: 'GET', url: '/api/articles?status=draft' })
  t.equal(list.statusCode, 200)
  t.match(list.json(), { data: [{ title: 'From a template', views: 3 }], meta: { pagination: { total: 1 } } })
})

t.test('an unusable cache directory costs only speed: a plain new cluster, a debug line', async t => {
  const notADir = join(t.testdir(), 'a-file')
  await writeFile(notADir, 'not a directory')
  const debug: string[] = []
  const log = { ...silentLogger, debug: (_: unknown, msg?: string) => { if (msg !== undefined) debug.push(msg) } }
  t.equal(await pgliteTemplate(log, { VELLUM_CACHE_DIR: notADir }), null)
  t.same(debug, ['PGlite template cache directory not writable'])

  process.env.VELLUM_CACHE_DIR = notADir
  t.teardown(() => { delete process.env.VELLUM_CACHE_DIR })
  const dataDir = join(t.testdir(), 'plain')
  const database = await createDatabase({ pglite: dataDir }, silentLogger)
  t.teardown(() => database.close())
  t.same(await database.execute(sql`select current_database() as db`), [{ db: 'postgres' }])
})

t.test('a template blob hands out exactly its bytes, as a copy, even from a view into a larger buffer', async t => {
  const backing = Buffer.from('xxtarbytesyy')
  const view = backing.subarray(2, 10)
  const blob = templateBlob(view)
  t.equal(blob.size, 8)
  t.equal(blob.type, 'application/x-tar')
  const bytes = new Uint8Array(await blob.arrayBuffer())
  t.equal(Buffer.from(bytes).toString(), 'tarbytes', 'only the view\'s bytes')
  bytes[0] = 0
  t.equal(view.toString(), 'tarbytes', 'the caller\'s bytes are not handed out')
})
