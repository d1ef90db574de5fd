import Fastify, { type FastifyInstance } from 'fastify'
import vellum, { type VellumOptions } from '../../lib/index.js'
import { createTestDatabase, databaseOption, type Teardown } from './db.js'

/** A minimal Strapi-format model used where a test needs some content type but not a specific one. */
export const articleDefinition = {
  uid: 'api::article.article',
  kind: 'collectionType' as const,
  collectionName: 'articles',
  info: { singularName: 'article', pluralName: 'articles', displayName: 'Article' },
  options: { draftAndPublish: true },
  attributes: {
    title: { type: 'string', required: true },
    views: { type: 'integer' }
  }
}

/**
 * A host Fastify app with vellum registered on a fresh real database; closed on teardown. The plugin timeout
 * is long because booting a rich model on PGlite takes far more than Fastify's 10 s default when the whole
 * suite runs in parallel on two cores.
 */
export async function buildApp (t: Teardown, options: VellumOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, pluginTimeout: 120_000 })
  t.teardown(() => app.close())
  const database = options.database ?? databaseOption(await createTestDatabase(t))
  await app.register(vellum, { contentTypes: [articleDefinition], ...options, database })
  await app.ready()
  return app
}
