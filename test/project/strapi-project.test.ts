/**
 * Issue 17: the Strapi 5 project fixture (test/fixtures/strapi-project: TypeScript routes, controllers, services
 * and a policy importing `@strapi/strapi` / `@strapi/utils`, config files using `env` and a `.env`, a controller
 * using the global `strapi`, a bootstrap seeding role permissions through `strapi.db.query`, attribute names with
 * digits, media, components, a dynamic zone and a relation to users) loads and serves unchanged: `vellum start
 * --dir` on plain node, on a new database.
 */
import t from 'tap'
import { cliEnv, freePort, spawnCli } from '../cli/helpers.js'
import { copyProject } from './strapi-project.js'

t.test('`vellum start --dir` serves the Strapi project as it is', async (t) => {
  const dir = await copyProject(t)
  const port = await freePort()
  const env = await cliEnv(t, { PORT: String(port), LOG_LEVEL: 'info' })
  // The project's .env says postgres on localhost: the embedded database unless the suite runs on PostgreSQL.
  if (env.DATABASE_URL === '') env.DATABASE_CLIENT = 'sqlite'
  const server = spawnCli(t, ['start', '--dir', dir], env)
  await server.waitFor(/listening on/)
  t.match(server.stdout(), /2 content types, \d+ routes, listening on/)
  const base = `http://127.0.0.1:${port}`

  // The bootstrap granted the public role find and findOne; the custom find adds the draft count (global strapi).
  const empty = await fetch(`${base}/api/listings`)
  t.equal(empty.status, 200)
  t.same(await empty.json(), { data: [], meta: { pagination: { page: 1, pageSize: 25, pageCount: 0, total: 0 }, drafts: 0 } })
  t.equal((await fetch(`${base}/api/amenities`)).status, 200)
  t.equal((await fetch(`${base}/api/listings`, { method: 'POST', body: '{"data":{"title":"x"}}', headers: { 'content-type': 'application/json' } })).status, 403,
    'create is the authenticated role\'s only')

  // A user registers (authenticated role), uploads a file and writes a listing with media, components, a zone and itself as agent.
  const registered = await fetch(`${base}/api/auth/local/register`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'agent9', email: 'agent9@example.com', password: 'Agent-nine-pw9' })
  })
  t.equal(registered.status, 200)
  const { jwt, user } = await registered.json() as { jwt: string, user: { documentId: string } }
  const authorization = `Bearer ${jwt}`
  const form = new FormData()
  form.append('files', new Blob(['plan']), 'plan.txt')
  const uploaded = await fetch(`${base}/api/upload`, { method: 'POST', body: form, headers: { authorization } })
  t.equal(uploaded.status, 201)
  const [file] = await uploaded.json() as Array<{ id: number }>
  const created = await fetch(`${base}/api/listings`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify({
      data: {
        title: 'Flat 9',
        address2: 'Door 2',
        h1Title: 'H1',
        areaM2: 51.5,
        floor3DPlanURL: 'https://p.example/9',
        cover: file!.id,
        rooms: [{ name: 'Room', floor2: 2 }],
        seo: { metaTitle: 'Flat 9' },
        blocks: [{ __component: 'shared.quote', text: 'Nice' }],
        agent: user.documentId
      }
    })
  })
  t.equal(created.status, 201)
  t.match(await created.json(), { data: { title: 'Flat 9', address2: 'Door 2', h1Title: 'H1', areaM2: 51.5, floor3DPlanURL: 'https://p.example/9' } })

  // The custom route: the controller through the global strapi and a service from createCoreService.
  const stats = await fetch(`${base}/api/listings/stats`)
  t.equal(stats.status, 200)
  t.same(await stats.json(), { data: { published: 1, amenities: 0, titles: ['Flat 9 (51.5 m²)'] } })
  // The policy's errors.PolicyError, from @strapi/utils, in Strapi's envelope.
  const closed = await fetch(`${base}/api/listings/stats?closed=1`)
  t.equal(closed.status, 403)
  t.same(await closed.json(), { data: null, error: { status: 403, name: 'PolicyError', message: 'Listings are closed', details: { policy: 'is-open' } } })

  server.child.kill('SIGTERM')
  t.equal(await server.exited, 0)
})
