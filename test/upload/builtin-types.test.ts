/**
 * The upload plugin's built-in content types (contract §25.2): every app has `plugin::upload.file` and
 * `plugin::upload.folder`, in Strapi's tables, reachable through the Query Engine and the Document Service, with
 * no REST routes of their own; a Strapi database's existing tables are adopted as they are.
 */
import t from 'tap'
import { sql } from 'drizzle-orm'
import type { Vellum } from '../../lib/index.js'
import { articleDefinition, buildApp } from '../helpers/app.js'
import { createTestDatabase, databaseOption, runSql } from '../helpers/db.js'

const fileData = (name: string, mime = 'image/png'): Record<string, unknown> => ({
  name, hash: `${name}_abc`, ext: '.png', mime, size: 1.5, url: `/uploads/${name}_abc.png`, provider: 'local', folderPath: '/'
})

t.test('the tables, columns and indexes are Strapi\'s', async (t) => {
  const app = await buildApp(t)
  const { db } = (app as unknown as { vellum: Vellum }).vellum
  const columns = await db.execute(sql`select table_name, column_name, format_type(a.atttypid, a.atttypmod) as type
    from information_schema.columns c join pg_attribute a on a.attrelid = (quote_ident(c.table_name))::regclass and a.attname = c.column_name
    where table_name in ('files', 'upload_folders', 'files_folder_lnk', 'upload_folders_parent_lnk') order by table_name, ordinal_position`)
  const byTable: Record<string, Record<string, string>> = {}
  for (const row of columns) (byTable[row.table_name as string] ??= {})[row.column_name as string] = row.type as string
  t.match(byTable.files, {
    id: 'integer',
    document_id: 'character varying(255)',
    name: 'character varying(255)',
    alternative_text: 'text',
    caption: 'text',
    focal_point: 'jsonb',
    width: 'integer',
    height: 'integer',
    formats: 'jsonb',
    hash: 'character varying(255)',
    ext: 'character varying(255)',
    mime: 'character varying(255)',
    size: 'numeric(10,2)',
    url: 'text',
    preview_url: 'text',
    provider: 'character varying(255)',
    provider_metadata: 'jsonb',
    folder_path: 'character varying(255)',
    locale: 'character varying(255)'
  })
  t.notOk('folder' in (byTable.files ?? {}), 'the folder is a link, not a column')
  t.same(Object.keys(byTable.files_folder_lnk ?? {}), ['id', 'file_id', 'folder_id', 'file_ord'])
  t.same(Object.keys(byTable.upload_folders_parent_lnk ?? {}), ['id', 'folder_id', 'inv_folder_id', 'folder_ord'])
  t.match(byTable.upload_folders, { name: 'character varying(255)', path_id: 'integer', path: 'character varying(255)' })
  const indexes = (await db.execute(sql`select indexname from pg_indexes where tablename = 'files'`)).map(row => row.indexname)
  for (const name of ['folder_path', 'created_at', 'updated_at', 'name', 'size', 'ext'].map(c => `upload_files_${c}_index`)) {
    t.ok(indexes.includes(name), name)
  }
  t.ok(indexes.includes('files_documents_idx'))
})

