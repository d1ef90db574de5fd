import t from 'tap'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { callCli, cliEnv, root, runCli, tempProject } from './helpers.js'

const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string }

// The installed bin is run as a process where its exit status and streams are the point (--version, a bad
// argument, no command); the texts of every other case come from the same entry point, called in this process.

t.test('--version and -v print the package version', async (t) => {
  const env = await cliEnv(t)
  const bin = await runCli(['--version'], env)
  t.same(bin, { code: 0, stdout: `${version}\n`, stderr: '' }, 'the bin prints it on stdout and exits 0')
  t.same(await callCli(['-v'], env), bin, '-v is the same')
})

t.test('--help and `help` list every command with its options', async (t) => {
  const env = await cliEnv(t)
  const variants = [['--help'], ['-h'], ['help']]
  const results = await Promise.all(variants.map(async args => await callCli(args, env)))
  for (const [i, args] of variants.entries()) {
    const result = results[i]!
    t.equal(result.code, 0, args.join(' '))
    t.match(result.stdout, /^Usage: vellum <command> \[options\]$/m)
    t.match(result.stdout, /^ {2}start +serve a Strapi-layout project$/m, 'start is listed')
    t.match(result.stdout, /^ {2}develop +serve a project and restart it when its files change$/m, 'develop is listed')
    t.match(result.stdout, /^ {2}token +create, list and revoke API tokens$/m, 'token is listed')
    t.match(result.stdout, /^ {2}user +create, list and block Users & Permissions users$/m, 'user is listed')
    t.match(result.stdout, /^ {2}role +list Users & Permissions roles$/m, 'role is listed')
    t.match(result.stdout, /^ {2}permission +list, grant and revoke a role's actions$/m, 'permission is listed')
    t.match(result.stdout, /^ {2}media +list and remove media library files linked to no entry$/m, 'media is listed')
    t.match(result.stdout, /^ {2}export +write the project's content to a Strapi 5 data-transfer archive$/m, 'export is listed')
    t.match(result.stdout, /^ {2}import +replace the project's content with a Strapi 5 data-transfer archive's$/m, 'import is listed')
    t.equal(result.stdout.match(/-d, --dir <project> +the Strapi-layout project directory \(default: \.\)/g)?.length, 9, 'each command with its --dir option')
    t.match(result.stdout, /-v, --version/)
    t.match(result.stdout, /Environment: HOST, PORT, DATABASE_URL, LOG_LEVEL, LOG_PRETTY/)
  }
})

t.test('`help <command>` and `<command> --help` show one command with its options and environment', async (t) => {
  const env = await cliEnv(t)
  for (const command of ['start', 'develop']) {
    const result = await callCli(['help', command], env)
    t.equal(result.code, 0)
    t.match(result.stdout, new RegExp(`^Usage: vellum ${command} \\[--dir <project>\\]$`, 'm'))
    t.match(result.stdout, /-d, --dir <project>/)
    t.match(result.stdout, /-h, --help/)
    for (const name of ['HOST', 'PORT', 'DATABASE_URL', 'LOG_LEVEL', 'LOG_PRETTY']) t.match(result.stdout, new RegExp(`^ {2}${name} +\\S`, 'm'), name)
    const flag = await callCli([command, '--help'], env)
    t.equal(flag.code, 0)
    t.equal(flag.stdout, result.stdout, `${command} --help is the same text`)
  }
  t.match((await callCli(['help', 'develop'], env)).stdout, /restarts it when a file under the project's src\/ or/)
})

t.test('bad arguments: one line on stderr pointing at the help, exit code 2', async (t) => {
  const env = await cliEnv(t)
  const cases: Array<[string[], string]> = [
    [['serve'], 'vellum: unknown command "serve" (see vellum --help)\n'],
    [['--verbose'], 'vellum: unknown option --verbose (see vellum --help)\n'],
    [['help', 'serve'], 'vellum: unknown command "serve" (see vellum --help)\n'],
    [['start', '--port', '3000'], 'vellum: unknown option --port (see vellum start --help)\n'],
    [['start', '-x'], 'vellum: unknown option -x (see vellum start --help)\n'],
    [['start', '--dir'], 'vellum: option --dir needs a value (see vellum start --help)\n'],
    [['start', '--dir', '--help'], 'vellum: option --dir needs a value (see vellum start --help)\n'],
    [['start', '--dir='], 'vellum: option --dir needs a value (see vellum start --help)\n'],
    [['start', '--help=yes'], 'vellum: option --help takes no value (see vellum start --help)\n'],
    [['develop', 'blog'], 'vellum: unexpected argument "blog" (see vellum develop --help)\n'],
    [['--version', 'now'], 'vellum: unexpected argument "now" (see vellum --help)\n']
  ]
  const results = await Promise.all(cases.map(async ([args], i) => i === 0 ? await runCli(args, env) : await callCli(args, env)))
  for (const [i, [args, stderr]] of cases.entries()) {
    const result = results[i]!
    t.equal(result.code, 2, `${args.join(' ')}: exit code 2`)
    t.equal(result.stderr, stderr, `${args.join(' ')}: one line`)
    t.equal(result.stdout, '')
  }
})

t.test('no command prints the help on stderr with exit code 2', async (t) => {
  const result = await runCli([], await cliEnv(t))
  t.equal(result.code, 2)
  t.match(result.stderr, /^Usage: vellum <command> \[options\]$/m)
  t.equal(result.stdout, '')
})

t.test('a wrong PORT or LOG_LEVEL is one `vellum:` line with exit code 1, for start and develop', async (t) => {
  const dir = await tempProject(t, {})
  for (const command of ['start', 'develop']) {
    const port = await callCli([command, '--dir', dir], await cliEnv(t, { PORT: 'eighty' }))
    t.equal(port.code, 1)
    t.equal(port.stderr, 'vellum: PORT must be a port number, got "eighty"\n')
    const level = await callCli([command, '--dir', dir], await cliEnv(t, { LOG_LEVEL: 'verbose' }))
    t.equal(level.code, 1)
    t.equal(level.stderr, 'vellum: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"\n')
  }
})
