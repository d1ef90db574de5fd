import t from 'tap'
import { cliEnv, collectionType, freePort, spawnCli, tempProject, writeFiles } from './helpers.js'

async function get (url: string): Promise<{ status: number, body: unknown }> {
  const response = await fetch(url)
  return { status: response.status, body: await response.json() as unknown }
}

/** Polls until `url` answers `status` (the server restarts in between). */
async function waitForStatus (url: string, status: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const answered = await fetch(url).then(response => response.status, () => undefined)
    if (answered === status) return
    if (Date.now() > deadline) throw new Error(`${url} never answered ${status} (last: ${String(answered)})`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

t.test('`vellum develop` restarts on a schema change, keeps the embedded data, survives a broken schema and stops on SIGTERM', async (t) => {
  const dir = await tempProject(t, {
    'vellum.config.json': { permissions: { public: '*' } },
    'src/api/note/content-types/note/schema.json': collectionType('note', 'notes', { text: { type: 'string' } })
  })
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const develop = spawnCli(t, ['develop', '--dir', dir], await cliEnv(t, { PORT: String(port) }))
  await develop.waitFor(/1 content type, \d+ routes, listening on/)

  const created = await fetch(`${base}/api/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: { text: 'kept' } }) })
  t.equal(created.status, 201, 'a note written before the restart')
  t.equal((await get(`${base}/api/tags`)).status, 404, 'no tags yet')

  // A new content type: new directories under src/, as a user (or a generator) makes them.
  let mark = develop.mark()
  await writeFiles(dir, { 'src/api/tag/content-types/tag/schema.json': collectionType('tag', 'tags') })
  await develop.waitFor(/vellum develop: src\/api\/tag\S* changed, restarting/, { since: mark })
  await develop.waitFor(/2 content types, \d+ routes, listening on/, { since: mark })
  t.same((await get(`${base}/api/tags`)).body, { data: [], meta: { pagination: { page: 1, pageSize: 25, pageCount: 0, total: 0 } } }, 'the new route answers')
  const notes = await get(`${base}/api/notes`) as { body: { data: Array<{ text: string }> } }
  t.same(notes.body.data.map(note => note.text), ['kept'], 'the data written before the restart is still there')

  // A broken schema: the error is printed, develop waits for the next change.
  mark = develop.mark()
  await writeFiles(dir, { 'src/api/tag/content-types/tag/schema.json': collectionType('tag', 'tags', { name: { type: 'strng' } }) })
  await develop.waitFor(/vellum: Invalid content types \(1 problem\):\n\S+schema\.json: attribute "name": unknown type "strng"/, { since: mark })
  await develop.waitFor(/vellum develop: the server stopped \(exit code 1\); waiting for a change to restart/, { since: mark })
  t.equal(develop.child.exitCode, null, 'develop keeps running')
  t.notMatch(develop.stderr().slice(0), /\n\s+at /, 'no stack')

  // Fixed: the server is back, with the data.
  mark = develop.mark()
  await writeFiles(dir, { 'src/api/tag/content-types/tag/schema.json': collectionType('tag', 'tags', { name: { type: 'string' } }) })
  await develop.waitFor(/2 content types, \d+ routes, listening on/, { since: mark })
  await waitForStatus(`${base}/api/notes`, 200)
  const again = await get(`${base}/api/notes`) as { body: { data: Array<{ text: string }> } }
  t.same(again.body.data.map(note => note.text), ['kept'], 'still there after a failed restart')

  // vellum.config.* at the project root is watched too.
  mark = develop.mark()
  await writeFiles(dir, { 'vellum.config.json': { permissions: { public: [] } } })
  await develop.waitFor(/vellum develop: vellum\.config\.json changed, restarting/, { since: mark })
  await develop.waitFor(/listening on/, { since: mark })
  t.equal((await get(`${base}/api/notes`)).status, 403, 'the new options apply')

  develop.child.kill('SIGTERM')
  t.equal(await develop.exited, 0, 'SIGTERM stops the server and exits 0')
  t.match(develop.stdout(), /"msg":"shutting down"/, 'the server closed gracefully')
  const refused = await fetch(`${base}/_health`).then(() => false, () => true)
  t.ok(refused, 'nothing listens any more')
})
