import type { User } from '../auth/index.js'
import { stringOption, type OptionSpec } from './args.js'
import { runSubcommands, type Command, type SubcommandInput } from './command.js'
import { CliError, UsageError } from './errors.js'
import { DIR_OPTION, PROJECT_ENVIRONMENT, withProjectApp } from './project.js'
import { table } from './table.js'

const HELP = 'vellum user --help'

const OPTIONS: readonly OptionSpec[] = [
  DIR_OPTION,
  { name: 'email', short: 'e', type: 'string', value: '<email>', description: 'create: the user\'s email' },
  { name: 'username', short: 'u', type: 'string', value: '<name>', description: 'create: the user\'s username' },
  { name: 'role', short: 'r', type: 'string', value: '<type>', default: 'authenticated', description: 'create: the role\'s type' }
]

function describe (user: User): string {
  return `${user.id} "${user.username ?? ''}" <${user.email ?? ''}> (${user.role?.type ?? 'no role'}${user.blocked ? ', blocked' : ''})`
}

/** `block <id>` / `unblock <id>`. */
async function setBlocked ({ context, dir, operand }: SubcommandInput, blocked: boolean): Promise<number> {
  const action = blocked ? 'block' : 'unblock'
  if (operand === undefined || !/^\d+$/.test(operand)) throw new UsageError(`user ${action} needs the user's id (see vellum user list)`, HELP)
  const userId = Number(operand)
  const changed = await withProjectApp(dir, context.env, async (vellum) => {
    if (await vellum.auth.users.get(userId) === undefined) throw new CliError(`no user ${userId}`)
    return await vellum.auth.users.block(userId, blocked)
  })
  context.stdout(`${blocked ? 'Blocked' : 'Unblocked'} user ${describe(changed)}\n`)
  return 0
}

/** The password piped on stdin: its first line, never an argument (it would stay in the shell's history and `ps`). */
function passwordOf (input: string): string {
  const password = input.split(/\r?\n/)[0] ?? ''
  if (password === '') throw new UsageError('user create reads the password from stdin: printf %s "$PASSWORD" | vellum user create ...', HELP)
  return password
}

export const user: Command = {
  name: 'user',
  summary: 'create, list and block Users & Permissions users',
  usage: 'vellum user create --email <email> --username <name> [--role <type>] | list | block <id> | unblock <id> [--dir <project>]',
  description: 'Works on the project\'s database (DATABASE_URL, or the embedded one when no server holds it). `create` reads\n' +
    'the password from stdin (its first line), never from an argument, and makes a confirmed user. `block` refuses the\n' +
    'user\'s JWTs: at once on a new login, within the cache window (usersPermissions.cacheTtlMs) on a running server.',
  options: OPTIONS,
  environment: [...PROJECT_ENVIRONMENT, ['JWT_SECRET', 'the secret JWTs are signed with (else usersPermissions.jwtSecret; generated into .vellum/ outside production)']],
  maxPositionals: 2,
  run: runSubcommands('user', {
    create: {
      async run ({ args, context, dir }) {
        const email = stringOption(args, 'email')
        const username = stringOption(args, 'username')
        if (email === undefined || username === undefined) throw new UsageError('user create needs --email and --username', HELP)
        const password = passwordOf(await context.stdin())
        const role = stringOption(args, 'role') ?? 'authenticated'
        const created = await withProjectApp(dir, context.env, async (vellum) => await vellum.auth.users.create({ email, username, password, role, confirmed: true }))
        context.stdout(`Created user ${describe(created)}\n`)
        return 0
      }
    },
    list: {
      async run ({ context, dir }) {
        const users = await withProjectApp(dir, context.env, async (vellum) => await vellum.auth.users.list({ limit: 10_000 }))
        context.stdout(table(['id', 'username', 'email', 'role', 'confirmed', 'blocked'], users.map(entry => [
          String(entry.id), entry.username ?? '', entry.email ?? '', entry.role?.type ?? '', String(entry.confirmed), String(entry.blocked)
        ])))
        return 0
      }
    },
    block: { takesOperand: true, run: async (input) => await setBlocked(input, true) },
    unblock: { takesOperand: true, run: async (input) => await setBlocked(input, false) }
  })
}
