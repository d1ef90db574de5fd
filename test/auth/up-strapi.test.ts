/**
 * A database Strapi 5 made, with its Users & Permissions tables (created by Strapi, with its constraint names)
 * and rows as Strapi writes them: the roles and permissions of the peer's dump (/work/shared/peers/strapi),
 * a user whose password Strapi hashed with bcryptjs at cost 10 (`$2a$10$`). vellum uses the tables as they
 * are: the user logs in with its existing hash and acts with its role's stored permissions.
 */
import t from 'tap'
import { sql } from 'drizzle-orm'
import { buildApp } from '../helpers/app.js'
import { createTestDatabase, databaseOption, runSql } from '../helpers/db.js'
import { isError, sender } from '../http/rest/helpers.js'

const UP = 'plugin::users-permissions'
/** bcryptjs.hash('Strapi-user-pw1', 10), the call Strapi's user service makes. */
const STRAPI_HASH = '$2a$10$a8csrNY49LmHEbtuWXm5xOxN8BSh5ZUDU24IzCblztz2ggJOvDXM6'
const STAMP = "'2026-11-21 12:12:54.507'"

const STRAPI_DDL = `
CREATE TABLE admin_users (id serial PRIMARY KEY, email varchar(255));
CREATE TABLE up_users (id serial PRIMARY KEY, document_id varchar(255), username varchar(255), email varchar(255), provider varchar(255),
  password varchar(255), reset_password_token varchar(255), confirmation_token varchar(255), confirmed boolean, blocked boolean,
  created_at timestamp(6), updated_at timestamp(6), published_at timestamp(6),
  created_by_id integer CONSTRAINT up_users_created_by_id_fk REFERENCES admin_users (id) ON DELETE SET NULL,
  updated_by_id integer CONSTRAINT up_users_updated_by_id_fk REFERENCES admin_users (id) ON DELETE SET NULL, locale varchar(255));
CREATE TABLE up_roles (id serial PRIMARY KEY, document_id varchar(255), name varchar(255), description varchar(255), type varchar(255),
  created_at timestamp(6), updated_at timestamp(6), published_at timestamp(6), created_by_id integer, updated_by_id integer, locale varchar(255));
CREATE TABLE up_permissions (id serial PRIMARY KEY, document_id varchar(255), action varchar(255),
  created_at timestamp(6), updated_at timestamp(6), published_at timestamp(6), created_by_id integer, updated_by_id integer, locale varchar(255));
CREATE TABLE up_users_role_lnk (id serial PRIMARY KEY,
  user_id integer CONSTRAINT up_users_role_lnk_fk REFERENCES up_users (id) ON DELETE CASCADE,
  role_id integer CONSTRAINT up_users_role_lnk_ifk REFERENCES up_roles (id) ON DELETE CASCADE, user_ord double precision,
  CONSTRAINT up_users_role_lnk_uq UNIQUE (user_id, role_id));
CREATE TABLE up_permissions_role_lnk (id serial PRIMARY KEY,
  permission_id integer CONSTRAINT up_permissions_role_lnk_fk REFERENCES up_permissions (id) ON DELETE CASCADE,
  role_id integer CONSTRAINT up_permissions_role_lnk_ifk REFERENCES up_roles (id) ON DELETE CASCADE, permission_ord double precision,
  CONSTRAINT up_permissions_role_lnk_uq UNIQUE (permission_id, role_id));
INSERT INTO up_roles (document_id, name, description, type, created_at, updated_at, published_at) VALUES
  ('wjoct80bm68ckp40lgflz3mo', 'Authenticated', 'Default role given to authenticated user.', 'authenticated', ${STAMP}, ${STAMP}, ${STAMP}),
  ('eozfzq9y225uc28s1meyg3y1', 'Public', 'Default role given to unauthenticated user.', 'public', ${STAMP}, ${STAMP}, ${STAMP});
INSERT INTO up_permissions (document_id, action, created_at, updated_at, published_at) VALUES
  ('aubd42qgz2jdzbt1078ukb7l', '${UP}.auth.logout', ${STAMP}, ${STAMP}, ${STAMP}),
  ('v5lq0itcfwzuqcrpldno0a6p', '${UP}.user.me', ${STAMP}, ${STAMP}, ${STAMP}),
  ('cxam49p6l8001pi8yo1o6u30', '${UP}.auth.changePassword', ${STAMP}, ${STAMP}, ${STAMP}),
  ('u3d40tzzc8cxqretpwszsh8u', '${UP}.auth.callback', ${STAMP}, ${STAMP}, ${STAMP}),
  ('lxhcn5xwwm0prvb51si819z1', '${UP}.auth.register', ${STAMP}, ${STAMP}, ${STAMP}),
  ('zqlww5cff2mp5ptv6bo9uqqz', 'api::article.article.find', ${STAMP}, ${STAMP}, ${STAMP}),
  ('jaq9nwixvznbl1uylv5gfghk', 'api::article.article.create', ${STAMP}, ${STAMP}, ${STAMP});
INSERT INTO up_permissions_role_lnk (permission_id, role_id, permission_ord) VALUES (1, 1, 1), (2, 1, 2), (3, 1, 3), (4, 2, 1), (5, 2, 2), (6, 1, 4), (7, 1, 5);
INSERT INTO up_users (document_id, username, email, provider, password, reset_password_token, confirmation_token, confirmed, blocked,
  created_at, updated_at, published_at) VALUES
  ('h2m8q0w4e6r1t3y5u7i9o0p2', 'strapi-user', 'strapi-user@example.com', 'local', '${STRAPI_HASH}', NULL, NULL, true, false, ${STAMP}, ${STAMP}, ${STAMP});
INSERT INTO up_users_role_lnk (user_id, role_id, user_ord) VALUES (1, 1, 1);
`

