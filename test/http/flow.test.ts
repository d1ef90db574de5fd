import t, { type Test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import vellum, { createCoreController, createCoreRouter, createCoreService, defineContentType, type RequestContext } from '../../lib/index.js'
import { buildApp } from '../helpers/app.js'
import { createTestDatabase, databaseOption } from '../helpers/db.js'

/**
 * The request flow of the seeds (Strapi's back-end customization page): global middlewares → route policies →
 * route middlewares → controller → service → Document Service (its middlewares) → Query Engine (lifecycles)
 * → database, and back out through the route and global middlewares. Every step records itself here.
 */

const uid = 'api::note.note'
const note = defineContentType({
  uid,
  kind: 'collectionType',
  info: { singularName: 'note', pluralName: 'notes', displayName: 'Note' },
  options: { draftAndPublish: false },
  attributes: { title: { type: 'string' } }
})

/** Switches a test flips to make one stage answer without going further. */
interface Switches { stop?: 'global' | 'policy' | 'route' | 'controller' | 'service' | 'document' | 'lifecycle' | 'none' }

async function buildFlowApp (t: Test, steps: string[], wanted: Switches): Promise<{ app: FastifyInstance, documentId: string }> {
  // Armed once the setup's own writes are done (a create re-reads its row, which runs FindOne hooks too).
  const switches: Switches = {}
  const record = (step: string) => { steps.push(step) }
  const app = await buildApp(t, {
    contentTypes: [note],
    permissions: { public: '*' },
    middlewares: ['strapi::errors', 'global::flow'],
    middlewareFactories: {
      flow: () => async (ctx: RequestContext, next: () => Promise<void>) => {
        record('global middleware in')
        if (switches.stop === 'global') { ctx.body = { stoppedAt: 'global' }; return }
        await next()
        record('global middleware out')
      }
    },
    routes: [createCoreRouter(uid, {
      config: {
        findOne: {
          policies: [() => { record('policy'); return switches.stop !== 'policy' }],
          middlewares: [async (ctx: RequestContext, next: () => Promise<void>) => {
            record('route middleware in')
            if (switches.stop === 'route') { ctx.body = { stoppedAt: 'route' }; return }
            await next()
            record('route middleware out')
          }]
        }
      }
    })],
    controllers: [createCoreController(uid, () => ({
      async findOne (ctx: RequestContext) {
        record('controller in')
        if (switches.stop === 'controller') return { stoppedAt: 'controller' }
        const response = await super.findOne(ctx)
        record('controller out')
        return response
      }
    }))],
    services: [createCoreService(uid, () => ({
      async findOne (documentId: string, params: Record<string, unknown>) {
        record('service in')
        if (switches.stop === 'service') return { id: 0, documentId, title: 'from the service' }
        const entry = await super.findOne(documentId, params)
        record('service out')
        return entry
      }
    }))],
    register ({ vellum }) {
      vellum.documents.use(async (ctx, next) => {
        if (ctx.action !== 'findOne') return await next()
        record('document middleware in')
        if (switches.stop === 'document') return { id: 0, documentId: 'x', title: 'from a document middleware' }
        const result = await next()
        record('document middleware out')
        return result
      })
      vellum.db.lifecycles.subscribe({
        models: [uid],
        beforeFindOne () {
          record('lifecycle beforeFindOne')
          if (switches.stop === 'lifecycle') throw new Error('refused by a lifecycle')
        },
        afterFindOne () { record('lifecycle afterFindOne') }
      })
    }
  })
  const created = await app.vellum.documents(uid).create({ data: { title: 'Hello' } })
  steps.length = 0
  Object.assign(switches, wanted)
  return { app, documentId: created.documentId }
}

t.test('one request walks every step in the seeds\' order, in and back out', async (t) => {
  const steps: string[] = []
  const { app, documentId } = await buildFlowApp(t, steps, { stop: 'none' })
  const response = await app.inject(`/api/notes/${documentId}`)
  t.equal(response.statusCode, 200)
  t.equal(response.json().data.title, 'Hello')
  t.same(steps, [
    'global middleware in',
    'policy',
    'route middleware in',
    'controller in',
    'service in',
    'document middleware in',
    'lifecycle beforeFindOne',
    'lifecycle afterFindOne',
    'document middleware out',
    'service out',
    'controller out',
    'route middleware out',
    'global middleware out'
  ])
})

const shortCircuits: Array<{ stop: NonNullable<Switches['stop']>, status: number, steps: string[], body: (json: Record<string, unknown>) => unknown, expected: unknown }> = [
  {
    stop: 'global',
    status: 200,
    steps: ['global middleware in'],
    body: json => json,
    expected: { stoppedAt: 'global' }
  },
  {
    stop: 'policy',
    status: 403,
    steps: ['global middleware in', 'policy'],
    body: json => json.error,
    expected: { status: 403, name: 'PolicyError', message: 'Policy Failed', details: {} }
  },
  {
    stop: 'route',
    status: 200,
    steps: ['global middleware in', 'policy', 'route middleware in', 'global middleware out'],
    body: json => json,
    expected: { stoppedAt: 'route' }
  },
  {
    stop: 'controller',
    status: 200,
    steps: ['global middleware in', 'policy', 'route middleware in', 'controller in', 'route middleware out', 'global middleware out'],
    body: json => json,
    expected: { stoppedAt: 'controller' }
  },
  {
    stop: 'service',
    status: 200,
    steps: ['global middleware in', 'policy', 'route middleware in', 'controller in', 'service in', 'controller out', 'route middleware out', 'global middleware out'],
    body: json => (json.data as Record<string, unknown>).title,
    expected: 'from the service'
  },
  {
    stop: 'document',
    status: 200,
    steps: ['global middleware in', 'policy', 'route middleware in', 'controller in', 'service in', 'document middleware in', 'service out', 'controller out', 'route middleware out', 'global middleware out'],
    body: json => (json.data as Record<string, unknown>).title,
    expected: 'from a document middleware'
  },
  {
    stop: 'lifecycle',
    status: 500,
    steps: ['global middleware in', 'policy', 'route middleware in', 'controller in', 'service in', 'document middleware in', 'lifecycle beforeFindOne'],
    body: json => json.error,
    expected: { status: 500, name: 'InternalServerError', message: 'Internal Server Error' }
  }
]

for (const { stop, status, steps: expected, body, expected: expectedBody } of shortCircuits) {
  t.test(`a stop at the ${stop} stage skips everything downstream; upstream steps still unwind`, async (t) => {
    const steps: string[] = []
    const { app, documentId } = await buildFlowApp(t, steps, { stop })
    const response = await app.inject(`/api/notes/${documentId}`)
    t.equal(response.statusCode, status)
    t.same(body(response.json() as Record<string, unknown>), expectedBody)
    t.same(steps, expected)
  })
}

t.test('a host hook that answers itself: the suspended global middleware is released with an error it sees', async (t) => {
  const steps: string[] = []
  let done = (): void => {}
  const released = new Promise<void>((resolve) => { done = resolve })
  const host = Fastify({ logger: false, pluginTimeout: 120_000 })
  t.teardown(() => host.close())
  // The host's own check, between vellum's global middlewares (onRequest) and its route (preHandler).
  host.addHook('preHandler', async (request, reply) => {
    if (request.headers['x-refuse'] !== undefined) await reply.code(401).send({ host: 'refused' })
  })
  await host.register(vellum, {
    contentTypes: [note],
    database: databaseOption(await createTestDatabase(t)),
    permissions: { public: '*' },
    middlewares: ['strapi::errors', 'global::watch'],
    middlewareFactories: {
      watch: () => async (_ctx: RequestContext, next: () => Promise<void>) => {
        steps.push('in')
        try {
          await next()
          steps.push('out')
        } catch (error) {
          steps.push(`out with: ${(error as Error).message}`)
          done()
        }
      }
    }
  })
  await host.ready()
  const ok = await host.inject('/api/notes')
  t.equal(ok.statusCode, 200)
  t.same(steps, ['in', 'out'])
  steps.length = 0
  const refused = await host.inject({ url: '/api/notes', headers: { 'x-refuse': '1' } })
  t.equal(refused.statusCode, 401)
  t.same(refused.json(), { host: 'refused' })
  await released
  t.same(steps, ['in', 'out with: the response was sent outside the middleware chain'])
})
