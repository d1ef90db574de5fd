import { stringOption, type OptionSpec, type ParsedArgs } from './args.js'
import { UsageError } from './errors.js'

/** What a command may touch of the process: its environment, its two output streams and its input. */
export interface CliContext {
  env: NodeJS.ProcessEnv
  stdout: (text: string) => void
  stderr: (text: string) => void
  /** Everything piped on standard input (a password is read from there, never from the command line). */
  stdin: () => Promise<string>
}

/**
 * One command of `vellum`: one file in lib/cli/ exports one of these, and index.ts lists it. The help is built
 * from the same fields the parser uses, so the two cannot drift apart.
 */
export interface Command {
  name: string
  /** One line, shown in `vellum --help`. */
  summary: string
  /** `vellum start [--dir <project>]` */
  usage: string
  /** Paragraphs shown by `vellum help <command>`. */
  description?: string
  options: readonly OptionSpec[]
  /** Environment variables the command reads: [name, meaning]. */
  environment?: ReadonlyArray<readonly [string, string]>
  /** Positional arguments allowed after the command name (default none). */
  maxPositionals?: number
  /** Resolves to the exit code, or to undefined while the command keeps running (a server). */
  run: (args: ParsedArgs, context: CliContext) => Promise<number | undefined>
}

/** What one subcommand (`token create`, `user block 3`) is given: the project folder and the argument after its name. */
export interface SubcommandInput { args: ParsedArgs, context: CliContext, dir: string, operand: string | undefined }

export interface Subcommand {
  /** Whether an argument may follow the subcommand's name (the subcommand checks it); refused when not. */
  takesOperand?: boolean
  run: (input: SubcommandInput) => Promise<number>
}

/** `a`, `a or b`, `a, b or c` */
function alternatives (names: readonly string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names.at(-1) ?? ''}`
}

/**
 * The `run` of a command whose first argument names what to do (`vellum token create`): the usage errors for a
 * missing or unknown subcommand and for an argument a subcommand does not take are said here, once for all.
 */
export function runSubcommands (name: string, subcommands: Readonly<Record<string, Subcommand>>): Command['run'] {
  const help = `vellum ${name} --help`
  return async (args, context) => {
    const [action, operand] = args.positionals
    const subcommand = action !== undefined && Object.hasOwn(subcommands, action) ? subcommands[action] : undefined
    if (subcommand === undefined) {
      throw new UsageError(action === undefined ? `${name} needs ${alternatives(Object.keys(subcommands))}` : `unknown ${name} command "${action}"`, help)
    }
    if (subcommand.takesOperand !== true && operand !== undefined) throw new UsageError(`unexpected argument "${operand}"`, help)
    return await subcommand.run({ args, context, dir: stringOption(args, 'dir') ?? '.', operand })
  }
}
