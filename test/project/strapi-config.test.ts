/**
 * A Strapi project's config files (issue 17): `config/{server,database,api,admin,plugins}` in .js (CommonJS, as
 * Strapi generates them) or .ts, objects or `({ env }) => ({ … })`, the project's `.env` under the process's
 * environment, `config/env/<NODE_ENV>/` merged over them; what they say reaches the standalone server.
 */
import t from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { readFile } from 'node:fs/promises'
import { fromStrapiConfig, loadStrapiConfig } from '../../lib/project/strapi-config.js'
import { buildServer, loadServerConfig } from '../../lib/server.js'
import { collectionType, tempProject } from '../cli/helpers.js'
import { createPostgresDatabase, usingPostgres } from '../helpers/db.js'
import { fromRoot } from '../helpers/paths.js'
import '../helpers/typescript.js'

const FILES = {
  'src/api/article/content-types/article/schema.json': collectionType('article', 'articles', { title: { type: 'string' } }),
  '.env': 'API_TOKEN_SALT=salt-from-dotenv\nJWT_SECRET=jwt-from-dotenv\nAPP_PORT=1444\n',
  'config/server.ts': "export default ({ env }) => ({ host: env('APP_HOST', '127.0.0.1'), port: env.int('APP_PORT', 1337), app: { keys: ['a', 'b'] } })\n",
  'config/database.js': `module.exports = ({ env }) => {
  const client = env('DATABASE_CLIENT', 'sqlite')
  const connections = {
    postgres: { connection: { connectionString: env('PG_URL'), schema: env('DATABASE_SCHEMA', 'public') }, pool: { min: 0, max: env.int('DATABASE_POOL_MAX', 4) } },
    sqlite: { connection: { filename: '.tmp/data.db' }, useNullAsDefault: true }
  }
  return { connection: { client, ...connections[client], acquireConnectionTimeout: 60000 } }
}
`,
  'config/api.js': 'module.exports = { rest: { defaultLimit: 5, maxLimit: 7, withCount: true } }\n',
  'config/env/production/api.js': 'module.exports = { rest: { maxLimit: 3 } }\n',
  'config/admin.ts': "export default ({ env }) => ({ auth: { secret: env('ADMIN_JWT_SECRET') }, apiToken: { salt: env('API_TOKEN_SALT') } })\n",
  'config/plugins.ts': `export default ({ env }) => ({
  upload: { config: { provider: 'local', sizeLimit: 1000, breakpoints: { small: 64 } } },
  'users-permissions': { config: { jwtSecret: env('JWT_SECRET'), jwt: { expiresIn: '7d' } } }
})
`
}

t.test('the files, .env and config/env/<NODE_ENV> give the server and the plugin their settings; the environment wins', async (t) => {
  const dir = await tempProject(t, FILES)
  const loaded = await loadStrapiConfig(dir, { NODE_ENV: 'production', JWT_SECRET: 'jwt-from-process' })
  const derived = fromStrapiConfig(loaded)
  t.same(derived.server, { host: '127.0.0.1', port: 1444 }, 'config/server, APP_PORT from .env')
  t.same(derived.database, { embedded: true, client: 'sqlite' }, 'Strapi\'s sqlite default is the embedded database')
  t.same(derived.options, {
    rest: { defaultLimit: 5, maxLimit: 3, withCount: true },
    apiToken: { salt: 'salt-from-dotenv' },
    upload: { breakpoints: { small: 64 }, provider: 'local', sizeLimit: 1000 },
    usersPermissions: { jwtSecret: 'jwt-from-process', jwt: { expiresIn: '7d' } }
  }, 'config/env/production merged over config/api; the process\'s JWT_SECRET over .env\'s')
  t.same((await loadServerConfig(dir, { HOST: '0.0.0.0', PORT: '8080' })).port, 8080, 'PORT wins over config/server')
})

t.test('the standalone server runs on them: rest limits, the salt, the upload size limit, the database', async (t) => {
  const dir = await tempProject(t, FILES)
  const lines: Array<Record<string, unknown>> = []
  const env: NodeJS.ProcessEnv = { LOG_LEVEL: 'info' }
  if (usingPostgres()) Object.assign(env, { DATABASE_CLIENT: 'postgres', PG_URL: (await createPostgresDatabase(t)).url, DATABASE_POOL_MAX: '3' })
  const config = await loadServerConfig(dir, env)
  const app = await buildServer({ ...config, logStream: { write: (line) => { lines.push(JSON.parse(line) as Record<string, unknown>) } } })
  t.teardown(() => app.close())
  await app.ready()
  t.match(app.vellum.config.rest, { defaultLimit: 5, maxLimit: 7 })
  t.equal(app.vellum.config.apiToken.salt, 'salt-from-dotenv')
  t.equal(app.vellum.config.usersPermissions.jwtSecret, 'jwt-from-dotenv')
  if (usingPostgres()) {
    t.same(app.vellum.config.database, { url: env.PG_URL, max: 3 }, 'config/database\'s postgres connection')
  } else {
    t.match(app.vellum.config.database, { pglite: /\.vellum\/data$/ })
    t.ok(lines.some(line => /^config\/database: client sqlite is served by the embedded PGlite database/.test(String(line.msg))), 'one line says so')
  }

  const { accessKey } = await app.vellum.auth.tokens.create({ name: 'config', type: 'full-access' })
  const headers = { authorization: `Bearer ${accessKey}` }
  for (let i = 0; i < 8; i++) await app.vellum.documents('api::article.article').create({ data: { title: `a${i}` } })
  const list = await app.inject({ method: 'GET', url: '/api/articles?pagination[pageSize]=50', headers })
  t.equal(list.statusCode, 200, 'a key made with config/admin\'s salt (from .env) authenticates')
  t.equal(list.json().data.length, 7, 'config/api maxLimit caps the page')
  t.equal((await app.inject({ method: 'GET', url: '/api/articles', headers })).json().data.length, 5, 'and defaultLimit is the default')
  const body = new FormData()
  body.append('files', new Blob(['x'.repeat(2000)]), 'big.txt')
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }
  t.equal((await fetch(`http://127.0.0.1:${port}/api/upload`, { method: 'POST', body, headers })).status, 413, 'config/plugins upload.config.sizeLimit')
})

