/**
 * A body nested thousands of levels deep (in an unknown key, a json attribute or a relation position) is a
 * 400 ValidationError with small details, answered before anything walks it: never a stack overflow, never 500.
 */
import t from 'tap'
import { blogApp, isError, type Reply } from '../http/rest/helpers.js'
import type { FastifyInstance } from 'fastify'

/** `{"a":{"a":...1...}}`, `levels` objects deep, as text: JSON.stringify itself overflows on such values. */
const objects = (levels: number): string => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels)
const arrays = (levels: number): string => '['.repeat(levels) + '1' + ']'.repeat(levels)

async function post (app: FastifyInstance, url: string, data: string): Promise<Reply> {
  const res = await app.inject({ method: 'POST', url, payload: `{"data":${data}}`, headers: { 'content-type': 'application/json' } })
  return { status: res.statusCode, headers: res.headers, text: res.body, body: JSON.parse(res.body) }
}

t.test('5,000 levels anywhere in the body answer 400 with bounded details', async (t) => {
  const app = await blogApp(t)
  const cases: Record<string, string> = {
    'an unknown key': `{"title":"x","unknownKey":${objects(5000)}}`,
    'a json attribute': `{"title":"x","metadata":${objects(5000)}}`,
    'a relation position': `{"title":"x","tags":{"connect":[{"documentId":"x","position":${objects(5000)}}]}}`,
    'a relation list': `{"title":"x","tags":${arrays(5000)}}`,
    'a dynamic zone': `{"title":"x","blocks":[{"__component":"content.quote","text":${arrays(5000)}}]}`
  }
  for (const [where, data] of Object.entries(cases)) {
    const reply = await post(app, '/api/articles', data)
    isError(t, reply, 400, 'ValidationError', 'Request body is nested too deeply (more than 64 levels)', { source: 'body', maxDepth: 64 })
    t.ok(reply.text.length < 300, `${where}: the answer stays small (${reply.text.length} bytes)`)
  }
  const put = await app.inject({ method: 'PUT', url: '/api/homepage', payload: `{"data":{"title":${objects(5000)}}}`, headers: { 'content-type': 'application/json' } })
  t.equal(put.statusCode, 400, 'updates too')
})

t.test('a body within the limit is written, and the limit is an option', async (t) => {
  const app = await blogApp(t, { input: { maxDepth: 10 } })
  // The body and data are 2 levels: metadata may add 8, not 9.
  const fits = await post(app, '/api/articles', `{"title":"fits","metadata":${objects(8)}}`)
  t.equal(fits.status, 201, 'at the limit')
  const over = await post(app, '/api/articles', `{"title":"over","metadata":${objects(9)}}`)
  isError(t, over, 400, 'ValidationError', 'Request body is nested too deeply (more than 10 levels)', { source: 'body', maxDepth: 10 })
})
