/**
 * A child process as a user's shell would start it. tap's processinfo puts its loader into NODE_OPTIONS of every
 * process a test spawns, whatever environment the test passes (coverage bookkeeping this suite turns off; about a
 * second of CPU per node start): `env -u NODE_OPTIONS` drops it between the spawn and the program. Spread into
 * spawn() or execFile(): `spawn(...plain(process.execPath, [script]), options)`.
 */
export function plain (command: string, args: readonly string[]): [string, string[]] {
  return ['env', ['-u', 'NODE_OPTIONS', command, ...args]]
}
