import t from 'tap'
import { sql } from 'drizzle-orm'
import type { Schema } from '../../lib/content-types/types.js'
import { DestructiveChangeError } from '../../lib/errors.js'
import { buildPhysicalModel, syncSchema, type Database, type DestructiveChange } from '../../lib/db/index.js'
import { silentLogger, type Logger } from '../../lib/logger.js'
import { columnsOf, component, componentModel, contentType, makeSchema, openTestDatabase, relation, scalar, tableNames } from './helpers.js'

const log = silentLogger

async function reset (database: Database): Promise<void> {
  await database.execute(sql`drop schema public cascade`)
  await database.execute(sql`create schema public`)
}

const database = await openTestDatabase(t)
t.beforeEach(() => reset(database))

const sync = (schema: Schema, allowDestructive = false, logger: Logger = log): ReturnType<typeof syncSchema> =>
  syncSchema(database, buildPhysicalModel(schema), { allowDestructive, log: logger })

/** A logger that records warn lines. */
function recordingLogger (): { logger: Logger, warnings: string[] } {
  const warnings: string[] = []
  const logger: Logger = {
    ...silentLogger,
    warn: (obj: object | string, msg?: string) => { warnings.push(typeof obj === 'string' ? obj : msg ?? '') },
    child: () => logger
  }
  return { logger, warnings }
}

const posts = (...attributes: Parameters<typeof contentType>[2]): Schema => makeSchema(contentType('post', 'posts', attributes))

t.test('a removed attribute is refused with a message listing it, then dropped with allowDestructive', async t => {
  await sync(posts(scalar('title', 'string'), scalar('subtitle', 'string'), scalar('views', 'integer')))
  await database.execute(sql`insert into posts (title, subtitle, views) values ('t', 's', 3)`)

  const error = await sync(posts(scalar('title', 'string'))).catch((err: unknown) => err)
  t.ok(error instanceof DestructiveChangeError)
  const message = (error as Error).message
  t.match(message, /refused 2 destructive changes/)
  t.match(message, /drop column "posts"\."subtitle" \(character varying\(255\)\): attribute subtitle of api::post\.post is no longer in the model/)
  t.match(message, /drop column "posts"\."views" \(integer\): attribute views of api::post\.post/)
  t.match(message, /sync: \{ allowDestructive: true \}/)
  t.match(message, /renamedFrom: '<old name>'/)
  t.same(((error as DestructiveChangeError).details.changes as DestructiveChange[]).map(c => [c.kind, c.table, c.column]), [
    ['dropColumn', 'posts', 'subtitle'], ['dropColumn', 'posts', 'views']
  ])
  // Nothing changed.
  t.same(await database.execute(sql`select title, subtitle, views from posts`), [{ title: 't', subtitle: 's', views: 3 }])

  const { logger, warnings } = recordingLogger()
  const report = await sync(posts(scalar('title', 'string')), true, logger)
  t.same(report.applied, ['ALTER TABLE "posts" DROP COLUMN "subtitle"', 'ALTER TABLE "posts" DROP COLUMN "views"'])
  t.equal(warnings.length, 2)
  t.match(warnings[0], /destructive schema change applied: drop column "posts"\."subtitle"/)
  t.same(await database.execute(sql`select title from posts`), [{ title: 't' }])
  t.notOk('subtitle' in await columnsOf(database.drizzle, 'posts'))
  t.same(await sync(posts(scalar('title', 'string'))), { applied: [], skipped: true })
})

