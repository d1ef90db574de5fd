/**
 * The README's customization examples, run as written (on the example project's model), so the front door
 * stays true. Each block below mirrors one example of the README's "Customizing the request pipeline".
 */
import t from 'tap'
import { createCoreController, createCoreRouter, createCoreService, type Policy, type RequestContext } from '../lib/index.js'
import { buildApp } from './helpers/app.js'
import { fromRoot } from './helpers/paths.js'

const dir = fromRoot('examples', 'blog')
type Entry = Record<string, unknown>

const controller = createCoreController('api::article.article', ({ vellum }) => ({
  async find (ctx: RequestContext) {
    ctx.query = { ...ctx.query, sort: 'views:desc' }
    const response = await super.find(ctx) as { meta: Record<string, unknown> }
    response.meta.generatedBy = 'vellum'
    return response
  },
  async featured (this: { transformResponse: (data: unknown) => unknown, sanitizeOutput: (data: unknown, ctx: RequestContext) => Promise<unknown> }, ctx: RequestContext) {
    const entries = await vellum.documents('api::article.article').findMany({ filters: { featured: true }, status: 'published' })
    return this.transformResponse(await this.sanitizeOutput(entries, ctx))
  }
}))

const service = createCoreService('api::article.article', () => ({
  async findOne (documentId: string, params: Record<string, unknown>) {
    const entry = await super.findOne(documentId, params) as Entry | null
    return entry === null ? null : { ...entry, readingTime: Math.ceil(String(entry.body ?? '').length / 1200) }
  }
}))

const isEditor: Policy = (policyContext) => policyContext.get('x-role') === 'editor'
const timer = () => async (ctx: RequestContext, next: () => Promise<void>) => {
  const started = performance.now()
  await next()
  ctx.set('x-response-time', `${(performance.now() - started).toFixed(1)}ms`)
}

t.test('the README examples work as written', async (t) => {
  const purged: string[] = []
  const app = await buildApp(t, {
    dir,
    contentTypes: [],
    permissions: { public: ['api::article.article.findOne', 'api::article.article.create', 'api::category.category.create'] },
    controllers: [controller],
    services: [service],
    routes: [
      createCoreRouter('api::article.article', {
        only: ['find', 'findOne', 'create'],
        config: { create: { policies: ['is-editor'], middlewares: ['global::timer'] }, find: { auth: false } }
      }),
      { routes: [{ method: 'GET', path: '/articles-featured', handler: 'api::article.article.featured', config: { auth: false } }] }
    ],
    policies: { 'is-editor': isEditor },
    middlewareFactories: { timer },
    middlewares: ['strapi::logger', 'strapi::errors', 'strapi::security', 'strapi::cors', 'global::timer'],
    register ({ vellum }) {
      vellum.db.lifecycles.subscribe({
        models: ['api::article.article'],
        beforeCreate (event) { const data = event.params.data as Entry; data.title = String(data.title).trim() },
        afterCreate (event) { event.state.created = (event.result as Entry).id },
        afterCommit (event) { purged.push(event.model.uid) }
      })
      const remove = vellum.documents.use(async (ctx, next) => {
        if (ctx.uid === 'api::article.article' && ctx.action === 'create') (ctx.params as { data: Entry }).data.kind ??= 'opinion'
        return await next()
      })
      t.type(remove, 'function')
    }
  })

  const refused = await app.inject({ method: 'POST', url: '/api/articles', payload: { data: { title: 'x' } } })
  t.equal(refused.statusCode, 403, 'the policy refuses a non-editor')
  t.equal(refused.json().error.name, 'PolicyError')

  const created = await app.inject({ method: 'POST', url: '/api/articles', headers: { 'x-role': 'editor' }, payload: { data: { title: '  Spaced  ', body: 'x'.repeat(2500), featured: true, views: 7 } } })
  t.equal(created.statusCode, 201)
  t.match(created.headers['x-response-time'], /^\d+\.\dms$/, 'the middleware timed the request')
  const article = created.json().data as Entry
  t.equal(article.title, 'Spaced', 'the lifecycle trimmed the title')
  t.equal(article.kind, 'opinion', 'the Document Service middleware filled kind')
  t.ok(purged.includes('api::article.article'), 'afterCommit ran')

  const list = await app.inject('/api/articles')
  t.equal(list.statusCode, 200, 'find is public through auth: false')
  t.equal(list.json().meta.generatedBy, 'vellum', 'the extended controller called super.find')

  const one = await app.inject(`/api/articles/${String(article.documentId)}`)
  t.equal(one.json().data.readingTime, 3, 'the extended service added readingTime')

  const featured = await app.inject('/api/articles-featured')
  t.same((featured.json().data as Entry[]).map(a => a.title), ['Spaced'], 'the custom action is routable')

  t.equal((await app.inject({ method: 'DELETE', url: `/api/articles/${String(article.documentId)}` })).statusCode, 405, '`only` left delete out')
})
