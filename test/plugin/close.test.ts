import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import Fastify from 'fastify'
import postgres from 'postgres'
import vellum from '../../lib/index.js'
import { articleDefinition } from '../helpers/app.js'
import { createPGlite, createPostgresDatabase, usingPostgres } from '../helpers/db.js'

t.test('a client the host owns is never closed', async (t) => {
  if (usingPostgres()) {
    const { url } = await createPostgresDatabase(t)
    const client = postgres(url, { max: 2, onnotice: () => {} })
    t.teardown(() => client.end({ timeout: 5 }))
    const app = Fastify({ logger: false, pluginTimeout: 120_000 })
    await app.register(vellum, { contentTypes: [articleDefinition], database: { client } })
    await app.close()
    t.same(await client`select 1 as one`, [{ one: 1 }], 'still usable after app.close()')
  } else {
    const client = await createPGlite(t)
    const app = Fastify({ logger: false, pluginTimeout: 120_000 })
    await app.register(vellum, { contentTypes: [articleDefinition], database: { client } })
    await app.close()
    t.same((await client.query('select 1 as one')).rows, [{ one: 1 }], 'still usable after app.close()')
    t.notOk(client.closed)
  }
})

t.test('a database vellum opened is closed with the app', async (t) => {
  const app = Fastify({ logger: false, pluginTimeout: 120_000 })
  const database = usingPostgres() ? { url: (await createPostgresDatabase(t)).url } : { pglite: 'memory' }
  await app.register(vellum, { contentTypes: [articleDefinition], database })
  await app.ready()
  const query = app.vellum.db.query('api::article.article')
  t.equal(await query.count({}), 0)
  await app.close()
  await t.rejects(query.count({}), 'queries fail once the app is closed')
})

t.test('the database opens while the project loads; a broken project releases it and is the error reported', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vellum-close-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const database = { pglite: join(dir, 'data') }
  const brokenArticle = { ...articleDefinition, attributes: { title: { type: 'nope' } } } as unknown as typeof articleDefinition
  const broken = Fastify({ logger: false, pluginTimeout: 120_000 })
  await t.rejects(
    async () => { await broken.register(vellum, { contentTypes: [brokenArticle], database }) },
    { name: 'InvalidContentTypeError' }
  )
  // The data directory's lock was released with the database: a second instance opens it at once.
  const app = Fastify({ logger: false, pluginTimeout: 120_000 })
  await app.register(vellum, { contentTypes: [articleDefinition], database })
  t.teardown(() => app.close())
  t.equal(await app.vellum.db.query('api::article.article').count({}), 0)

  const unreachable = Fastify({ logger: false, pluginTimeout: 120_000 })
  await t.rejects(
    async () => { await unreachable.register(vellum, { contentTypes: [brokenArticle], database: { url: 'postgres://postgres@127.0.0.1:1/x' } }) },
    { name: 'InvalidContentTypeError' },
    'the project error comes first even when the database cannot be reached'
  )
})
