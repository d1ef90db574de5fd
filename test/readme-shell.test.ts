/**
 * The README's shell examples run as written, in order, with real bash and curl against the standalone
 * server (`bin/vellum.js start`, compiled by `npm run build`, the `pretest` step) on a copy of the example
 * project. The rule: every command of a ```bash block that calls curl (continuation lines joined) is run, in
 * one bash session so that shell variables carry over, with `localhost:1337` pointed at the test's server.
 * Each must exit 0 with every response 2xx; a trailing `# {...}` comment is the JSON it must print.
 */
import t from 'tap'
import { spawn } from 'node:child_process'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import postgres from 'postgres'
import { createPostgresDatabase, usingPostgres } from './helpers/db.js'
import { plain } from './helpers/process.js'
import { root } from './helpers/paths.js'

interface Example { command: string, expected?: unknown }

/** The README's curl commands, in order, each with the JSON its trailing comment promises, if any. */
function shellExamples (markdown: string): Example[] {
  const examples: Example[] = []
  for (const [, body] of markdown.matchAll(/^```bash\n([\s\S]*?)^```$/gm)) {
    const commands = (body ?? '').replace(/\\\n/g, '').split('\n')
    for (const command of commands) {
      if (!/(^|[\s($|])curl\s/.test(command)) continue
      // A trailing comment holding JSON is the promised answer.
      const promised = /\s#\s+(\{.*\})\s*$/.exec(command)?.[1]
      examples.push({ command: command.trim(), ...(promised !== undefined && { expected: JSON.parse(promised) as unknown }) })
    }
  }
  return examples
}

/** A JSON value with every `id` and `documentId` replaced, as the README writes them for a fresh database's. */
function withoutIds (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutIds)
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, key === 'id' || key === 'documentId' ? '…' : withoutIds(item)]))
}

async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => { typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')) })
    })
  })
}

/** The environment of children: no loader or test-runner hooks from NODE_OPTIONS, this test's node first on PATH. */
function childEnv (extra: Record<string, string>): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _dropped, ...env } = process.env
  return { ...env, PATH: `${dirname(process.execPath)}${delimiter}${env.PATH ?? ''}`, ...extra }
}

