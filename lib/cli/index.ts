import { HELP_OPTION, parseArgs } from './args.js'
import type { CliContext, Command } from './command.js'
import { develop } from './develop.js'
import { exportCommand } from './export.js'
import { importCommand } from './import.js'
import { reportError, UsageError } from './errors.js'
import { commandHelp, mainHelp, packageVersion } from './help.js'
import { media } from './media.js'
import { start } from './start.js'
import { permission } from './permission.js'
import { role } from './role.js'
import { token } from './token.js'
import { user } from './user.js'

export type { CliContext, Command } from './command.js'

/** Every command, in the order `vellum --help` lists them: a new command is one file and one entry here. */
export const COMMANDS: readonly Command[] = [start, develop, token, user, role, permission, media, exportCommand, importCommand]

function findCommand (name: string, commands: readonly Command[]): Command {
  const command = commands.find(candidate => candidate.name === name)
  if (command === undefined) throw new UsageError(`unknown command "${name}"`)
  return command
}

async function dispatch (argv: readonly string[], context: CliContext, commands: readonly Command[]): Promise<number | undefined> {
  const [first, ...rest] = argv
  if (first === undefined) {
    context.stderr(mainHelp(commands))
    return 2
  }
  if (first === '--version' || first === '-v') {
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]!}"`)
    context.stdout(`${packageVersion()}\n`)
    return 0
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    const { positionals } = parseArgs(rest, [], { maxPositionals: 1 })
    context.stdout(positionals[0] === undefined ? mainHelp(commands) : commandHelp(findCommand(positionals[0], commands)))
    return 0
  }
  if (first.startsWith('-')) throw new UsageError(`unknown option ${first}`)
  const command = findCommand(first, commands)
  const args = parseArgs(rest, [...command.options, HELP_OPTION], { maxPositionals: command.maxPositionals ?? 0, help: `vellum ${command.name} --help` })
  if (args.options.help === true) {
    context.stdout(commandHelp(command))
    return 0
  }
  return await command.run(args, context)
}

/** Standard input to its end; nothing when it is a terminal (a command that needs input says how to pipe it). */
async function readStdin (): Promise<string> {
  if (process.stdin.isTTY) return ''
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/**
 * `vellum <command> [options]`. Resolves to the exit code (2 for bad arguments, 1 for a failure), or to undefined
 * while a command keeps running (the server). Expected errors are one `vellum: <message>` line on stderr.
 */
export async function main (argv: readonly string[], context: CliContext = {
  env: process.env,
  stdout: (text) => { process.stdout.write(text) },
  stderr: (text) => { process.stderr.write(text) },
  stdin: readStdin
}, commands: readonly Command[] = COMMANDS): Promise<number | undefined> {
  try {
    return await dispatch(argv, context, commands)
  } catch (error) {
    return reportError(error, context.stderr)
  }
}
