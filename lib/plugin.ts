import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { loadSchema } from './content-types/index.js'
import type { Component, ContentType } from './content-types/types.js'
import { buildPhysicalModel, createDatabase, syncSchema } from './db/index.js'
import { httpScope } from './http/index.js'
import { resolveOptions, type RawOptions } from './options.js'
import { createQueryEngine } from './query/index.js'
import type { Vellum } from './types.js'

export type VellumOptions = Partial<RawOptions> & { prefix?: string }

/**
 * The composition root: options → model → database → sync → Query Engine → decorator → HTTP scope.
 * The outer plugin only decorates, adds onClose and registers the encapsulated child (style guide §2.5),
 * so nothing leaks into the host.
 */
const vellumPlugin: FastifyPluginAsync<VellumOptions> = async function vellum (app: FastifyInstance, rawOptions) {
  const config = resolveOptions(rawOptions)
  const log = app.log.child({ plugin: config.decorator })

  const schema = await loadSchema({
    ...(config.dir !== undefined && { dir: config.dir }),
    contentTypes: config.contentTypes as never,
    components: config.components as never
  })
  const physical = buildPhysicalModel(schema)
  const database = await createDatabase({ ...config.database, logParams: config.logSqlParams }, log)
  try {
    if (config.sync.enabled) {
      await syncSchema(database, physical, { allowDestructive: config.sync.allowDestructive, log })
    }
  } catch (error) {
    // Registration failed: release what we opened, or an embedded database keeps the process alive.
    await database.close()
    throw error
  }
  // close() is a no-op for a client the host owns.
  app.addHook('onClose', async () => { await database.close() })

  const db = createQueryEngine({ database, schema, physical, log })
  // Project lifecycles.(ts|js) files load now: a broken one fails the boot, not the first write.
  await db.ready()
  const decorator: Vellum = {
    contentTypes: Object.fromEntries(schema.contentTypes) as Record<string, ContentType>,
    components: Object.fromEntries(schema.components) as Record<string, Component>,
    schema,
    physical,
    db,
    config
  }
  app.decorate(config.decorator, decorator)

  for (const contentType of schema.contentTypes.values()) {
    log.info({ uid: contentType.uid, kind: contentType.kind, table: contentType.collectionName }, 'content type loaded')
  }
  await app.register(httpScope, { prefix: rawOptions.prefix ?? '', vellum: decorator })
}

export default fp(vellumPlugin, { name: 'vellum', fastify: '5.x' })