t.test('a removed content type (its table and link tables) is refused, then dropped with allowDestructive', async t => {
  const full = makeSchema(
    contentType('post', 'posts', [scalar('title', 'string'), relation('tags', 'manyToMany', 'api::tag.tag'), component('seo', 'shared.seo')]),
    contentType('tag', 'tags', [scalar('name', 'string')]),
    componentModel('shared.seo', [scalar('metaTitle', 'string')])
  )
  await sync(full)
  await database.execute(sql`insert into posts (id, title) values (1, 'p')`)
  await database.execute(sql`insert into posts_cmps (entity_id, cmp_id, component_type, field, "order") values (1, 1, 'shared.seo', 'seo', 1)`)

  const smaller = makeSchema(
    contentType('post', 'posts', [scalar('title', 'string'), scalar('body', 'text')]),
    componentModel('shared.seo', [scalar('metaTitle', 'string')])
  )
  const error = await sync(smaller).catch((err: unknown) => err) as DestructiveChangeError
  t.ok(error instanceof DestructiveChangeError)
  t.match(error.message, /drop table "posts_tags_lnk" with its rows: relation api::post\.post\.tags is no longer in the model/)
  t.match(error.message, /drop table "tags" with its rows: api::tag\.tag is no longer in the model/)
  t.match(error.message, /drop table "posts_cmps" with its rows: api::post\.post has no component attributes any more/)
  t.notOk('body' in await columnsOf(database.drizzle, 'posts'), 'the additive part was not applied either')

  const report = await sync(smaller, true)
  // Link and _cmps tables go before the model tables they reference.
  t.same(report.applied.filter(s => s.startsWith('DROP TABLE')), ['DROP TABLE "posts_tags_lnk"', 'DROP TABLE "posts_cmps"', 'DROP TABLE "tags"'])
  t.same(await tableNames(database.drizzle), ['components_shared_seos', 'posts'])
})

t.test('a removed component attribute is refused: its _cmps entries would be orphaned', async t => {
  const two = makeSchema(
    contentType('page', 'pages', [component('seo', 'shared.seo'), component('hero', 'shared.seo')]),
    componentModel('shared.seo', [scalar('metaTitle', 'string')])
  )
  await sync(two)
  await database.execute(sql`insert into pages (id) values (1)`)
  await database.execute(sql`insert into pages_cmps (entity_id, cmp_id, component_type, field, "order") values (1, 1, 'shared.seo', 'seo', 1), (1, 2, 'shared.seo', 'hero', 1)`)
  const one = makeSchema(
    contentType('page', 'pages', [component('seo', 'shared.seo')]),
    componentModel('shared.seo', [scalar('metaTitle', 'string')])
  )
  await t.rejects(sync(one), /delete the entries of component attribute hero of api::page\.page from "pages_cmps"/)
  await sync(one, true)
  t.same(await database.execute(sql`select field from pages_cmps`), [{ field: 'seo' }])
})

