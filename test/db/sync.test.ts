import t from 'tap'
import { sql } from 'drizzle-orm'
import {
  buildPhysicalModel, canonicalType, executeOn, MAX_IDENTIFIER_LENGTH, SchemaSyncError, syncSchema, type Database
} from '../../lib/db/index.js'
import { silentLogger } from '../../lib/logger.js'
import { blogSchema } from './fixtures.js'
import {
  catalogColumns, columnsOf, contentType, countStatements, isDdl, makeSchema, openTestDatabase, relation, scalar, tableNames
} from './helpers.js'

const log = silentLogger

/** One database for the file; each test starts from an empty schema (a new PGlite costs ~0.7 s). */
async function reset (database: Database): Promise<void> {
  await database.execute(sql`drop schema public cascade`)
  await database.execute(sql`create schema public`)
}

const database = await openTestDatabase(t)
t.beforeEach(() => reset(database))

t.test('creates every table, column, index and foreign key of a model with relations, components and a dynamic zone', async t => {
  const physical = buildPhysicalModel(blogSchema())
  const report = await syncSchema(database, physical, { log })
  t.equal(report.skipped, false)

  t.same(await tableNames(database.drizzle), [
    'articles', 'articles_author_lnk', 'articles_categories_lnk', 'articles_cmps', 'articles_cover_lnk', 'articles_meta_lnk',
    'articles_related_lnk', 'articles_tags_lnk', 'authors', 'categories', 'components_shared_gallerys',
    'components_shared_gallerys_cmps', 'components_shared_quotes', 'components_shared_seos', 'components_shared_slides',
    'images', 'metas', 'tags'
  ])

  // Every physical column exists with its type, and nothing else.
  const catalog = await catalogColumns(database.drizzle)
  const expected = physical.tables.flatMap(table => table.columns.map(c => ({ table: table.name, column: c.name, type: canonicalType(c.sqlType) })))
  t.same(
    catalog.map(c => `${c.table}.${c.column} ${c.type}`).sort(),
    expected.map(c => `${c.table}.${c.column} ${c.type}`).sort()
  )
  t.same(await columnsOf(database.drizzle, 'articles'), {
    id: 'integer',
    document_id: 'character varying(255)',
    created_at: 'timestamp(6) with time zone',
    updated_at: 'timestamp(6) with time zone',
    published_at: 'timestamp(6) with time zone',
    locale: 'character varying(255)',
    title: 'character varying(255)',
    slug: 'character varying(255)',
    body: 'text',
    views: 'integer',
    published_date: 'date'
  })
  // The self relation gets distinct source/target columns; as in Strapi, the targets' order is `article_ord`, and a
  // unidirectional relation has no order column for the side nobody reads.
  t.same(Object.keys(await columnsOf(database.drizzle, 'articles_related_lnk')), ['id', 'article_id', 'inv_article_id', 'article_ord'])
  t.same(Object.keys(await columnsOf(database.drizzle, 'articles_cmps')), ['id', 'entity_id', 'cmp_id', 'component_type', 'field', 'order'])

  const [identity] = await executeOn<{ identity: string }>(database.drizzle, sql`
    select is_identity || ':' || identity_generation as "identity" from information_schema.columns
    where table_schema = current_schema() and table_name = 'articles' and column_name = 'id'`)
  t.equal(identity?.identity, 'YES:BY DEFAULT')

  const indexes = await executeOn<{ name: string, def: string }>(database.drizzle, sql`
    select indexname as "name", indexdef as "def" from pg_indexes where schemaname = current_schema() order by 1`)
  const byName = new Map(indexes.map(i => [i.name, i.def]))
  for (const table of physical.tables) {
    for (const index of table.indexes) t.ok(byName.has(index.name), `index ${index.name} exists`)
  }
  t.match(byName.get('articles_title_unique'), /^CREATE UNIQUE INDEX articles_title_unique ON public\.articles USING btree \(title, locale\) WHERE \(published_at IS NOT NULL\)$/)
  t.match(byName.get('articles_slug_unique'), /UNIQUE INDEX .* \(slug, locale\) WHERE \(published_at IS NOT NULL\)/)
  t.match(byName.get('articles_categories_lnk_uq'), /UNIQUE INDEX .* \(article_id, category_id\)$/)
  t.match(byName.get('articles_uq'), /UNIQUE INDEX .* \(entity_id, cmp_id, field, component_type\)$/)

  const fks = await executeOn<{ name: string, table: string, column: string, target: string, rule: string }>(database.drizzle, sql`
    select tc.constraint_name as "name", tc.table_name as "table", kcu.column_name as "column",
           ccu.table_name as "target", rc.delete_rule as "rule"
    from information_schema.table_constraints tc
    join information_schema.key_column_usage kcu on kcu.constraint_name = tc.constraint_name and kcu.table_schema = tc.table_schema
    join information_schema.constraint_column_usage ccu on ccu.constraint_name = tc.constraint_name and ccu.table_schema = tc.table_schema
    join information_schema.referential_constraints rc on rc.constraint_name = tc.constraint_name and rc.constraint_schema = tc.table_schema
    where tc.constraint_type = 'FOREIGN KEY' and tc.table_schema = current_schema()`)
  const expectedFks = physical.tables.flatMap(table => table.foreignKeys.map(fk => `${fk.name}: ${table.name}.${fk.column} -> ${fk.foreignTable} CASCADE`))
  t.same(fks.map(f => `${f.name}: ${f.table}.${f.column} -> ${f.target} ${f.rule}`).sort(), expectedFks.sort())
  t.ok(expectedFks.includes('articles_related_lnk_ifk: articles_related_lnk.inv_article_id -> articles CASCADE'))
  t.ok(expectedFks.includes('components_shared_gallerys_entity_fk: components_shared_gallerys_cmps.entity_id -> components_shared_gallerys CASCADE'))

  // Deleting an article removes its links and component joins.
  await database.execute(sql`insert into articles (id) values (1)`)
  await database.execute(sql`insert into tags (id) values (1)`)
  await database.execute(sql`insert into articles_tags_lnk (article_id, tag_id, tag_ord) values (1, 1, 1)`)
  await database.execute(sql`insert into articles_cmps (entity_id, cmp_id, component_type, field, "order") values (1, 1, 'shared.seo', 'seo', 1)`)
  await database.execute(sql`delete from articles where id = 1`)
  const [left] = await database.execute<{ links: number, cmps: number }>(sql`
    select (select count(*)::int from articles_tags_lnk) as "links", (select count(*)::int from articles_cmps) as "cmps"`)
  t.same(left, { links: 0, cmps: 0 })

  const [meta] = await database.execute<{ hash: string, tables: number }>(sql`
    select hash, jsonb_array_length(snapshot->'tables') as "tables" from vellum_schema`)
  t.equal(meta?.tables, physical.tables.length)
  t.match(meta?.hash, /^[0-9a-f]{64}$/)
})

