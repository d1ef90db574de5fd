import t, { type Test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import vellum from '../../lib/index.js'
import { articleDefinition } from '../helpers/app.js'
import { createTestDatabase, databaseOption } from '../helpers/db.js'

/** A host app with its own routes and its own error, 404 and body-parsing behaviour. */
function createHost (): FastifyInstance {
  const host = Fastify({ logger: false, pluginTimeout: 120_000 })
  host.setErrorHandler(async (error: Error, request, reply) => reply.code(418).send({ host: 'error', message: error.message }))
  host.setNotFoundHandler(async (request, reply) => reply.code(404).send({ host: 'not found', url: request.url }))
  host.addContentTypeParser('text/x-host', { parseAs: 'string' }, (request, body, done) => { done(null, { text: body }) })
  host.get('/hello', async (request) => ({ hello: 'world', query: request.query }))
  host.get('/boom', async () => { throw new Error('host failure') })
  host.post('/echo', async (request) => ({ body: request.body }))
  return host
}

async function registerOn (t: Test, host: FastifyInstance, options: Record<string, unknown> = {}): Promise<void> {
  const database = databaseOption(await createTestDatabase(t))
  await host.register(vellum, { contentTypes: [articleDefinition], database, ...options })
}

/** The host's own behaviour, checked the same way whatever vellum was registered with. */
async function assertHostUntouched (t: Test, host: FastifyInstance): Promise<void> {
  const hello = await host.inject('/hello?a[b]=1')
  t.equal(hello.statusCode, 200)
  // The host keeps Fastify's default querystring parser: brackets are not expanded for it.
  t.same(hello.json(), { hello: 'world', query: { 'a[b]': '1' } })
  const boom = await host.inject('/boom')
  t.equal(boom.statusCode, 418)
  t.same(boom.json(), { host: 'error', message: 'host failure' })
  const missing = await host.inject('/nowhere')
  t.equal(missing.statusCode, 404)
  t.same(missing.json(), { host: 'not found', url: '/nowhere' })
  const echo = await host.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'text/x-host' }, payload: 'hi' })
  t.same(echo.json(), { body: { text: 'hi' } })
}

t.test('registered at the root of a host app', async (t) => {
  const host = createHost()
  t.teardown(() => host.close())
  await registerOn(t, host)
  await host.ready()

  await assertHostUntouched(t, host)
  const health = await host.inject('/_health')
  t.equal(health.statusCode, 200)
  t.same(health.json(), { status: 'ok' })
  const unknown = await host.inject('/api/nothing-here')
  t.equal(unknown.statusCode, 404)
  t.same(unknown.json(), { data: null, error: { status: 404, name: 'NotFoundError', message: 'Not Found', details: {} } })
  t.ok(host.vellum.contentTypes['api::article.article'], 'the decorator exposes the model')
  t.type(host.vellum.db.query, 'function')
  t.type(host.vellum.db.transaction, 'function')
})

t.test('registered under a prefix next to the host routes', async (t) => {
  const host = createHost()
  t.teardown(() => host.close())
  await registerOn(t, host, { prefix: '/cms' })
  await host.ready()

  await assertHostUntouched(t, host)
  t.equal((await host.inject('/cms/_health')).statusCode, 200)
  t.equal((await host.inject('/_health')).json().host, 'not found', 'nothing is served outside the prefix')
  const unknown = await host.inject('/cms/api/nothing-here')
  t.equal(unknown.json().error.name, 'NotFoundError')
  t.equal((await host.inject('/api/nothing-here')).json().host, 'not found')
})

t.test('registered under a prefix inside a prefixed host scope', async (t) => {
  const host = createHost()
  t.teardown(() => host.close())
  const database = databaseOption(await createTestDatabase(t))
  await host.register(async (v1) => {
    await v1.register(vellum, { contentTypes: [articleDefinition], database, prefix: '/cms' })
  }, { prefix: '/v1' })
  await host.ready()

  await assertHostUntouched(t, host)
  t.equal((await host.inject('/v1/cms/_health')).statusCode, 200)
  t.equal((await host.inject('/v1/cms/api/nothing')).json().error.status, 404)
  t.equal((await host.inject('/cms/_health')).json().host, 'not found')
})

t.test('two instances with different decorators live side by side', async (t) => {
  const host = createHost()
  t.teardown(() => host.close())
  await registerOn(t, host, { prefix: '/one' })
  await registerOn(t, host, {
    prefix: '/two',
    decorator: 'blog',
    contentTypes: [{ ...articleDefinition, uid: 'api::post.post', collectionName: 'posts', info: { singularName: 'post', pluralName: 'posts', displayName: 'Post' } }]
  })
  await host.ready()

  await assertHostUntouched(t, host)
  t.equal((await host.inject('/one/_health')).statusCode, 200)
  t.equal((await host.inject('/two/_health')).statusCode, 200)
  const blog = (host as unknown as Record<string, typeof host.vellum>).blog
  t.ok(blog?.contentTypes['api::post.post'])
  t.notOk(host.vellum.contentTypes['api::post.post'], 'each instance has its own model')
  t.not(blog?.db, host.vellum.db)
})