t.test('a changed type is refused unless it is a safe widening', async t => {
  await sync(posts(scalar('title', 'string'), scalar('views', 'integer'), scalar('body', 'text'), scalar('ratio', 'float')))
  await database.execute(sql`insert into posts (title, views, body, ratio) values ('t', 2147483647, '12', 0.5)`)

  // text → varchar(255) narrows; float → decimal converts; integer → string changes the type.
  const error = await sync(posts(scalar('title', 'integer'), scalar('views', 'integer'), scalar('body', 'string'), scalar('ratio', 'decimal'))).catch((err: unknown) => err) as DestructiveChangeError
  t.ok(error instanceof DestructiveChangeError)
  t.match(error.message, /change the type of "posts"\."title" from character varying\(255\) to integer \(not a safe widening/)
  t.match(error.message, /change the type of "posts"\."body" from text to varchar\(255\)/)
  t.match(error.message, /change the type of "posts"\."ratio" from double precision to numeric\(10,2\)/)

  // varchar(255) → text and integer → bigint keep every value.
  const report = await sync(posts(scalar('title', 'text'), scalar('views', 'biginteger'), scalar('body', 'text'), scalar('ratio', 'float')))
  t.same(report.applied, [
    'ALTER TABLE "posts" ALTER COLUMN "title" TYPE text USING "title"::text',
    'ALTER TABLE "posts" ALTER COLUMN "views" TYPE bigint USING "views"::bigint'
  ])
  const columns = await columnsOf(database.drizzle, 'posts')
  t.equal(columns.title, 'text')
  t.equal(columns.views, 'bigint')
  t.same(await database.execute(sql`select title, views from posts`), [{ title: 't', views: '2147483647' }])

  // With allowDestructive the conversion runs with a cast.
  await sync(posts(scalar('title', 'text'), scalar('views', 'biginteger'), scalar('body', 'integer'), scalar('ratio', 'float')), true)
  t.same(await database.execute(sql`select body from posts`), [{ body: 12 }])
})

t.test("a uid's prefix index: added to a database synced before it existed, renamed with its column", async t => {
  await sync(posts(scalar('title', 'string'), scalar('slug', 'uid')))
  // What a vellum without the index left: no index, a snapshot without it (and so another hash).
  await database.execute(sql`drop index "posts_slug_prefix_idx"`)
  await database.execute(sql`update "vellum_schema" set "hash" = 'before', "snapshot" = jsonb_set("snapshot", '{tables,0,indexes}',
    (select jsonb_agg(i) from jsonb_array_elements("snapshot" #> '{tables,0,indexes}') i where i->>'name' <> 'posts_slug_prefix_idx'))`)
  const report = await sync(posts(scalar('title', 'string'), scalar('slug', 'uid')))
  t.same(report.applied, ['CREATE INDEX IF NOT EXISTS "posts_slug_prefix_idx" ON "posts" ("slug" text_pattern_ops)'])

  const renamed = await sync(posts(scalar('title', 'string'), scalar('handle', 'uid', { renamedFrom: 'slug' })))
  t.same(renamed.applied, [
    'ALTER TABLE "posts" RENAME COLUMN "slug" TO "handle"',
    'ALTER INDEX "posts_slug_unique" RENAME TO "posts_handle_unique"',
    'ALTER INDEX "posts_slug_prefix_idx" RENAME TO "posts_handle_prefix_idx"'
  ])
  const indexes = await database.execute<{ def: string }>(sql`select indexdef as "def" from pg_indexes where indexname = 'posts_handle_prefix_idx'`)
  t.match(indexes[0]?.def, /USING btree \(handle text_pattern_ops\)$/)
})

t.test('renamedFrom renames the column (and its unique index) and keeps the data', async t => {
  await sync(posts(scalar('title', 'string', { unique: true }), scalar('body', 'text')))
  await database.execute(sql`insert into posts (title, body, published_at) values ('hello', 'text', now())`)

  const renamed = posts(scalar('headline', 'string', { unique: true, renamedFrom: 'title' }), scalar('body', 'text'))
  const report = await sync(renamed)
  t.same(report.applied, [
    'ALTER TABLE "posts" RENAME COLUMN "title" TO "headline"',
    'ALTER INDEX "posts_title_unique" RENAME TO "posts_headline_unique"'
  ])
  t.same(await database.execute(sql`select headline, body from posts`), [{ headline: 'hello', body: 'text' }])
  const indexes = await database.execute<{ name: string, def: string }>(sql`select indexname as "name", indexdef as "def" from pg_indexes where tablename = 'posts' and indexname like '%unique'`)
  t.same(indexes.map(i => i.name), ['posts_headline_unique'])
  t.match(indexes[0]?.def, /\(headline\) WHERE \(published_at IS NOT NULL\)/)

  // renamedFrom left in place is harmless on the next boots.
  t.same(await sync(renamed), { applied: [], skipped: true })
  const edited = posts(scalar('headline', 'string', { unique: true, renamedFrom: 'title' }), scalar('body', 'text'), scalar('extra', 'boolean'))
  t.same((await sync(edited)).applied, ['ALTER TABLE "posts" ADD COLUMN IF NOT EXISTS "extra" boolean'])
})

t.test('renamedFrom on a relation renames its link table (and its indexes and keys), and on a component attribute moves its entries', async t => {
  const before = makeSchema(
    contentType('post', 'posts', [relation('tags', 'manyToMany', 'api::tag.tag'), component('seo', 'shared.seo')]),
    contentType('tag', 'tags', [scalar('name', 'string')]),
    componentModel('shared.seo', [scalar('metaTitle', 'string')])
  )
  await sync(before)
  await database.execute(sql`insert into posts (id) values (1)`)
  await database.execute(sql`insert into tags (id) values (7)`)
  await database.execute(sql`insert into posts_tags_lnk (post_id, tag_id, tag_ord) values (1, 7, 1)`)
  await database.execute(sql`insert into posts_cmps (entity_id, cmp_id, component_type, field, "order") values (1, 1, 'shared.seo', 'seo', 1)`)

  const after = makeSchema(
    contentType('post', 'posts', [
      relation('labels', 'manyToMany', 'api::tag.tag', { renamedFrom: 'tags' }),
      component('metadata', 'shared.seo', { renamedFrom: 'seo' })
    ]),
    contentType('tag', 'tags', [scalar('name', 'string')]),
    componentModel('shared.seo', [scalar('metaTitle', 'string')])
  )
  const report = await sync(after)
  t.same(report.applied, [
    'ALTER TABLE "posts_tags_lnk" RENAME TO "posts_labels_lnk"',
    'UPDATE "posts_cmps" SET "field" = \'metadata\' WHERE "field" = \'seo\'',
    'ALTER INDEX "posts_tags_lnk_fk" RENAME TO "posts_labels_lnk_fk"',
    'ALTER INDEX "posts_tags_lnk_ifk" RENAME TO "posts_labels_lnk_ifk"',
    'ALTER INDEX "posts_tags_lnk_uq" RENAME TO "posts_labels_lnk_uq"',
    'ALTER INDEX "posts_tags_lnk_ofk" RENAME TO "posts_labels_lnk_ofk"',
    'ALTER TABLE "posts_labels_lnk" RENAME CONSTRAINT "posts_tags_lnk_fk" TO "posts_labels_lnk_fk"',
    'ALTER TABLE "posts_labels_lnk" RENAME CONSTRAINT "posts_tags_lnk_ifk" TO "posts_labels_lnk_ifk"'
  ])
  t.same(await database.execute(sql`select post_id, tag_id from posts_labels_lnk`), [{ post_id: 1, tag_id: 7 }])
  t.same(await database.execute(sql`select field from posts_cmps`), [{ field: 'metadata' }])
  t.same(await sync(after), { applied: [], skipped: true })
})

t.test('tables and columns vellum never created are left alone', async t => {
  await database.execute(sql`create table audit_log (id serial primary key, note text)`)
  await sync(posts(scalar('title', 'string')))
  await database.execute(sql`alter table posts add column legacy_flag smallint`)
  await database.execute(sql`insert into audit_log (note) values ('mine')`)

  // Dropping the attribute "legacy_flag" never had is no change; a model change still syncs fine.
  const report = await sync(posts(scalar('title', 'string'), scalar('summary', 'text')))
  t.same(report.applied, ['ALTER TABLE "posts" ADD COLUMN IF NOT EXISTS "summary" text'])
  t.ok('legacy_flag' in await columnsOf(database.drizzle, 'posts'))
  t.same(await database.execute(sql`select note from audit_log`), [{ note: 'mine' }])
})

t.test('turning unique off drops its index (no data is lost, so no confirmation is needed)', async t => {
  await sync(posts(scalar('title', 'string', { unique: true })))
  const report = await sync(posts(scalar('title', 'string')))
  t.same(report.applied, ['DROP INDEX IF EXISTS "posts_title_unique"'])
})

t.test('a first sync adopts existing tables (e.g. a database made by another tool): adds what is missing, never alters', async t => {
  await database.execute(sql`create table posts (id integer generated by default as identity primary key, title text)`)
  const { logger, warnings } = recordingLogger()
  const report = await sync(posts(scalar('title', 'string')), false, logger)
  t.notOk(report.applied.some(s => s.includes('"title"')), 'the existing column keeps its type')
  t.ok(report.applied.includes('ALTER TABLE "posts" ADD COLUMN IF NOT EXISTS "document_id" varchar(255)'))
  t.match(warnings, [/did not create has another type/])
  t.equal((await columnsOf(database.drizzle, 'posts')).title, 'text')
})
