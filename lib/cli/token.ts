import type { ApiToken, ApiTokenType } from '../auth/index.js'
import { stringOption, type OptionSpec } from './args.js'
import { runSubcommands, type Command } from './command.js'
import { CliError, UsageError } from './errors.js'
import { DIR_OPTION, PROJECT_ENVIRONMENT, withProjectApp } from './project.js'
import { table } from './table.js'

const HELP = 'vellum token --help'
const DAY = 86_400_000
const LIFESPANS: Record<string, number | null> = { 7: 7 * DAY, 30: 30 * DAY, 90: 90 * DAY, unlimited: null }

const OPTIONS: readonly OptionSpec[] = [
  DIR_OPTION,
  { name: 'name', short: 'n', type: 'string', value: '<name>', description: 'create: the token\'s name (unique)' },
  { name: 'type', short: 't', type: 'string', value: '<type>', description: 'create: full-access, read-only or custom' },
  { name: 'actions', short: 'a', type: 'string', value: '<a,b>', description: 'create: a custom token\'s actions, comma-separated (api::article.article.find,...)' },
  { name: 'lifespan', short: 'l', type: 'string', value: '<days>', default: 'unlimited', description: 'create: 7, 30, 90 or unlimited' },
  { name: 'description', type: 'string', value: '<text>', description: 'create: a description' }
]

function describe (token: ApiToken): string {
  return `${token.id} "${token.name}" (${token.type}${token.expiresAt === null ? '' : `, expires ${token.expiresAt}`})`
}

/** One aligned row per token. */
function tokenTable (tokens: readonly ApiToken[]): string {
  return table(['id', 'name', 'type', 'expires', 'last used', 'actions'], tokens.map(token => [
    String(token.id), token.name, token.type, token.expiresAt ?? 'never', token.lastUsedAt ?? 'never', token.permissions.join(',')
  ]))
}

export const token: Command = {
  name: 'token',
  summary: 'create, list and revoke API tokens',
  usage: 'vellum token create --name <name> --type <type> [--actions <a,b>] [--lifespan <days>] | list | revoke <id> [--dir <project>]',
  description: 'Works on the project\'s database (DATABASE_URL, or the embedded one when no server holds it). `create` prints\n' +
    'the key on stdout, once: it is stored only as a hash. `revoke` deletes the token; a running server stops accepting\n' +
    'it within its cache window (apiToken.cacheTtlMs, 5 s by default).',
  options: OPTIONS,
  environment: [...PROJECT_ENVIRONMENT, ['API_TOKEN_SALT', 'the salt keys are hashed with (else the apiToken.salt option; generated into .vellum/ outside production)']],
  maxPositionals: 2,
  run: runSubcommands('token', {
    create: {
      async run ({ args, context, dir }) {
        const name = stringOption(args, 'name')
        const type = stringOption(args, 'type')
        if (name === undefined || type === undefined) throw new UsageError('token create needs --name and --type', HELP)
        const lifespanText = stringOption(args, 'lifespan') ?? 'unlimited'
        const lifespan = LIFESPANS[lifespanText]
        if (lifespan === undefined) throw new UsageError(`--lifespan must be 7, 30, 90 or unlimited, got "${lifespanText}"`, HELP)
        const actions = stringOption(args, 'actions')?.split(',').map(a => a.trim()).filter(a => a !== '') ?? []
        const description = stringOption(args, 'description')
        const created = await withProjectApp(dir, context.env, async (vellum) => await vellum.auth.tokens.create({
          name, type: type as ApiTokenType, permissions: actions, lifespan, ...(description !== undefined && { description })
        }))
        context.stderr(`Created API token ${describe(created)}. Copy the key now: it is not shown again.\n`)
        context.stdout(`${created.accessKey}\n`)
        return 0
      }
    },
    list: {
      async run ({ context, dir }) {
        context.stdout(tokenTable(await withProjectApp(dir, context.env, async (vellum) => await vellum.auth.tokens.list())))
        return 0
      }
    },
    revoke: {
      takesOperand: true,
      async run ({ context, dir, operand: id }) {
        if (id === undefined || !/^\d+$/.test(id)) throw new UsageError('token revoke needs the token\'s id (see vellum token list)', HELP)
        const revoked = await withProjectApp(dir, context.env, async (vellum) => await vellum.auth.tokens.revoke(Number(id)))
        if (revoked === undefined) throw new CliError(`no API token ${id}`)
        context.stdout(`Revoked API token ${describe(revoked)}\n`)
        return 0
      }
    }
  })
}
