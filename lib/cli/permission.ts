import { stringOption } from './args.js'
import type { Command } from './command.js'
import { CliError, UsageError } from './errors.js'
import { DIR_OPTION, PROJECT_ENVIRONMENT, withProjectApp } from './project.js'

const HELP = 'vellum permission --help'

export const permission: Command = {
  name: 'permission',
  summary: 'list, grant and revoke a role\'s actions',
  usage: 'vellum permission list <role> | grant <role> <a,b> | revoke <role> <a,b> [--dir <project>]',
  description: 'A role by its type (public, authenticated, ...); actions by name, comma-separated\n' +
    '(api::article.article.find, plugin::users-permissions.user.me). A role declared in the options\' `permissions` is\n' +
    'owned by them: the next start writes it back, so change it there instead. A running server applies a change\n' +
    'within its cache window (usersPermissions.cacheTtlMs).',
  options: [DIR_OPTION],
  environment: PROJECT_ENVIRONMENT,
  maxPositionals: 3,
  async run (args, context) {
    const [action, roleName, list] = args.positionals
    const dir = stringOption(args, 'dir') ?? '.'
    if (action !== 'list' && action !== 'grant' && action !== 'revoke') {
      throw new UsageError(action === undefined ? 'permission needs list, grant or revoke' : `unknown permission command "${action}"`, HELP)
    }
    if (roleName === undefined) throw new UsageError(`permission ${action} needs a role`, HELP)
    if (action === 'list' && list !== undefined) throw new UsageError(`unexpected argument "${list}"`, HELP)
    const actions = list?.split(',').map(name => name.trim()).filter(name => name !== '') ?? []
    if (action !== 'list' && actions.length === 0) throw new UsageError(`permission ${action} needs the actions, comma-separated`, HELP)
    const { current, declared } = await withProjectApp(dir, context.env, async (vellum) => {
      if (await vellum.auth.roles.get(roleName) === undefined) throw new CliError(`no role "${roleName}" (see vellum role list)`)
      if (action === 'grant') await vellum.auth.roles.grant(roleName, actions)
      if (action === 'revoke') await vellum.auth.roles.revoke(roleName, actions)
      return { current: await vellum.auth.roles.actionsOf(roleName), declared: roleName in vellum.config.permissions }
    })
    if (action !== 'list' && declared) context.stderr(`vellum: the role "${roleName}" is declared in the options' permissions: the next start writes them back\n`)
    context.stdout(current.length === 0 ? '' : `${[...current].sort().join('\n')}\n`)
    return 0
  }
}