t.test('the README\'s shell examples are found as written', async (t) => {
  const examples = shellExamples(await readFile(join(root, 'README.md'), 'utf8'))
  t.ok(examples.length >= 6, `${examples.length} curl commands`)
  t.ok(examples.some(e => e.command.startsWith('curl localhost:1337/_health') && JSON.stringify(e.expected) === '{"status":"ok"}'), 'the health example and its answer')
  t.ok(examples.some(e => e.command.startsWith('curl localhost:1337/_ready')), 'the readiness example')
  const globbed = (command: string): boolean => (command.match(/localhost:1337[^\s']*/g) ?? []).some(url => /[[\]{}]/.test(url))
  t.ok(examples.some(e => globbed(e.command)), 'an example has brackets in its URL')
  t.ok(examples.every(e => !globbed(e.command) || /\s(-g|--globoff)\s/.test(e.command)), 'brackets in a URL come with -g')
  t.same(shellExamples('```bash\ncurl a \\\n  -d x   # {"ok":true}\nnpm start\n```\n```ts\ncurl b\n```\n'), [{ command: 'curl a   -d x   # {"ok":true}', expected: { ok: true } }], 'the extraction rule')
})

t.test('the README\'s curl examples run in order against `vellum start` and leave what they describe', async (t) => {
  const readme = await readFile(join(root, 'README.md'), 'utf8')
  const examples = shellExamples(readme)
  const dir = await mkdtemp(join(tmpdir(), 'vellum-readme-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const project = join(dir, 'blog')
  await cp(join(root, 'examples', 'blog'), project, { recursive: true, filter: (source) => !source.includes('.vellum') })
  const port = await freePort()
  const database = usingPostgres() ? (await createPostgresDatabase(t)).url : ''
  const server = spawn(...plain(process.execPath, [join(root, 'bin', 'vellum.js'), 'start', '--dir', project]), {
    env: childEnv({ HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', DATABASE_URL: database }),
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let log = ''
  server.stdout.on('data', (chunk: Buffer) => { log += chunk.toString() })
  server.stderr.on('data', (chunk: Buffer) => { log += chunk.toString() })
  const exited = new Promise<void>((resolve) => server.on('exit', () => resolve()))
  t.teardown(async () => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM')
    await exited
  })

  const base = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 90_000
  let up = false
  while (!up && Date.now() < deadline && server.exitCode === null) {
    up = await fetch(`${base}/_health`).then(r => r.ok, () => false)
    if (!up) await new Promise(resolve => setTimeout(resolve, 100))
  }
  if (!up) return t.fail(`the server did not start: ${log}`)

  // One bash session: `curl` is wrapped to fail on anything but 2xx (as `curl -fsS` would, 3xx included) and to
  // note each status; every command's exit code and output land in files the test reads afterwards.
  const lines = [
    'set -o pipefail',
    `curl () {
  local body code
  body=$(mktemp)
  code=$(command curl -sS -o "$body" -w '%{http_code}' "$@") || { local failed=$?; rm -f "$body"; return $failed; }
  cat "$body"; rm -f "$body"
  printf '%s\\n' "$code" >> "$STEP.codes"
  case "$code" in 2??) return 0 ;; *) return 22 ;; esac
}`
  ]
  examples.forEach(({ command }, i) => {
    const local = command.replaceAll('localhost:1337', `127.0.0.1:${port}`)
    lines.push(`STEP=${JSON.stringify(join(dir, `step-${i}`))}`, `{ ${local}\n} > "$STEP.out"`, 'echo $? > "$STEP.exit"')
  })
  const script = join(dir, 'readme.sh')
  await writeFile(script, lines.join('\n') + '\n')
  const bash = spawn(...plain('bash', [script]), { cwd: dir, env: childEnv({}), stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  bash.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  t.equal(await new Promise<number | null>((resolve) => bash.on('exit', resolve)), 0, 'the script ran through')

  const outputs: string[] = []
  for (const [i, { command, expected }] of examples.entries()) {
    const step = join(dir, `step-${i}`)
    const exit = (await readFile(`${step}.exit`, 'utf8')).trim()
    const codes = (await readFile(`${step}.codes`, 'utf8').catch(() => '')).split('\n').filter(Boolean)
    const output = await readFile(`${step}.out`, 'utf8')
    outputs.push(output)
    t.equal(exit, '0', `exits 0: ${command}${exit === '0' ? '' : `\n${output}\n${stderr}`}`)
    t.ok(codes.length > 0 && codes.every(code => /^2\d\d$/.test(code)), `answers 2xx (${codes.join(', ')}): ${command}`)
    if (expected !== undefined) t.same(JSON.parse(output), expected, `prints what the README says: ${command}`)
  }

  // What the README describes: the article created in the category, found by the filtered list.
  const filtered = examples.findIndex(e => e.command.includes('filters[views][$gt]=10'))
  t.ok(filtered >= 0, 'the filter example is there')
  const found = JSON.parse(outputs[filtered] ?? '{}') as { data?: Array<{ title: string, views: number, category: { name: string } | null }> }
  t.match(found.data, [{ title: 'Hello', views: 42, category: { name: 'News' } }], 'the filter finds the article, its category populated')
  t.equal(found.data?.length, 1)
  const drafts = JSON.parse(outputs[filtered + 1] ?? '{}') as { data?: Array<{ title: string, seo: { metaTitle: string } | null }> }
  t.match(drafts.data, [{ title: 'Hello', seo: { metaTitle: 'Hi' } }], 'the draft, populated')
  // The v4 example prints the JSON block that follows it in the README, ids aside.
  const v4 = examples.findIndex(e => e.command.includes('Strapi-Response-Format: v4'))
  t.ok(v4 >= 0, 'the v4 example is there')
  const v4Answer = /Strapi-Response-Format: v4.*\n```\n+```json\n([\s\S]*?)```/.exec(readme)?.[1]
  t.same(withoutIds(JSON.parse(outputs[v4] ?? '{}')), withoutIds(JSON.parse(v4Answer ?? '{}')), 'the v4 answer is the README\'s')
  const categories = await (await fetch(`${base}/api/categories?populate=articles`)).json() as { data: Array<{ name: string, articles: Array<{ title: string }> }> }
  t.match(categories.data, [{ name: 'News', articles: [{ title: 'Hello' }] }], 'one category, holding the article')
  t.equal(categories.data.length, 1)
  if (usingPostgres()) {
    const sql = postgres(database, { max: 1, onnotice: () => {} })
    t.teardown(() => sql.end({ timeout: 1 }))
    const [row] = await sql<Array<{ n: number }>>`select count(*)::int as n from articles where title = 'Hello'`
    t.equal(row?.n, 2, 'the server wrote to the test\'s PostgreSQL database (draft and published rows)')
  }
})
