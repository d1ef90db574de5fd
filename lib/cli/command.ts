import type { OptionSpec, ParsedArgs } from './args.js'

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