t.test('the changes are logged in one line per table, not one per statement', async t => {
  const lines: string[] = []
  const info = (obj: object | string, msg?: string): void => { lines.push(typeof obj === 'string' ? obj : msg ?? '') }
  const capture = { ...silentLogger, info, child: () => capture }
  const physical = buildPhysicalModel(blogSchema())
  await syncSchema(database, physical, { log: capture })
  const perTable = lines.filter(line => /^\w+: /.test(line))
  t.same(perTable.map(line => line.slice(0, line.indexOf(':'))).sort(), ['vellum_schema', ...physical.tables.map(table => table.name)].sort())
  t.match(perTable.find(line => line.startsWith('articles_tags_lnk: ')), /^articles_tags_lnk: created table articles_tags_lnk; created index articles_tags_lnk_fk; .*created foreign key articles_tags_lnk_ifk$/)
})

t.test('a second sync with the same model issues no DDL: only the lock and one select', async t => {
  const physical = buildPhysicalModel(blogSchema())
  await syncSchema(database, physical, { log })
  let report
  const statements = await countStatements(database, async () => {
    report = await syncSchema(database, buildPhysicalModel(blogSchema()), { log })
  })
  t.same(report, { applied: [], skipped: true })
  t.equal(statements.filter(isDdl).length, 0)
  t.equal(statements.length, 2)
  t.match(statements[0], /pg_advisory_xact_lock/)
  t.match(statements[1], /^select "hash" from "vellum_schema"/)
})

