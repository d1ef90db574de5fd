import t from 'tap'
import { eq, getTableColumns } from 'drizzle-orm'
import { getTableConfig } from 'drizzle-orm/pg-core'
import { buildPhysicalModel, buildTables, canonicalType, columnOf, syncSchema } from '../../lib/db/index.js'
import { silentLogger } from '../../lib/logger.js'
import { blogSchema } from './fixtures.js'
import { openTestDatabase } from './helpers.js'

const physical = buildPhysicalModel(blogSchema())
const tables = buildTables(physical)

t.test('one Drizzle table per physical table, with the physical names and SQL types', async t => {
  t.same([...tables.keys()], physical.tables.map(table => table.name))
  for (const table of physical.tables) {
    const config = getTableConfig(tables.get(table.name)!)
    t.equal(config.name, table.name)
    t.same(
      config.columns.map(c => [c.name, canonicalType(c.getSQLType()), c.primary]),
      table.columns.map(c => [c.name, canonicalType(c.sqlType), c.primaryKey === true]),
      `${table.name} columns`
    )
  }
})

t.test('columns are keyed by field: attribute names and camelCase system fields', async t => {
  const articles = tables.get('articles')!
  t.same(Object.keys(getTableColumns(articles)), [
    'id', 'documentId', 'createdAt', 'updatedAt', 'publishedAt', 'locale', 'title', 'slug', 'body', 'views', 'publishedDate'
  ])
  t.equal(getTableColumns(articles).publishedDate?.name, 'published_date')
  const link = physical.get('api::article.article').relations.categories!.link
  t.same(Object.keys(getTableColumns(tables.get(link.name)!)), ['id', 'source', 'target', 'targetOrder', 'sourceOrder'])
  t.same(Object.keys(getTableColumns(tables.get('articles_cmps')!)), ['id', 'entity', 'component', 'componentType', 'field', 'order'])
  const title = physical.get('api::article.article').columns.title!
  t.equal(columnOf(articles, title).name, 'title')
  t.throws(() => columnOf(articles, { name: 'nope', sqlType: 'text', field: 'nope' }), /no column for field nope/)
})

t.test('the query builder works on the synced tables; identity ids are generated', async t => {
  const database = await openTestDatabase(t)
  await syncSchema(database, physical, { log: silentLogger })
  const articles = tables.get('articles')!
  const columns = getTableColumns(articles)
  const inserted = await database.drizzle.insert(articles).values({ documentId: 'd1', title: 'Hello', views: 3 }).returning()
  t.match(inserted, [{ id: 1, documentId: 'd1', title: 'Hello', views: 3, publishedAt: null }])
  const found = await database.drizzle.select({ id: columns.id!, title: columns.title! }).from(articles).where(eq(columns.documentId!, 'd1'))
  t.same(found, [{ id: 1, title: 'Hello' }])
  t.equal(await database.drizzle.$count(articles), 1)
  t.match(database.drizzle.select().from(articles).toSQL().sql, /"published_date"/)
})
