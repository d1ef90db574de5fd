import t from 'tap'
import { Writable } from 'node:stream'
import Fastify, { type FastifyInstance } from 'fastify'
import vellum from '../../lib/index.js'
import { createPostgresDatabase } from '../helpers/db.js'
import { fixture } from '../helpers/paths.js'

// Several stateless instances share one PostgreSQL in production; this runs against a real server even in the
// PGlite run (PGlite is single-connection, so the race can only happen there).

t.test('instances booting at once against one PostgreSQL all succeed and sync the schema once', async (t) => {
  const { url } = await createPostgresDatabase(t)
  const project = fixture('projects', 'blog-model')

  // Each instance's log, to see which of them ran DDL.
  const logs: string[][] = []
  const instance = (): FastifyInstance => {
    const lines: string[] = []
    logs.push(lines)
    const stream = new Writable({ write (chunk: Buffer, _encoding, done) { lines.push(chunk.toString()); done() } })
    return Fastify({ logger: { level: 'debug', stream }, pluginTimeout: 120_000 })
  }
  const apps = Array.from({ length: 4 }, instance)
  for (const app of apps) t.teardown(() => app.close())
  await Promise.all(apps.map(async (app) => {
    await app.register(vellum, { dir: project, database: { url, max: 2 } })
    await app.ready()
  }))
  for (const app of apps) {
    t.equal(await app.vellum.db.query('api::tag.tag').count({}), 0, 'every instance serves the synced schema')
  }

  const statements = logs.map(lines => lines.filter(line => line.includes('schema sync statement')).length)
  t.equal(statements.filter(n => n > 0).length, 1, 'exactly one instance ran the DDL')

  // A fifth boot finds the schema up to date and changes nothing.
  const late = instance()
  t.teardown(() => late.close())
  await late.register(vellum, { dir: project, database: { url } })
  await late.ready()
  t.equal(await late.vellum.db.query('api::tag.tag').count({}), 0)
  t.notOk(logs[4]?.some(line => line.includes('schema sync statement')), 'no DDL on a later boot')
})
