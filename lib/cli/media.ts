import { runSubcommands, type Command } from './command.js'
import { DIR_OPTION, PROJECT_ENVIRONMENT, withProjectApp } from './project.js'
import { table } from './table.js'

/**
 * `vellum media prune`: files no entry links to, listed, then removed (rows and stored objects, each with its
 * `media.delete` event) unless `--dry-run`. Deleting an entry leaves its files in the library, as in Strapi.
 */
export const media: Command = {
  name: 'media',
  summary: 'list and remove media library files linked to no entry',
  usage: 'vellum media prune [--dry-run] [--dir <project>]',
  description: 'Works on the project\'s database (DATABASE_URL, or the embedded one when no server holds it) and its upload\n' +
    'provider (upload in vellum.config). A file is linked when any entry, component or zone holds it in a media field.\n' +
    'Prints the files, then removes them; with --dry-run only prints them.',
  options: [DIR_OPTION, { name: 'dry-run', short: 'n', type: 'boolean', description: 'prune: list the files, remove nothing' }],
  environment: PROJECT_ENVIRONMENT,
  maxPositionals: 1,
  run: runSubcommands('media', {
    prune: {
      async run ({ args, context, dir }) {
        const dryRun = args.options['dry-run'] === true
        const pruned = await withProjectApp(dir, context.env, async (vellum) => {
          const files = await vellum.media.unlinked()
          if (!dryRun) for (const file of files) await vellum.media.remove(file)
          return files
        })
        if (pruned.length > 0) {
          context.stdout(table(['id', 'name', 'url', 'size (KB)'], pruned.map(file => [String(file.id), String(file.name), file.url, String(file.size)])))
        }
        const count = `${pruned.length} unlinked file${pruned.length === 1 ? '' : 's'}`
        context.stdout(dryRun ? `${count} would be removed (dry run: nothing removed)\n` : `Removed ${count}\n`)
        return 0
      }
    }
  })
}
