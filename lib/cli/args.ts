import { UsageError } from './errors.js'

/** One option of a command, as parsed and as shown by `vellum help <command>`. */
export interface OptionSpec {
  /** Long name: `--dir`. */
  name: string
  short?: string
  type: 'string' | 'boolean'
  /** The value's placeholder in the help: `<project>`. */
  value?: string
  default?: string
  description: string
}

export interface ParsedArgs {
  /** Given values by long name; string options with a default always have one. */
  options: Record<string, string | boolean | undefined>
  positionals: string[]
}

/** `--help`/`-h`: every command has it. */
export const HELP_OPTION: OptionSpec = { name: 'help', short: 'h', type: 'boolean', description: 'show this help' }

/**
 * The one argument parser of every command: `--name value`, `--name=value`, `-n value`, boolean flags, `--` to
 * end the options. An unknown option, a missing value or a surplus argument is a UsageError naming it.
 */
export function parseArgs (argv: readonly string[], specs: readonly OptionSpec[], { maxPositionals = 0, help = 'vellum --help' } = {}): ParsedArgs {
  const byName = new Map(specs.map(spec => [spec.name, spec]))
  const byShort = new Map(specs.filter(spec => spec.short !== undefined).map(spec => [spec.short!, spec]))
  const options: ParsedArgs['options'] = {}
  for (const spec of specs) if (spec.default !== undefined) options[spec.name] = spec.default
  const positionals: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1))
      break
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg)
      continue
    }
    const long = arg.startsWith('--')
    const equals = arg.indexOf('=')
    const key = long ? arg.slice(2, equals === -1 ? undefined : equals) : arg.slice(1, equals === -1 ? undefined : equals)
    const spec = long ? byName.get(key) : byShort.get(key)
    const shown = equals === -1 ? arg : arg.slice(0, equals)
    if (spec === undefined) throw new UsageError(`unknown option ${shown}`, help)
    if (spec.type === 'boolean') {
      if (equals !== -1) throw new UsageError(`option ${shown} takes no value`, help)
      options[spec.name] = true
      continue
    }
    let value: string | undefined
    if (equals !== -1) {
      value = arg.slice(equals + 1)
    } else {
      const next = argv[i + 1]
      // `--dir --help` is a forgotten value, not a directory named "--help".
      if (next !== undefined && !(next.startsWith('-') && next !== '-')) {
        value = next
        i++
      }
    }
    if (value === undefined || value === '') throw new UsageError(`option ${shown} needs a value`, help)
    options[spec.name] = value
  }
  if (positionals.length > maxPositionals) throw new UsageError(`unexpected argument "${positionals[maxPositionals]!}"`, help)
  return { options, positionals }
}

/** A string option's value (parseArgs guarantees the type). */
export function stringOption (args: ParsedArgs, name: string): string | undefined {
  const value = args.options[name]
  return typeof value === 'string' ? value : undefined
}