t.test('files and folders through the Document Service and the Query Engine; no REST routes', async (t) => {
  const app = await buildApp(t, { permissions: { public: '*' } })
  const { documents, db, contentTypes } = (app as unknown as { vellum: Vellum }).vellum
  t.equal(contentTypes['plugin::upload.file']?.collectionName, 'files')
  t.equal(contentTypes['plugin::upload.file']?.attributes.folder?.private, true)
  t.equal(contentTypes['plugin::upload.file']?.attributes.folderPath?.private, true)

  const folder = await documents('plugin::upload.folder').create({ data: { name: 'API Uploads', pathId: 1, path: '/1' } })
  const file = await documents('plugin::upload.file').create({ data: { ...fileData('cat'), folder: folder.documentId, folderPath: '/1' } })
  t.match(file, { id: Number, documentId: String, name: 'cat', size: 1.5, mime: 'image/png', folderPath: '/1' })
  t.ok(file.publishedAt, 'a file is published at creation (no draft & publish)')
  t.same(Object.keys(file).slice(0, 17), ['id', 'documentId', 'name', 'alternativeText', 'caption', 'focalPoint', 'width', 'height',
    'formats', 'hash', 'ext', 'mime', 'size', 'url', 'previewUrl', 'provider', 'provider_metadata'], 'the file object\'s key order')

  const row = await db.query('plugin::upload.file').findOne({ where: { id: file.id }, populate: ['folder'] })
  t.match(row, { name: 'cat', folder: { name: 'API Uploads', path: '/1' } })
  const inFolder = await documents('plugin::upload.folder').findOne({ documentId: folder.documentId, populate: ['files'] })
  t.same((inFolder?.files as Array<{ name: string }>).map(f => f.name), ['cat'])

  await db.query('plugin::upload.file').create({ data: fileData('dog', 'video/mp4') })
  t.equal(await db.query('plugin::upload.file').count({ where: { mime: { $startsWith: 'video/' } } }), 1)

  for (const url of ['/api/files', '/api/folders', '/api/file']) t.equal((await app.inject({ url })).statusCode, 404, url)
  t.equal((await app.inject({ url: '/api/articles' })).statusCode, 200, 'the project\'s own routes are there')
})

t.test('a project may have its own types named file and folder', async (t) => {
  const own = (name: string, plural: string): typeof articleDefinition => ({
    ...articleDefinition, uid: `api::${name}.${name}`, collectionName: `my_${plural}`, info: { singularName: name, pluralName: plural, displayName: name }
  })
  const app = await buildApp(t, { contentTypes: [own('file', 'files'), own('folder', 'folders')], permissions: { public: '*' } })
  t.equal((await app.inject({ url: '/api/files' })).statusCode, 200)
})

t.test('a Strapi database\'s upload tables are adopted as they are', async (t) => {
  const database = await createTestDatabase(t)
  await runSql(database, `
    CREATE TABLE files (id serial PRIMARY KEY, document_id varchar(255), name varchar(255), alternative_text text, caption text,
      focal_point jsonb, width integer, height integer, formats jsonb, hash varchar(255), ext varchar(255), mime varchar(255),
      size numeric(10,2), url text, preview_url text, provider varchar(255), provider_metadata jsonb, folder_path varchar(255),
      created_at timestamp(6), updated_at timestamp(6), published_at timestamp(6), created_by_id integer, updated_by_id integer, locale varchar(255));
    CREATE INDEX upload_files_name_index ON files (name);
    INSERT INTO files (document_id, name, hash, ext, mime, size, url, provider, folder_path, created_at, updated_at, published_at)
      VALUES ('abcdefghijklmnopqrstuvwx', 'old.png', 'old_1234567890', '.png', 'image/png', 12.34, '/uploads/old_1234567890.png', 'local', '/',
      '2025-01-02 03:04:05', '2025-01-02 03:04:05', '2025-01-02 03:04:05');`)
  const app = await buildApp(t, { database: databaseOption(database) })
  const { documents, db } = (app as unknown as { vellum: Vellum }).vellum
  const [found] = await documents('plugin::upload.file').findMany({ filters: { name: 'old.png' } })
  t.match(found, { documentId: 'abcdefghijklmnopqrstuvwx', size: 12.34, url: '/uploads/old_1234567890.png' })
  const types = await db.execute(sql`select column_name, data_type from information_schema.columns where table_name = 'files' and column_name in ('created_at', 'created_by_id')`)
  t.same(Object.fromEntries(types.map(r => [r.column_name, r.data_type])), { created_at: 'timestamp without time zone', created_by_id: 'integer' }, 'Strapi\'s columns kept')
})