t.test('an added attribute, relation and content type are created; a model already in place is not touched', async t => {
  const before = makeSchema(contentType('post', 'posts', [scalar('title', 'string')]))
  await syncSchema(database, buildPhysicalModel(before), { log })
  await database.execute(sql`insert into posts (title) values ('kept')`)

  const after = makeSchema(
    contentType('post', 'posts', [scalar('title', 'string'), scalar('score', 'float'), relation('writer', 'manyToOne', 'api::person.person')]),
    contentType('person', 'people', [scalar('name', 'string')])
  )
  const report = await syncSchema(database, buildPhysicalModel(after), { log })
  t.same(report.applied.filter(s => /^(CREATE TABLE|ALTER TABLE "posts" ADD COLUMN)/.test(s)), [
    'ALTER TABLE "posts" ADD COLUMN IF NOT EXISTS "score" double precision',
    'CREATE TABLE IF NOT EXISTS "people" ("id" integer generated by default as identity PRIMARY KEY, "document_id" varchar(255), "created_at" timestamp(6) with time zone, "updated_at" timestamp(6) with time zone, "published_at" timestamp(6) with time zone, "locale" varchar(255), "name" varchar(255))',
    'CREATE TABLE IF NOT EXISTS "posts_writer_lnk" ("id" integer generated by default as identity PRIMARY KEY, "post_id" integer, "person_id" integer)'
  ])
  t.notOk(report.applied.some(s => /^CREATE TABLE IF NOT EXISTS "posts"/.test(s)))
  t.same(await database.execute(sql`select title, score from posts`), [{ title: 'kept', score: null }])
})

t.test('identifiers longer than 55 characters are shortened as Strapi 5 does, and stay stable across syncs', async t => {
  const longTable = 'a_collection_name_that_is_far_too_long_for_postgresql_identifiers_really'
  const longAttribute = 'anAttributeNameThatIsAlsoMuchTooLongForAPostgresqlIdentifierToHold'
  const schema = (): ReturnType<typeof makeSchema> => makeSchema(
    contentType('thing', longTable, [
      scalar(longAttribute, 'string', { unique: true }),
      relation(`${longAttribute}Rel`, 'manyToMany', 'api::thing.thing')
    ])
  )
  const physical = buildPhysicalModel(schema())
  const table = physical.get('api::thing.thing').table
  t.ok(table.name.length <= MAX_IDENTIFIER_LENGTH)
  t.not(table.name, longTable)
  await syncSchema(database, physical, { log })

  const catalog = await catalogColumns(database.drizzle)
  const names = [...new Set(catalog.map(c => c.table))]
  t.same(names.sort(), physical.tables.map(t => t.name).sort())
  for (const name of [...names, ...catalog.map(c => c.column)]) t.ok(name.length <= MAX_IDENTIFIER_LENGTH, `${name} fits`)
  const column = physical.get('api::thing.thing').columns[longAttribute]!.name
  t.ok(catalog.some(c => c.table === table.name && c.column === column), 'the long attribute column exists under its shortened name')
  const indexes = await database.execute<{ name: string }>(sql`select indexname as "name" from pg_indexes where schemaname = current_schema()`)
  for (const index of physical.tables.flatMap(t => t.indexes)) {
    t.ok(indexes.some(i => i.name === index.name), `index ${index.name} exists under the name the model uses`)
  }

  // PostgreSQL would have truncated differently: a second boot must find everything where the model says.
  const again = await syncSchema(database, buildPhysicalModel(schema()), { log })
  t.same(again, { applied: [], skipped: true })
})

t.test('a failing statement rolls the whole sync back and says which statement failed', async t => {
  await syncSchema(database, buildPhysicalModel(makeSchema(contentType('post', 'posts', [scalar('title', 'string')]))), { log })
  await database.execute(sql`insert into posts (title, published_at) values ('same', now()), ('same', now())`)
  const unique = makeSchema(contentType('post', 'posts', [scalar('title', 'string', { unique: true }), scalar('extra', 'text')]))
  const error = await syncSchema(database, buildPhysicalModel(unique), { log }).catch((err: unknown) => err)
  t.ok(error instanceof SchemaSyncError)
  t.match((error as Error).message, /CREATE UNIQUE INDEX IF NOT EXISTS "posts_title_unique"/)
  t.match((error as Error).message, /could not create unique index/)
  // The column added before the failing index was rolled back with it.
  t.notOk('extra' in await columnsOf(database.drizzle, 'posts'))
})

t.test('the reserved metadata table name cannot be a collectionName', async t => {
  await t.rejects(
    syncSchema(database, buildPhysicalModel(makeSchema(contentType('meta', 'vellum_schema', []))), { log }),
    /reserved/
  )
})
