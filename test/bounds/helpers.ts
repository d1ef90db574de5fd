/**
 * Helpers of the bounds tests: the blog model on a fresh database with the SQL trace log collected, so a
 * test can tell that a request was refused before any statement ran.
 */
import Fastify, { type FastifyInstance } from 'fastify'
import vellum, { type VellumOptions } from '../../lib/index.js'
import { createTestDatabase, databaseOption, isTransactionControl, type Teardown } from '../helpers/db.js'
import { BLOG_DIR } from '../http/rest/helpers.js'

/** A page with an unbounded zone and to-many links to tags: the blog's own zones and lists have small `max` rules. */
export const pageDefinition = {
  uid: 'api::page.page',
  kind: 'collectionType' as const,
  collectionName: 'pages',
  info: { singularName: 'page', pluralName: 'pages', displayName: 'Page' },
  options: { draftAndPublish: false },
  attributes: {
    title: { type: 'string' },
    sections: { type: 'dynamiczone', components: ['content.quote', 'content.rich-text'] },
    tags: { type: 'relation', relation: 'manyToMany', target: 'api::tag.tag' }
  }
}

export interface TracedApp {
  app: FastifyInstance
  /** The statements sent since the last `reset()` (transaction control left out). */
  statements: string[]
  /** Every log line, parsed. */
  lines: Array<Record<string, unknown>>
}

export async function tracedBlogApp (t: Teardown, options: VellumOptions = {}): Promise<TracedApp> {
  const statements: string[] = []
  const lines: Array<Record<string, unknown>> = []
  const app = Fastify({
    logger: {
      level: 'trace',
      stream: {
        write: (line: string) => {
          const entry = JSON.parse(line) as Record<string, unknown>
          lines.push(entry)
          if (entry.msg === 'sql' && typeof entry.sql === 'string' && !isTransactionControl(entry.sql)) statements.push(entry.sql)
        }
      }
    },
    pluginTimeout: 120_000
  })
  t.teardown(() => app.close())
  await app.register(vellum, {
    dir: BLOG_DIR,
    contentTypes: [pageDefinition],
    i18n: { locales: ['en', 'fr'], defaultLocale: 'en' },
    permissions: { public: '*' },
    database: databaseOption(await createTestDatabase(t)),
    ...options
  })
  await app.ready()
  return { app, statements, lines }
}
