import { runSubcommands, type Command } from './command.js'
import { DIR_OPTION, PROJECT_ENVIRONMENT, withProjectApp } from './project.js'
import { table } from './table.js'

export const role: Command = {
  name: 'role',
  summary: 'list Users & Permissions roles',
  usage: 'vellum role list [--dir <project>]',
  description: 'The roles in the project\'s database, with their users and actions (vellum permission list <role> shows the actions).',
  options: [DIR_OPTION],
  environment: PROJECT_ENVIRONMENT,
  maxPositionals: 1,
  run: runSubcommands('role', {
    list: {
      async run ({ context, dir }) {
        const rows = await withProjectApp(dir, context.env, async (vellum) => await Promise.all(
          (await vellum.auth.roles.list()).map(async (entry) => [
            String(entry.id), entry.type, entry.name, String(entry.nb_users), String((await vellum.auth.roles.actionsOf(entry.id)).length)
          ])
        ))
        context.stdout(table(['id', 'type', 'name', 'users', 'actions'], rows))
        return 0
      }
    }
  })
}