t.test('a Strapi user logs in with its existing hash and acts with the permissions Strapi stored for its role', async (t) => {
  const db = await createTestDatabase(t)
  await runSql(db, STRAPI_DDL)
  const app = await buildApp(t, { database: databaseOption(db), usersPermissions: { jwtSecret: 'strapi-project-jwt-secret' } })
  const send = sender(app)

  isError(t, await send('POST', '/api/auth/local', { identifier: 'strapi-user', password: 'wrong-password' }), 400, 'ValidationError', 'Invalid identifier or password', {})
  const login = await send('POST', '/api/auth/local', { identifier: 'Strapi-User@example.com', password: 'Strapi-user-pw1' })
  t.equal(login.status, 200)
  t.match(login.body.user, { id: 1, documentId: 'h2m8q0w4e6r1t3y5u7i9o0p2', username: 'strapi-user', confirmed: true, blocked: false, createdAt: '2026-11-21T12:12:54.507Z' })
  const headers = { authorization: `Bearer ${login.body.jwt as string}` }
  t.equal((await send('GET', '/api/users/me', undefined, headers)).body.username, 'strapi-user')
  t.equal((await send('GET', '/api/articles', undefined, headers)).status, 200, 'the role\'s stored api:: grant')
  t.equal((await send('POST', '/api/articles', { data: { title: 'From a Strapi user' } }, headers)).status, 201)
  isError(t, await send('GET', '/api/articles'), 403, 'ForbiddenError', 'Forbidden', {})

  t.equal((await app.vellum.db.execute(sql`select count(*)::int as n from up_roles`))[0]!.n, 2, 'Strapi\'s roles used, none added')
  const [constraint] = await app.vellum.db.execute(sql`select count(*)::int as n from pg_constraint where conname = 'up_users_created_by_id_fk'`)
  t.equal(constraint!.n, 1, 'Strapi\'s own tables kept as they are')
  const [stored] = await app.vellum.db.execute(sql`select password from up_users where id = 1`)
  t.equal(stored!.password, STRAPI_HASH, 'the hash untouched by a login')
})
