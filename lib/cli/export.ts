import { createWriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { OptionSpec, ParsedArgs } from './args.js'
import { stringOption } from './args.js'
import type { CliContext, Command } from './command.js'
import { CliError } from './errors.js'
import { DIR_OPTION, PROJECT_ENVIRONMENT, withProjectApp } from './project.js'
import type { TransferProgress } from '../transfer/index.js'

/** `--key`: Strapi's encryption key. vellum neither writes nor reads encrypted archives, and says so. */
export const KEY_OPTION: OptionSpec = { name: 'key', short: 'k', type: 'string', value: '<key>', description: 'refused: encrypted archives are not supported (Strapi: --no-encrypt)' }

export function refuseEncryption (args: ParsedArgs): void {
  if (stringOption(args, 'key') !== undefined) {
    throw new CliError('encrypted archives are not supported: vellum writes and reads unencrypted ones (strapi export --no-encrypt)')
  }
}

/** Progress on stderr, one line a second at most, so a long transfer shows it is moving and stdout stays the answer. */
export function progressPrinter (context: CliContext): (progress: TransferProgress) => void {
  let last = Date.now()
  return (progress) => {
    const now = Date.now()
    if (now - last < 1000) return
    last = now
    context.stderr(`${progress.stage}: ${progress.count}${progress.type === undefined ? '' : ` (${progress.type})`}\n`)
  }
}

export const plural = (count: number, word: string, words = `${word}s`): string => `${count} ${count === 1 ? word : words}`

/** `export_20260101120000`: Strapi's default base name. */
function defaultName (): string {
  return `export_${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}`
}

/**
 * `vellum export`: the project's content as a Strapi 5 data-transfer archive (lib/transfer). Written to a
 * temporary file renamed once complete, so a failed export leaves no half archive under the name asked for.
 */
export const exportCommand: Command = {
  name: 'export',
  summary: 'write the project\'s content to a Strapi 5 data-transfer archive',
  usage: 'vellum export [--dir <project>] [-f <file>] [--no-compress]',
  description: 'Writes every entry (drafts, published rows, locales, components), every relation and media link, the\n' +
    'schemas and the local provider\'s files as `strapi export --no-encrypt` does: <file>.tar.gz, or <file>.tar with\n' +
    '--no-compress (a name already ending in .tar or .tar.gz is kept). Prints the archive\'s path; progress on stderr.',
  options: [
    DIR_OPTION,
    { name: 'file', short: 'f', type: 'string', value: '<file>', description: 'the archive\'s name, without extension (default: export_<timestamp>)' },
    { name: 'no-compress', type: 'boolean', description: 'write a plain tar, not gzipped' },
    { name: 'no-encrypt', type: 'boolean', description: 'accepted for Strapi\'s command line: archives are never encrypted' },
    KEY_OPTION
  ],
  environment: PROJECT_ENVIRONMENT,
  async run (args, context) {
    refuseEncryption(args)
    const compress = args.options['no-compress'] !== true
    const base = stringOption(args, 'file') ?? defaultName()
    const file = resolve(/\.tar(\.gz)?$/.test(base) ? base : `${base}${compress ? '.tar.gz' : '.tar'}`)
    const partial = `${file}.${process.pid}.partial`
    const counts = await withProjectApp(stringOption(args, 'dir') ?? '.', context.env, async (vellum) => {
      const { exportArchive } = await import('../transfer/index.js')
      try {
        return await exportArchive(vellum, createWriteStream(partial), { compress, onProgress: progressPrinter(context), onWarning: (message) => context.stderr(`vellum: warning: ${message}\n`) })
      } catch (error) {
        await rm(partial, { force: true })
        throw error
      }
    })
    await rename(partial, file)
    context.stderr(`Exported ${plural(counts.entities, 'entry', 'entries')} and ${plural(counts.links, 'link')} of ${plural(counts.schemas, 'schema')}, with ${plural(counts.assets, 'file')}\n`)
    context.stdout(`Export archive is in ${file}\n`)
    return 0
  }
}
