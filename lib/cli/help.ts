import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { HELP_OPTION, type OptionSpec } from './args.js'
import type { Command } from './command.js'
import { packageRoot } from './package.js'

/** The package's version, from its package.json. */
export function packageVersion (): string {
  const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown }
  return typeof manifest.version === 'string' ? manifest.version : 'unknown'
}

function optionLabel (option: OptionSpec): string {
  const names = option.short === undefined ? `--${option.name}` : `-${option.short}, --${option.name}`
  return option.value === undefined ? names : `${names} ${option.value}`
}

function optionText (option: OptionSpec): string {
  return option.default === undefined ? option.description : `${option.description} (default: ${option.default})`
}

/** Aligned two-column rows. */
function table (rows: ReadonlyArray<readonly [string, string]>, indent: string): string {
  const width = Math.max(...rows.map(([left]) => left.length))
  return rows.map(([left, right]) => `${indent}${left.padEnd(width)}   ${right}`).join('\n')
}

/** `vellum --help`: every command with its options. */
export function mainHelp (commands: readonly Command[]): string {
  const rows: Array<readonly [string, string]> = []
  for (const command of commands) {
    rows.push([command.name, command.summary])
    for (const option of command.options) rows.push([`  ${optionLabel(option)}`, optionText(option)])
  }
  rows.push(['help [<command>]', 'show this help, or one command\'s'])
  const environment = [...new Set(commands.flatMap(command => (command.environment ?? []).map(([name]) => name)))]
  return `vellum ${packageVersion()}: a Strapi-v5-compatible headless CMS backend on Fastify

Usage: vellum <command> [options]

Commands:
${table(rows, '  ')}

Options:
${table([[optionLabel(HELP_OPTION), 'show this help'], ['-v, --version', 'print the version']], '  ')}
${environment.length === 0 ? '' : `\nEnvironment: ${environment.join(', ')} (see vellum help <command>)\n`}`
}

/** `vellum help <command>` and `vellum <command> --help`. */
export function commandHelp (command: Command): string {
  const options = [...command.options, HELP_OPTION].map(option => [optionLabel(option), optionText(option)] as const)
  const environment = command.environment ?? []
  return `Usage: ${command.usage}

${command.summary[0]!.toUpperCase()}${command.summary.slice(1)}.
${command.description === undefined ? '' : `\n${command.description}\n`}
Options:
${table(options, '  ')}
${environment.length === 0 ? '' : `\nEnvironment:\n${table(environment, '  ')}\n`}`
}
