/**
 * `vellum export` and `vellum import` through the built bin, as the README writes them: Strapi's archive
 * imported into one project, exported, and imported into another, which then serves the same entries; the
 * refusals (no --force, --key, an encrypted file, a missing archive) are one line with exit code 1 or 2.
 */
import t from 'tap'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { callCli, cliEnv, runCli } from '../cli/helpers.js'
import { referenceProject, strapiArchive } from './helpers.js'
import { fromRoot } from '../helpers/paths.js'

// The README's two commands, as written there (npx vellum is bin/vellum.js).
const readme = await readFile(fromRoot('README.md'), 'utf8')
const [exportArgs, importArgs] = [...readme.matchAll(/^npx vellum ((?:export|import) .*?)\s*(?:#.*)?$/gm)].map(match => match[1]!.split(' '))

// Several CLI runs, each opening a project's database.
t.setTimeout(600_000)

/** The project's flags with `./my-strapi-project` (the README's) pointed at `dir`. */
const at = (args: string[], dir: string): string[] => args.map(arg => arg === './my-strapi-project' ? dir : arg)

t.test('the README\'s commands: Strapi\'s archive in, vellum\'s archive out and into another project', async (t) => {
  t.same(exportArgs, ['export', '--dir', './my-strapi-project', '-f', 'backup'], 'the README\'s export')
  t.same(importArgs, ['import', '--dir', './my-strapi-project', '-f', 'backup.tar.gz', '--force'], 'the README\'s import')
  const first = await referenceProject(t)
  const env = await cliEnv(t, { LOG_LEVEL: 'silent' })
  const fromStrapi = await runCli(['import', '--dir', first, '-f', strapiArchive, '--force'], env)
  t.equal(fromStrapi.code, 0, fromStrapi.stderr)
  t.equal(fromStrapi.stdout, `Imported 18 entries, 18 links and 1 file from ${strapiArchive} (left out: 40 entries of Strapi's internal types, 94 links)\n`)
  t.match(fromStrapi.stderr, /^vellum: warning: left out \(not part of the project's content model\): plugin::i18n\.locale, /m)
  t.match(fromStrapi.stderr, /^vellum: warning: entries in locale fr were imported, but the project's i18n\.locales \(en\) lacks it/m)

  const exported = await runCli(at(exportArgs!, first), { ...env })
  t.equal(exported.code, 0, exported.stderr)
  // Relative to the command's working directory, as a user's shell would.
  const archive = join(process.cwd(), 'backup.tar.gz')
  t.teardown(async () => { const { rm } = await import('node:fs/promises'); await rm(archive, { force: true }) })
  t.equal(exported.stdout, `Export archive is in ${archive}\n`)
  t.match(exported.stderr, /^Exported 18 entries and 18 links of 10 schemas, with 1 file\n$/m)

  const second = await referenceProject(t)
  const secondEnv = await cliEnv(t, { LOG_LEVEL: 'silent' })
  const refused = await runCli(at(importArgs!, second).filter(arg => arg !== '--force'), secondEnv)
  t.equal(refused.code, 1)
  t.equal(refused.stderr, 'vellum: import deletes every entry of the project before writing the archive\'s: run it again with --force to proceed\n')
  const imported = await runCli(at(importArgs!, second), secondEnv)
  t.equal(imported.code, 0, imported.stderr)
  t.equal(imported.stdout, `Imported 18 entries, 18 links and 1 file from ${archive}\n`)
  t.same(await readdir(join(second, 'public', 'uploads')), ['hello_8af39c7bd0.txt'])
})

t.test('refusals: encryption, a missing archive, no --file', async (t) => {
  const env = await cliEnv(t, { LOG_LEVEL: 'silent' })
  const dir = await referenceProject(t)
  const cases: Array<[string[], number, string]> = [
    [['export', '--dir', dir, '--key', 'secret'], 1, 'vellum: encrypted archives are not supported: vellum writes and reads unencrypted ones (strapi export --no-encrypt)\n'],
    [['import', '--dir', dir, '-f', 'x.tar.gz.enc', '--force'], 1, `vellum: ${join(process.cwd(), 'x.tar.gz.enc')} is encrypted: vellum reads unencrypted archives only (strapi export --no-encrypt)\n`],
    [['import', '--dir', dir, '-f', 'missing.tar.gz', '--force'], 1, `vellum: archive ${join(process.cwd(), 'missing.tar.gz')} does not exist\n`],
    [['import', '--dir', dir, '--force'], 2, 'vellum: import needs --file <archive> (see vellum import --help)\n']
  ]
  const results = await Promise.all(cases.map(async ([args]) => await callCli(args, env)))
  for (const [i, [args, code, stderr]] of cases.entries()) {
    t.equal(results[i]!.code, code, args.join(' '))
    t.equal(results[i]!.stderr, stderr, args.join(' '))
  }
  const help = await callCli(['help', 'import'], env)
  t.match(help.stdout, /^Usage: vellum import -f <file> --force \[--dir <project>\]$/m)
})
