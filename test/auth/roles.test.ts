/**
 * Users & Permissions roles (contract §26.5, §26.7): Strapi's tables and columns, the default roles with their
 * first-boot grants, permissions declared in the options written to the tables (declared roles kept in sync,
 * undeclared ones left to the database), and a role's permissions deciding what a JWT may do, also after a
 * change made by another instance once the cache window has passed.
 */
import t from 'tap'
import { sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../helpers/app.js'
import { createPostgresDatabase, createTestDatabase, databaseOption } from '../helpers/db.js'
import { isError, sender } from '../http/rest/helpers.js'

const A = 'api::article.article'
const UP = 'plugin::users-permissions'
const up = { jwtSecret: 'roles-test-secret', bcryptRounds: 4 }

async function query (app: FastifyInstance, text: string): Promise<Array<Record<string, unknown>>> {
  return await app.vellum.db.execute(sql.raw(text))
}

const actionsOf = async (app: FastifyInstance, type: string): Promise<string[]> => (await query(app, `
  select p.action from up_permissions p join up_permissions_role_lnk l on l.permission_id = p.id join up_roles r on r.id = l.role_id
  where r.type = '${type}' order by p.action`)).map(row => row.action as string)

t.test('the tables, columns and constraints of Strapi 5 (contract §26.7), and the default roles with their first-boot grants', async (t) => {
  const app = await buildApp(t, { usersPermissions: up })
  const columns = await query(app, `
    select table_name as t, string_agg(column_name || ':' || data_type, ',' order by ordinal_position) as c from information_schema.columns
    where table_name like 'up\\_%' group by table_name order by table_name`)
  const audit = 'created_at:timestamp without time zone,updated_at:timestamp without time zone,published_at:timestamp without time zone,' +
    'created_by_id:integer,updated_by_id:integer,locale:character varying'
  t.same(columns, [
    { t: 'up_permissions', c: `id:integer,document_id:character varying,action:character varying,${audit}` },
    { t: 'up_permissions_role_lnk', c: 'id:integer,permission_id:integer,role_id:integer,permission_ord:double precision' },
    { t: 'up_roles', c: `id:integer,document_id:character varying,name:character varying,description:character varying,type:character varying,${audit}` },
    {
      t: 'up_users',
      c: 'id:integer,document_id:character varying,username:character varying,email:character varying,provider:character varying,' +
        'password:character varying,reset_password_token:character varying,confirmation_token:character varying,confirmed:boolean,blocked:boolean,' + audit
    },
    { t: 'up_users_role_lnk', c: 'id:integer,user_id:integer,role_id:integer,user_ord:double precision' }
  ])
  const constraints = await query(app, 'select conname as n, contype as k from pg_constraint where conrelid::regclass::text like \'up\\_%\' and contype in (\'u\', \'f\') order by conname')
  t.same(constraints.map(row => `${row.n as string}:${row.k as string}`), [
    'up_permissions_role_lnk_fk:f', 'up_permissions_role_lnk_ifk:f', 'up_permissions_role_lnk_uq:u',
    'up_users_role_lnk_fk:f', 'up_users_role_lnk_ifk:f', 'up_users_role_lnk_uq:u'
  ], 'unique (from, to) and cascading foreign keys on the link tables only: no unique username or email, as Strapi')

  const roles = await app.vellum.auth.roles.list()
  t.match(roles, [
    { name: 'Authenticated', type: 'authenticated', description: 'Default role given to authenticated user.', nb_users: 0 },
    { name: 'Public', type: 'public', description: 'Default role given to unauthenticated user.', nb_users: 0 }
  ])
  t.same(await actionsOf(app, 'public'), ['callback', 'connect', 'emailConfirmation', 'forgotPassword', 'refresh', 'register', 'resetPassword', 'sendEmailConfirmation'].map(a => `${UP}.auth.${a}`))
  t.same(await actionsOf(app, 'authenticated'), [`${UP}.auth.changePassword`, `${UP}.auth.getSessions`, `${UP}.auth.logout`, `${UP}.auth.revokeSession`, `${UP}.user.me`])
})

t.test('permissions declared in the options are written to the tables; a declared role follows them on restart, an undeclared one keeps the database\'s', async (t) => {
  const database = databaseOption(await createTestDatabase(t))
  const first = await buildApp(t, {
    database,
    usersPermissions: up,
    permissions: { public: [`${A}.find`], authenticated: [`${A}.find`, `${A}.create`], editor: [`${A}.update`] }
  })
  t.ok((await actionsOf(first, 'public')).includes(`${A}.find`), 'public: the declared action')
  t.ok((await actionsOf(first, 'public')).includes(`${UP}.auth.callback`), 'public keeps Strapi\'s defaults (login, register...)')
  t.same((await actionsOf(first, 'authenticated')).filter(a => a.startsWith('api::')), [`${A}.create`, `${A}.find`])
  t.same(await actionsOf(first, 'editor'), [`${A}.update`], 'a declared role is created')
  await first.vellum.auth.roles.grant('editor', [`${A}.delete`])
  await first.close()

  // Restart: authenticated declared without create; public and editor not declared any more.
  const second = await buildApp(t, { database, usersPermissions: up, permissions: { authenticated: [`${A}.find`] } })
  t.same((await actionsOf(second, 'authenticated')).filter(a => a.startsWith('api::')), [`${A}.find`], 'the declared role follows its declaration')
  t.same(await actionsOf(second, 'editor'), [`${A}.delete`, `${A}.update`], 'an undeclared role is left to the database')
  t.ok((await actionsOf(second, 'public')).includes(`${A}.find`), 'public, undeclared now, keeps what the database has')
  t.equal((await sender(second)('GET', '/api/articles')).status, 200, 'and the public check reads it')
  t.equal((await query(second, "select count(*)::int as n from up_roles where type in ('public', 'authenticated')"))[0]!.n, 2, 'the default roles once')
})

t.test('a role\'s permissions decide what a JWT may do; a grant or revoke applies at once here', async (t) => {
  const app = await buildApp(t, { usersPermissions: up })
  const send = sender(app)
  const user = await app.vellum.auth.users.create({ username: 'ann', email: 'ann@example.com', password: 'password-1' })
  const headers = { authorization: `Bearer ${app.vellum.auth.users.issue(user)}` }
  isError(t, await send('GET', '/api/articles', undefined, headers), 403, 'ForbiddenError', 'Forbidden', {})
  await app.vellum.auth.roles.grant('authenticated', [`${A}.find`, `${A}.create`])
  t.equal((await send('GET', '/api/articles', undefined, headers)).status, 200)
  t.equal((await send('POST', '/api/articles', { data: { title: 'By Ann' } }, headers)).status, 201)
  // The authenticated role's grants are not the public role's.
  isError(t, await send('GET', '/api/articles'), 403, 'ForbiddenError', 'Forbidden', {})
  await app.vellum.auth.roles.revoke('authenticated', [`${A}.create`])
  isError(t, await send('POST', '/api/articles', { data: { title: 'Again' } }, headers), 403, 'ForbiddenError', 'Forbidden', {})

  const editor = await query(app, "insert into up_roles (document_id, name, description, type) values ('e', 'Editor', '', 'editor') returning id")
  await app.vellum.auth.users.update(user.id, { role: editor[0]!.id as number })
  await app.vellum.auth.roles.grant('editor', [`${A}.create`])
  t.equal((await send('POST', '/api/articles', { data: { title: 'As editor' } }, headers)).status, 201, 'a user moved to another role acts with that role only')
  isError(t, await send('GET', '/api/articles', undefined, headers), 403, 'ForbiddenError', 'Forbidden', {})
  await t.rejects(app.vellum.auth.roles.grant('nobody', [`${A}.find`]), { name: 'NotFoundError', message: 'Role not found' })
  await t.rejects(app.vellum.auth.roles.grant('editor', ['not an action']), { name: 'ValidationError' })
})

t.test('two instances on one database: booting together creates one set of roles; another instance\'s grant applies within the TTL', async (t) => {
  const { url } = await createPostgresDatabase(t)
  const options = { database: { url }, usersPermissions: { ...up, cacheTtlMs: 300 }, permissions: { authenticated: [`${A}.find`] } }
  const [a, b] = await Promise.all([buildApp(t, options), buildApp(t, options)])
  t.equal((await query(a, 'select count(*)::int as n from up_roles'))[0]!.n, 2, 'public and authenticated once')
  t.equal((await query(a, `select count(*)::int as n from up_permissions where action = '${A}.find'`))[0]!.n, 1, 'the declared action once')

  const user = await a.vellum.auth.users.create({ username: 'bob', email: 'bob@example.com', password: 'password-1' })
  const headers = { authorization: `Bearer ${a.vellum.auth.users.issue(user)}` }
  t.equal((await sender(b)('GET', '/api/articles', undefined, headers)).status, 200, 'a JWT from one instance works on the other')
  isError(t, await sender(b)('GET', '/api/articles'), 403, 'ForbiddenError', 'Forbidden', {})
  await a.vellum.auth.roles.grant('public', [`${A}.find`])
  await a.vellum.auth.roles.revoke('authenticated', [`${A}.find`])
  t.equal((await sender(a)('GET', '/api/articles')).status, 200, 'at once on the instance that granted')
  await new Promise(resolve => setTimeout(resolve, 350))
  // The first request after the window starts the public role's refresh, which answers a later request: asked
  // again until then (the refresh's own statements may wait for a core on a loaded machine), for at most 5 s.
  const started = performance.now()
  let status = (await sender(b)('GET', '/api/articles')).status
  while (status !== 200 && performance.now() - started < 5000) {
    await new Promise(resolve => setTimeout(resolve, 50))
    status = (await sender(b)('GET', '/api/articles')).status
  }
  t.equal(status, 200, 'the public grant reached the other instance')
  isError(t, await sender(b)('GET', '/api/articles', undefined, headers), 403, 'ForbiddenError', 'Forbidden', {})
})

t.test('the roles and permissions routes (contract §26.3), each behind its own action', async (t) => {
  const app = await buildApp(t, { usersPermissions: up, apiToken: { salt: 'roles-salt' } })
  const send = sender(app)
  const headers = { authorization: `Bearer ${(await app.vellum.auth.tokens.create({ name: 'admin', type: 'full-access' })).accessKey}` }
  const list = await send('GET', '/api/users-permissions/roles', undefined, headers)
  t.same(list.body.roles.map((role: { type: string }) => role.type), ['authenticated', 'public'], 'sorted by name')
  t.same(Object.keys(list.body.roles[0]).sort(), ['createdAt', 'description', 'documentId', 'id', 'name', 'nb_users', 'publishedAt', 'type', 'updatedAt'])

  const permissions = await send('GET', '/api/users-permissions/permissions', undefined, headers)
  t.same(permissions.body.permissions['api::article'].controllers.article.find, { enabled: false, policy: '' })
  t.ok(permissions.body.permissions['plugin::users-permissions'].controllers.user.me)

  isError(t, await send('POST', '/api/users-permissions/roles', {}, headers), 400, 'ValidationError', 'Request body cannot be empty')
  const tree = { 'api::article': { controllers: { article: { find: { enabled: true }, create: { enabled: true }, delete: { enabled: false } } } } }
  t.same((await send('POST', '/api/users-permissions/roles', { name: 'Probe Editor', description: 'Edits', permissions: tree }, headers)).body, { ok: true })
  const editor = (await app.vellum.auth.roles.get('probe_editor'))!
  t.equal(editor.name, 'Probe Editor', 'type defaults to the snake_case name')
  const one = await send('GET', `/api/users-permissions/roles/${editor.id}`, undefined, headers)
  t.match(one.body.role, { name: 'Probe Editor', permissions: { 'api::article': { controllers: { article: { find: { enabled: true }, create: { enabled: true }, update: { enabled: false } } } } } })
  isError(t, await send('GET', '/api/users-permissions/roles/999', undefined, headers), 404, 'NotFoundError', 'Role not found')

  const update = { 'api::article': { controllers: { article: { update: { enabled: true } } } } }
  t.same((await send('PUT', `/api/users-permissions/roles/${editor.id}`, { permissions: update }, headers)).body, { ok: true })
  t.same(await actionsOf(app, 'probe_editor'), [`${A}.update`], 'the enabled actions replace the role\'s permissions')

  const user = await app.vellum.auth.users.create({ username: 'cyd', email: 'cyd@example.com', password: 'password-1', role: editor.id })
  t.same((await send('DELETE', `/api/users-permissions/roles/${editor.id}`, undefined, headers)).body, { ok: true })
  t.equal((await app.vellum.auth.users.get(user.id))!.role!.type, 'public', 'the role\'s users move to public')
  const publicRole = (await app.vellum.auth.roles.get('public'))!
  isError(t, await send('DELETE', `/api/users-permissions/roles/${publicRole.id}`, undefined, headers), 400, 'ApplicationError', 'Cannot delete public role')

  const jwt = app.vellum.auth.users.issue(await app.vellum.auth.users.create({ username: 'dee', email: 'dee@example.com', password: 'password-1' }))
  for (const [method, url] of [['GET', '/api/users-permissions/roles'], ['GET', '/api/users-permissions/permissions'], ['DELETE', `/api/users-permissions/roles/${publicRole.id}`]] as const) {
    isError(t, await send(method, url, undefined, { authorization: `Bearer ${jwt}` }), 403, 'ForbiddenError', 'Forbidden', {})
  }
})

t.test('public \'*\' opens every content action, not the plugin\'s: users stay private, login stays open', async (t) => {
  const app = await buildApp(t, { usersPermissions: up, permissions: { public: '*' } })
  const send = sender(app)
  t.equal((await send('GET', '/api/articles')).status, 200)
  t.equal((await send('POST', '/api/articles', { data: { title: 'Open' } })).status, 201)
  isError(t, await send('GET', '/api/users'), 403, 'ForbiddenError', 'Forbidden', {})
  isError(t, await send('GET', '/api/users-permissions/roles'), 403, 'ForbiddenError', 'Forbidden', {})
  t.equal((await send('POST', '/api/auth/local/register', { username: 'wild', email: 'wild@example.com', password: 'password-1' })).status, 200, 'the public role\'s own plugin grants still apply')
  t.notOk((await actionsOf(app, 'public')).some(action => action.startsWith('api::')), '\'*\' is never written to the tables')
})
