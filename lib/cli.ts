import { parseArgs } from 'node:util'
import closeWithGrace from 'close-with-grace'
import { buildServer, configFromEnv } from './server.js'

const USAGE = `Usage: vellum start [--dir <project>]

Serves a Strapi-layout project directory (src/api/*/content-types/*/schema.json, src/components/*/*.json).
Environment: HOST (0.0.0.0), PORT (1337), DATABASE_URL (PostgreSQL; embedded PGlite in <dir>/.vellum/data
when unset), LOG_LEVEL (info). Plugin options come from an optional vellum.config.(json|js|ts) in <dir>.
`

export async function main (argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { dir: { type: 'string', short: 'd', default: '.' }, help: { type: 'boolean', short: 'h' } }
  })
  if (values.help === true || positionals[0] !== 'start') {
    process.stderr.write(USAGE)
    return values.help === true ? 0 : 1
  }
  const config = configFromEnv(values.dir)
  const app = await buildServer(config)
  closeWithGrace({ delay: 10000 }, async ({ signal, err }) => {
    if (err !== undefined) app.log.error({ err }, 'shutting down after an error')
    else app.log.info({ signal }, 'shutting down')
    await app.close()
  })
  await app.listen({ host: config.host, port: config.port })
  return 0
}
