/**
 * A database Strapi 5 made: its API-token tables already there (created by Strapi, not by vellum) and rows as
 * Strapi's token service writes them, the key hashed with Strapi's scheme (hex HMAC-SHA512 under
 * `apiToken.salt`). vellum uses the tables as they are and accepts the tokens.
 */
import t from 'tap'
import { createHmac } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { articleDefinition, buildApp } from '../helpers/app.js'
import { createTestDatabase, databaseOption, runSql } from '../helpers/db.js'
import { isError, sender } from '../http/rest/helpers.js'

const SALT = 'strapi-project-salt=='
const A = 'api::article.article'
const keyOf = (seed: string): string => Buffer.alloc(128, seed).toString('hex')
const strapiHash = (key: string): string => createHmac('sha512', SALT).update(key).digest('hex')

// Strapi 5.54's tables (information_schema of the peer, contract §26.7), with Strapi's own constraint names.
const STRAPI_DDL = `
CREATE TABLE admin_users (id serial PRIMARY KEY, email varchar(255));
CREATE TABLE strapi_api_tokens (id serial PRIMARY KEY, document_id varchar(255), name varchar(255), description varchar(255),
  type varchar(255), access_key varchar(255), encrypted_key text, last_used_at timestamp(6), expires_at timestamp(6), lifespan bigint,
  created_at timestamp(6), updated_at timestamp(6), published_at timestamp(6),
  created_by_id integer CONSTRAINT strapi_api_tokens_created_by_id_fk REFERENCES admin_users (id) ON DELETE SET NULL,
  updated_by_id integer CONSTRAINT strapi_api_tokens_updated_by_id_fk REFERENCES admin_users (id) ON DELETE SET NULL,
  locale varchar(255), kind varchar(255));
CREATE TABLE strapi_api_token_permissions (id serial PRIMARY KEY, document_id varchar(255), action varchar(255),
  created_at timestamp(6), updated_at timestamp(6), published_at timestamp(6), created_by_id integer, updated_by_id integer, locale varchar(255));
CREATE TABLE strapi_api_token_permissions_token_lnk (id serial PRIMARY KEY,
  api_token_permission_id integer CONSTRAINT strapi_api_token_permissions_token_lnk_fk REFERENCES strapi_api_token_permissions (id) ON DELETE CASCADE,
  api_token_id integer CONSTRAINT strapi_api_token_permissions_token_lnk_ifk REFERENCES strapi_api_tokens (id) ON DELETE CASCADE,
  api_token_permission_ord double precision,
  CONSTRAINT strapi_api_token_permissions_token_lnk_uq UNIQUE (api_token_permission_id, api_token_id));
INSERT INTO admin_users (email) VALUES ('admin@example.com');
INSERT INTO strapi_api_tokens (document_id, name, description, type, access_key, encrypted_key, last_used_at, expires_at, lifespan,
  created_at, updated_at, published_at, created_by_id, updated_by_id, locale, kind) VALUES
  ('ozsoygi9n9uwevr8bcmwv2rj', 'Read Only', 'A default API token with read-only permissions, only used for accessing resources', 'read-only',
   '${strapiHash(keyOf('r'))}', 'v1:0b4f:abcd:ef01', NULL, NULL, NULL, '2026-01-02 03:04:05.678', '2026-01-02 03:04:05.678', '2026-01-02 03:04:05.678', NULL, NULL, NULL, 'content-api'),
  ('d0e9w1nq8xpb0pc3n1zx0g8t', 'Full Access', 'A default API token with full access permissions, used for accessing or managing resources', 'full-access',
   '${strapiHash(keyOf('f'))}', 'v1:1c5e:bcde:f012', NULL, NULL, NULL, '2026-01-02 03:04:05.678', '2026-01-02 03:04:05.678', '2026-01-02 03:04:05.678', 1, 1, NULL, NULL),
  ('kq1x7m0f3b2c9d8e7a6b5c4d', 'Front end', '', 'custom',
   '${strapiHash(keyOf('c'))}', 'v1:2d6f:cdef:0123', '2026-01-03 00:00:00', '2099-01-01 00:00:00', 7776000000, '2026-01-02 03:04:05.678', '2026-01-02 03:04:05.678', '2026-01-02 03:04:05.678', 1, 1, NULL, 'content-api'),
  ('mz2y8n1g4c3d0e9f8b7c6d5e', 'Old', '', 'full-access',
   '${strapiHash(keyOf('o'))}', NULL, NULL, '2026-01-01 00:00:00', 604800000, '2025-12-25 00:00:00', '2025-12-25 00:00:00', '2025-12-25 00:00:00', NULL, NULL, NULL, 'content-api'),
  ('a1b2c3d4e5f6g7h8i9j0k1l2', 'Admin', '', 'full-access',
   '${strapiHash(keyOf('a'))}', NULL, NULL, NULL, NULL, '2026-01-02 03:04:05.678', '2026-01-02 03:04:05.678', '2026-01-02 03:04:05.678', NULL, NULL, NULL, 'admin');
INSERT INTO strapi_api_token_permissions (document_id, action, created_at, updated_at, published_at) VALUES
  ('p1p1p1p1p1p1p1p1p1p1p1p1', '${A}.find', '2026-01-02 03:04:05.678', '2026-01-02 03:04:05.678', '2026-01-02 03:04:05.678');
INSERT INTO strapi_api_token_permissions_token_lnk (api_token_permission_id, api_token_id, api_token_permission_ord) VALUES (1, 3, 1);
`

