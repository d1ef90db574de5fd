import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { stringOption } from './args.js'
import type { Command } from './command.js'
import { CliError, UsageError } from './errors.js'
import { KEY_OPTION, plural, progressPrinter, refuseEncryption } from './export.js'
import { DIR_OPTION, PROJECT_ENVIRONMENT, withProjectApp } from './project.js'

/**
 * `vellum import`: a Strapi 5 data-transfer archive (Strapi's or vellum's) into the project's database
 * (lib/transfer). It replaces the project's content, so it runs only with --force, as `strapi import` asks
 * first (and runs non-interactively with --force).
 */
export const importCommand: Command = {
  name: 'import',
  summary: 'replace the project\'s content with a Strapi 5 data-transfer archive\'s',
  usage: 'vellum import -f <file> --force [--dir <project>]',
  description: 'Reads an archive written by `strapi export --no-encrypt` or `vellum export` (.tar.gz or .tar). Its schemas\n' +
    'must match the project\'s (the differences are listed otherwise). Every entry of the project is deleted, then the\n' +
    'archive\'s entries (ids and documentIds kept), links and local files are written, in one transaction: on any\n' +
    'failure the database is left as it was. Strapi\'s internal types (admin, users & permissions, i18n locales…)\n' +
    'are left out. --force is required, as the project\'s content is replaced.',
  options: [
    DIR_OPTION,
    { name: 'file', short: 'f', type: 'string', value: '<file>', description: 'the archive to read' },
    { name: 'force', type: 'boolean', description: 'confirm that the project\'s content is to be replaced' },
    KEY_OPTION
  ],
  environment: PROJECT_ENVIRONMENT,
  async run (args, context) {
    refuseEncryption(args)
    const name = stringOption(args, 'file')
    if (name === undefined) throw new UsageError('import needs --file <archive>', 'vellum import --help')
    const file = resolve(name)
    if (file.endsWith('.enc')) throw new CliError(`${file} is encrypted: vellum reads unencrypted archives only (strapi export --no-encrypt)`)
    const stats = await stat(file).catch(() => undefined)
    if (stats === undefined || !stats.isFile()) throw new CliError(`archive ${file} does not exist`)
    if (args.options.force !== true) {
      throw new CliError('import deletes every entry of the project before writing the archive\'s: run it again with --force to proceed')
    }
    const report = await withProjectApp(stringOption(args, 'dir') ?? '.', context.env, async (vellum) => {
      const { importArchive } = await import('../transfer/index.js')
      return await importArchive(vellum, createReadStream(file), { onProgress: progressPrinter(context), onWarning: (message) => context.stderr(`vellum: warning: ${message}\n`) })
    })
    const skipped = report.skipped.entities + report.skipped.links > 0
      ? ` (left out: ${plural(report.skipped.entities, 'entry', 'entries')} of Strapi's internal types, ${plural(report.skipped.links, 'link')})`
      : ''
    context.stdout(`Imported ${plural(report.entities, 'entry', 'entries')}, ${plural(report.links, 'link')} and ${plural(report.assets, 'file')} from ${file}${skipped}\n`)
    return 0
  }
}