t.test('config/database: postgres fields become a URL; mysql and other schemas are refused with a clear message', async (t) => {
  const derive = async (database: string): Promise<ReturnType<typeof fromStrapiConfig>> =>
    fromStrapiConfig(await loadStrapiConfig(await tempProject(t, { 'config/database.js': database }), {}))
  t.same((await derive(`module.exports = { connection: { client: 'postgres', connection: {
    host: 'db.internal', port: 5433, database: 'cms', user: 'strapi', password: 'p@ss/word', ssl: { rejectUnauthorized: false } }, pool: { max: 20 } } }`)).database,
  { url: 'postgres://strapi:p%40ss%2Fword@db.internal:5433/cms?sslmode=require', max: 20 })
  t.same((await derive("module.exports = { connection: { client: 'postgres', connection: { connectionString: 'postgres://u@h/d' } } }")).database, { url: 'postgres://u@h/d' })
  await t.rejects(derive("module.exports = { connection: { client: 'mysql', connection: {} } }"), { name: 'InvalidOptionsError', message: /client mysql is not supported/ })
  await t.rejects(derive("module.exports = { connection: { client: 'postgres', connection: { connectionString: 'postgres://u@h/d', schema: 'cms' } } }"), { message: /schema "cms" is not supported yet/ })
  await t.rejects(derive('module.exports = 42'), { message: /config\/database\.js: expected an object/ })
})

t.test('the README\'s config/plugins.ts example sets the upload limit and the JWT settings', async (t) => {
  const readme = await readFile(fromRoot('README.md'), 'utf8')
  const example = /```ts\n\/\/ config\/plugins\.ts\n([\s\S]*?)```/.exec(readme)?.[1]
  t.ok(example, 'the example is found')
  const dir = await tempProject(t, { 'config/plugins.ts': example! })
  const { options } = fromStrapiConfig(await loadStrapiConfig(dir, { JWT_SECRET: 'readme-secret' }))
  t.same(options, { upload: { sizeLimit: 10 * 1024 * 1024 }, usersPermissions: { jwtSecret: 'readme-secret', jwt: { expiresIn: '7d' } } })
  t.same(fromStrapiConfig(await loadStrapiConfig(dir, { UPLOAD_SIZE_LIMIT: '2048' })).options.upload, { sizeLimit: 2048 }, 'env.int reads the environment')
})

t.test('the README\'s config/api.js example turns rest.strictParams on: an unknown query key is a 400', async (t) => {
  const readme = await readFile(fromRoot('README.md'), 'utf8')
  const example = /```js\n\/\/ config\/api\.js[^\n]*\n([\s\S]*?)```/.exec(readme)?.[1]
  t.ok(example, 'the example is found')
  const dir = await tempProject(t, { 'src/api/article/content-types/article/schema.json': FILES['src/api/article/content-types/article/schema.json'], 'config/api.js': example! })
  t.same(fromStrapiConfig(await loadStrapiConfig(dir, {})).options, { rest: { defaultLimit: 25, maxLimit: 100, strictParams: true } })
  const env: NodeJS.ProcessEnv = usingPostgres() ? { DATABASE_URL: (await createPostgresDatabase(t)).url } : {}
  const app = await buildServer({ ...await loadServerConfig(dir, env), logStream: { write: () => {} } })
  t.teardown(() => app.close())
  await app.ready()
  const { accessKey } = await app.vellum.auth.tokens.create({ name: 'strict', type: 'read-only' })
  const get = async (url: string): Promise<LightMyRequestResponse> =>
    await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${accessKey}` } })
  const strict = await get('/api/articles?t=123')
  t.equal(strict.statusCode, 400)
  t.same(strict.json().error, { status: 400, name: 'ValidationError', message: 'Invalid key t', details: { key: 't', path: null, source: 'query', param: 't' } })
  t.equal((await get('/api/articles?count=true&publicationFilter=modified')).statusCode, 200, 'the keys Strapi lists pass')
})
