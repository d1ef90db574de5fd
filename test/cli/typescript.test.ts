import { execFile } from 'node:child_process'
import t from 'tap'
import { plain } from '../helpers/process.js'
import { cliEnv, collectionType, freePort, spawnCli, tempProject } from './helpers.js'

t.test('`vellum start` on plain node loads a project\'s TypeScript files (vellum.config.ts, src/**/*.ts) through tsx', async (t) => {
  const dir = await tempProject(t, {
    'package.json': { type: 'module' },
    'src/api/item/content-types/item/schema.json': collectionType('item', 'items'),
    // Type annotations and an interface: plain node cannot load these files.
    'vellum.config.ts': `interface Options { permissions: { public: '*' } }
const options: Options = { permissions: { public: '*' } }
export default options
`,
    'src/api/item/controllers/item.ts': `interface Ctx { query: Record<string, unknown> }
export default () => ({
  async find (ctx: Ctx): Promise<{ data: string, meta: { limit: unknown } }> {
    return { data: 'from TypeScript', meta: { limit: ctx.query.limit ?? null } }
  }
})
`
  })
  const env = await cliEnv(t, { PORT: String(await freePort()), LOG_LEVEL: 'debug' })
  t.equal(env.NODE_OPTIONS, undefined, 'no loader from the test runner')
  const server = spawnCli(t, ['start', '--dir', dir], env)
  await server.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/)
  t.ok(server.logLines().some(line => line.msg === 'project TypeScript files load through tsx'), 'tsx was registered for this project')
  const response = await fetch(`http://127.0.0.1:${env.PORT!}/api/items?limit=3`)
  t.equal(response.status, 200, 'public access from vellum.config.ts')
  t.same(await response.json(), { data: 'from TypeScript', meta: { limit: '3' } }, 'the TypeScript controller answers')
  server.child.kill('SIGTERM')
  t.equal(await server.exited, 0)
})

t.test('a CLI process the suite starts runs on plain node: no loader of the test runner in its NODE_OPTIONS', async (t) => {
  // tap adds its processinfo loader to every spawned process's NODE_OPTIONS, even when the env passed has none.
  const child = await new Promise<string>((resolve, reject) => {
    execFile(...plain(process.execPath, ['-p', 'JSON.stringify(process.env.NODE_OPTIONS ?? null)']), { env: { PATH: process.env.PATH } }, (error, stdout) => {
      if (error === null) resolve(stdout.trim())
      else reject(error)
    })
  })
  t.equal(child, 'null')
})
