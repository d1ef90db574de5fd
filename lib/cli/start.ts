import closeWithGrace from 'close-with-grace'
import type { ServerConfig } from '../server.js'
import { stringOption } from './args.js'
import type { Command } from './command.js'
import { CliError } from './errors.js'
import { DIR_OPTION, openProject, PROJECT_ENVIRONMENT } from './project.js'

/** What a failed listen means for the user, in one line; undefined for the unexpected. */
function listenProblem (error: unknown, config: ServerConfig): string | undefined {
  const address = `${config.host}:${config.port}`
  switch ((error as NodeJS.ErrnoException).code) {
    case 'EADDRINUSE': return `cannot listen on ${address}: the port is already in use (stop the other process, or set PORT to another port)`
    case 'EACCES': return `cannot listen on ${address}: permission denied (set PORT to a port above 1023)`
    case 'EADDRNOTAVAIL': return `cannot listen on ${address}: ${config.host} is not an address of this machine (set HOST, e.g. 0.0.0.0 or 127.0.0.1)`
    case 'ENOTFOUND': case 'EAI_AGAIN': return `cannot listen on ${address}: unknown host ${config.host} (set HOST)`
    default: return undefined
  }
}

export const start: Command = {
  name: 'start',
  summary: 'serve a Strapi-layout project',
  usage: 'vellum start [--dir <project>]',
  description: 'Serves the project\'s content types (src/api/*/content-types/*/schema.json, src/components/*/*.json) and\n' +
    'code (routes, controllers, services, policies, middlewares, config/middlewares) with the plugin options of an\n' +
    'optional vellum.config.(json|js|ts). TypeScript project files load through tsx. SIGINT/SIGTERM close the\n' +
    'server and the database gracefully.',
  options: [DIR_OPTION],
  environment: PROJECT_ENVIRONMENT,
  async run (args, context) {
    const project = await openProject(stringOption(args, 'dir') ?? '.')
    // The server (Fastify, drizzle, the drivers) loads only for the commands that serve: `--help` stays instant.
    const { buildServer, listen, loadServerConfig } = await import('../server.js')
    const config = await loadServerConfig(project.dir, context.env)
    const app = await buildServer(config)
    if (project.typescript) app.log.debug('project TypeScript files load through tsx')
    // Under `vellum develop` (an IPC channel to the parent): the parent alone stops this process, on SIGTERM
    // or when the channel closes (the parent died); a terminal's Ctrl-C reaches both and is left to the parent.
    const supervised = process.send !== undefined
    const graceful = closeWithGrace({ delay: 10_000, logger: app.log, ...(supervised && { skip: ['SIGINT' as const] }) }, async ({ signal, err }) => {
      if (err !== undefined) app.log.error({ err }, 'shutting down after an error')
      else app.log.info({ signal }, 'shutting down')
      await app.close()
    })
    if (supervised) {
      process.on('SIGINT', () => {})
      process.once('disconnect', () => { graceful.close() })
    }
    try {
      await app.ready()
      await listen(app, config)
    } catch (error) {
      graceful.uninstall()
      await app.close().catch(() => {})
      const problem = listenProblem(error, config)
      throw problem === undefined ? error : new CliError(problem, { cause: error })
    }
    return undefined
  }
}