t.test('tokens Strapi 5 stored, in tables Strapi created, work on vellum with the same salt', async (t) => {
  const db = await createTestDatabase(t)
  await runSql(db, STRAPI_DDL)
  const app = await buildApp(t, { database: databaseOption(db), contentTypes: [articleDefinition], apiToken: { salt: SALT, cacheTtlMs: 0 } })
  const send = sender(app)
  const bearer = (seed: string): Record<string, string> => ({ authorization: `Bearer ${keyOf(seed)}` })

  t.equal((await send('GET', '/api/articles', undefined, bearer('r'))).status, 200, 'read-only finds')
  isError(t, await send('POST', '/api/articles', { data: { title: 'x' } }, bearer('r')), 403, 'ForbiddenError', 'Forbidden', {})
  t.equal((await send('POST', '/api/articles', { data: { title: 'x' } }, bearer('f'))).status, 201, 'full access (kind null: content-api) creates')
  t.equal((await send('GET', '/api/articles', undefined, bearer('c'))).status, 200, 'custom: its one action through the link table')
  const id = (await app.vellum.documents(A).findFirst())!.documentId
  isError(t, await send('GET', `/api/articles/${id}`, undefined, bearer('c')), 403, 'ForbiddenError', 'Forbidden', {})
  isError(t, await send('GET', '/api/articles', undefined, bearer('o')), 401, 'UnauthorizedError', 'Token expired', {})
  isError(t, await send('GET', '/api/articles', undefined, bearer('a')), 401, 'UnauthorizedError', 'Missing or invalid credentials', {})

  const tokens = await app.vellum.auth.tokens.list()
  t.same(tokens.map(token => [token.name, token.type, token.permissions]), [
    ['Read Only', 'read-only', []], ['Full Access', 'full-access', []], ['Front end', 'custom', [`${A}.find`]], ['Old', 'full-access', []], ['Admin', 'full-access', []]
  ])
  t.match(tokens[2], { lifespan: 7776000000, expiresAt: '2099-01-01T00:00:00.000Z', createdAt: '2026-01-02T03:04:05.678Z' }, 'timestamps read as UTC')
  const columns = await app.vellum.db.execute(sql`
    select column_name from information_schema.columns where table_name = 'strapi_api_tokens' order by ordinal_position`)
  t.equal(columns.at(-1)?.column_name, 'kind', 'Strapi\'s own table, left as it was')

  // A token vellum creates is one Strapi reads back: same hash, same columns.
  const made = await app.vellum.auth.tokens.create({ name: 'ci', type: 'custom', permissions: [`${A}.find`, `${A}.findOne`] })
  const [row] = await app.vellum.db.execute(sql`
    select access_key, kind, type, lifespan, document_id, published_at is not null as published from strapi_api_tokens where id = ${made.id}`)
  t.same(row, { access_key: strapiHash(made.accessKey), kind: 'content-api', type: 'custom', lifespan: null, document_id: made.documentId, published: true })
})

t.test('on a new database vellum creates the three tables in Strapi\'s layout', async (t) => {
  const app = await buildApp(t, { apiToken: { salt: SALT } })
  const columns = await app.vellum.db.execute(sql`
    select table_name as t, column_name as c, data_type as d from information_schema.columns
    where table_name in ('strapi_api_tokens', 'strapi_api_token_permissions', 'strapi_api_token_permissions_token_lnk')
    order by table_name, ordinal_position`)
  const of = (table: string): string[] => columns.filter(c => c.t === table).map(c => `${String(c.c)} ${String(c.d)}`)
  t.same(of('strapi_api_tokens'), ['id integer', 'document_id character varying', 'name character varying', 'description character varying',
    'kind character varying', 'type character varying', 'access_key character varying', 'encrypted_key text', 'last_used_at timestamp without time zone',
    'expires_at timestamp without time zone', 'lifespan bigint', 'created_at timestamp without time zone', 'updated_at timestamp without time zone',
    'published_at timestamp without time zone', 'created_by_id integer', 'updated_by_id integer', 'locale character varying'])
  t.same(of('strapi_api_token_permissions'), ['id integer', 'document_id character varying', 'action character varying',
    'created_at timestamp without time zone', 'updated_at timestamp without time zone', 'published_at timestamp without time zone',
    'created_by_id integer', 'updated_by_id integer', 'locale character varying'])
  t.same(of('strapi_api_token_permissions_token_lnk'), ['id integer', 'api_token_permission_id integer', 'api_token_id integer', 'api_token_permission_ord double precision'])
})
