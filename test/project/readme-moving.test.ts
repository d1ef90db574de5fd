/**
 * The README's "Moving a Strapi project to vellum": its start command, run as written (`npx vellum` is the built
 * bin) from the root of the Strapi fixture project on the database Strapi left, serves what Strapi served, lets
 * Strapi's users log in with their passwords, and adds to the database only vellum's own (its log, one line per
 * table).
 */
import { readFile } from 'node:fs/promises'
import t from 'tap'
import { freePort, spawnCli } from '../cli/helpers.js'
import { recorded, restoredProject } from './strapi-project.js'
import { fromRoot } from '../helpers/paths.js'

const readme = await readFile(fromRoot('README.md'), 'utf8')
const section = readme.slice(readme.indexOf('## Moving a Strapi project to vellum'), readme.indexOf('## Compatibility with Strapi v5'))

t.test('the section\'s `npx vellum start`, from the project\'s root, serves the Strapi project on its own database', async (t) => {
  const command = /^npx vellum (start)\s/m.exec(section)
  t.ok(command, 'the section has the start command')
  const project = await restoredProject(t)
  await project.release()
  const port = await freePort()
  const env: NodeJS.ProcessEnv = { ...process.env, ...project.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info' }
  delete env.NODE_OPTIONS
  const server = spawnCli(t, command![1]!.split(' '), env, project.dir)
  await server.waitFor(/listening on/)
  const base = `http://127.0.0.1:${port}`

  for (const read of recorded.reads.filter(read => read.as === undefined).slice(0, 6)) {
    const answer = await fetch(`${base}${read.url}`)
    t.equal(answer.status, read.status, `GET ${read.url}`)
    t.same(await answer.json(), read.body, `GET ${read.url}: Strapi's answer`)
  }
  const [user] = recorded.users
  const login = await fetch(`${base}/api/auth/local`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identifier: user!.email, password: user!.password })
  })
  t.equal(login.status, 200, 'a user Strapi registered logs in with the same password')

  // Sync's lines: the vellum_schema table, and vellum's own indexes on Strapi's tables; nothing else.
  const lines = server.stdout().split('\n').filter(line => line.startsWith('{')).map(line => JSON.parse(line) as { table?: unknown, changes?: unknown, msg: string })
  const changes = lines.filter(line => typeof line.table === 'string' && typeof line.changes === 'number')
    .map(line => [line.table as string, line.msg.slice(`${line.table as string}: `.length)] as const)
  t.ok(changes.some(([table]) => table === 'vellum_schema'), 'vellum_schema created')
  for (const [table, what] of changes.filter(([table]) => table !== 'vellum_schema')) {
    t.match(what, /^created index \w+_(unique|prefix_idx)(; created index \w+_(unique|prefix_idx))*$/, `${table}: only vellum's own indexes`)
  }
  server.child.kill('SIGTERM')
  t.equal(await server.exited, 0)
})
