/**
 * Issue 14's races, reproduced through two app instances on one PostgreSQL database with 20 requests at once:
 * each write action holds its document's lock (lib/document/lock.ts), so they apply one after the other.
 * Without the lock, each of these tests fails (duplicate locale rows, several homepage documents, a
 * document surviving its 204 DELETE, 400s and 500s).
 */
import t from 'tap'
import { checkInvariants, concurrently, statuses, twoApps } from './helpers.js'

const cluster = await twoApps(t)
const { sql } = cluster
const send = cluster.send(0)

async function rowsOf (table: string, documentId: string): Promise<Array<{ locale: string, draft: boolean }>> {
  return [...await sql<Array<{ locale: string, draft: boolean }>>`SELECT locale, published_at IS NULL AS draft FROM ${sql(table)} WHERE document_id = ${documentId} ORDER BY locale, draft`]
}

t.test('20 concurrent PUTs of a locale the document lacks: one fr draft and one fr published row', async (t) => {
  const article = (await send('POST', '/api/articles', { data: { title: 'English' } })).body.data
  const published = await concurrently(cluster, 20, async (send, i) => await send('PUT', `/api/articles/${String(article.documentId)}?locale=fr`, { data: { title: `Français ${i}` } }))
  t.same(statuses(published), { 200: 20 }, 'every PUT answered 200')
  t.same(await rowsOf('articles', article.documentId), [
    { locale: 'en', draft: false }, { locale: 'en', draft: true }, { locale: 'fr', draft: false }, { locale: 'fr', draft: true }
  ], 'one draft and one published row per locale')

  const other = (await send('POST', '/api/articles', { data: { title: 'Only English' } })).body.data
  const drafts = await concurrently(cluster, 20, async (send, i) => await send('PUT', `/api/articles/${String(other.documentId)}?locale=fr&status=draft`, { data: { title: `Brouillon ${i}` } }))
  t.same(statuses(drafts), { 200: 20 }, 'every draft PUT answered 200')
  t.same(await rowsOf('articles', other.documentId), [
    { locale: 'en', draft: false }, { locale: 'en', draft: true }, { locale: 'fr', draft: true }
  ], 'one fr draft, not published')
  // Last writer wins: the stored title is one of those sent, the same on the draft as the answer said.
  const [stored] = await sql`SELECT title FROM articles WHERE document_id = ${other.documentId} AND locale = 'fr'`
  t.match(stored?.title, /^Brouillon \d+$/)
  await checkInvariants(t, sql, 'articles', 'title')
})

t.test('a single type stays single: 20 concurrent PUTs after a DELETE make one document', async (t) => {
  t.equal((await send('PUT', '/api/homepage', { data: { title: 'Home' } })).status, 200, 'made')
  t.equal((await send('DELETE', '/api/homepage')).status, 204, 'deleted')
  const replies = await concurrently(cluster, 20, async (send, i) => await send('PUT', `/api/homepage${i % 4 === 3 ? '?locale=fr' : ''}`, { data: { title: `Home ${i}` } }))
  t.same(statuses(replies), { 200: 20 }, 'every PUT answered 200')
  const documents = await sql`SELECT DISTINCT document_id FROM homepages`
  t.equal(documents.length, 1, 'one homepage document')
  t.same(new Set(replies.map(reply => reply.body.data.documentId)), new Set([documents[0]?.document_id]), 'every answer is that document')
  await checkInvariants(t, sql, 'homepages', 'title')
  t.equal((await send('DELETE', '/api/homepage?locale=*')).status, 204, 'deleted in every locale')
  t.equal((await send('GET', '/api/homepage?status=draft&locale=*')).status, 404, 'a DELETE of every locale that answered 204 leaves nothing')
  t.same([...await sql`SELECT id FROM homepages`], [], 'no row left')
})

t.test('a DELETE racing PUTs (publishing) on an article: the PUTs answer 200 or 404, and after the 204 nothing is left', async (t) => {
  for (let round = 0; round < 5; round++) {
    const article = (await send('POST', '/api/articles', { data: { title: `Doomed ${round}` } })).body.data
    const path = `/api/articles/${String(article.documentId)}`
    const replies = await concurrently(cluster, 20, async (send, i) => i === 7
      ? await send('DELETE', `${path}?locale=*`)
      : await send('PUT', `${path}${i % 3 === 0 ? '?locale=fr' : ''}`, { data: { title: `Again ${i}` } }))
    t.equal(replies[7]?.status, 204, 'the DELETE answered 204')
    const puts = replies.filter((_, i) => i !== 7)
    t.same(Object.keys(statuses(puts)).filter(status => status !== '200' && status !== '404'), [], 'each PUT answered 200 (before the delete) or 404 (after): never 400 or 500')
    t.same(puts.filter(reply => reply.status === 404 && reply.body.error.name !== 'NotFoundError'), [], 'each 404 is a NotFoundError envelope')
    t.same(await rowsOf('articles', article.documentId), [], 'no row of the document survives its 204 DELETE')
  }
  await checkInvariants(t, sql, 'articles', 'title')
})

t.test('a DELETE racing PUTs on the single type: one document or none, never two, nor a partial one', async (t) => {
  for (let round = 0; round < 5; round++) {
    t.equal((await send('PUT', '/api/homepage', { data: { title: `Round ${round}` } })).status, 200, 'made')
    const replies = await concurrently(cluster, 20, async (send, i) => i === 5
      ? await send('DELETE', `/api/homepage${round % 2 === 0 ? '?locale=*' : ''}`)
      : await send('PUT', '/api/homepage', { data: { title: `Put ${i}` } }))
    t.same(statuses(replies), { 200: 19, 204: 1 }, 'PUTs answer 200 (re-creating it after the delete), the DELETE 204')
    const documents = await sql`SELECT DISTINCT document_id FROM homepages`
    t.ok(documents.length <= 1, 'at most one homepage document')
    await checkInvariants(t, sql, 'homepages', 'title')
  }
})

t.test('20 concurrent publishes, unpublishes and discards of one document through the Document Service of both apps', async (t) => {
  const services = cluster.apps.map(app => app.vellum.documents('api::article.article'))
  const { documentId } = await services[0]!.create({ data: { title: 'Toggled' } })
  const actions = ['publish', 'publish', 'unpublish', 'discardDraft', 'publish'] as const
  await Promise.all(Array.from({ length: 20 }, async (_, i) => await services[i % 2]![actions[i % actions.length]!]({ documentId })))
  const rows = await rowsOf('articles', documentId)
  t.same(rows.filter(row => row.draft), [{ locale: 'en', draft: true }], 'one draft')
  t.ok(rows.filter(row => !row.draft).length <= 1, 'at most one published row')
  await checkInvariants(t, sql, 'articles', 'title')
})

t.test('mixed POST, PUT, publish and DELETE traffic from both apps: no 500, the invariants hold', async (t) => {
  const seeds = await Promise.all(Array.from({ length: 4 }, async (_, i) => (await send('POST', '/api/articles', { data: { title: `Seed ${i}` } })).body.data.documentId as string))
  const replies = await concurrently(cluster, 60, async (send, i) => {
    const id = seeds[i % seeds.length]!
    switch (i % 6) {
      case 0: return await send('POST', '/api/articles?status=draft', { data: { title: `New ${i}` } })
      case 1: return await send('PUT', `/api/articles/${id}?locale=fr&status=draft`, { data: { title: `Fr ${i}` } })
      case 2: return await send('PUT', `/api/articles/${id}`, { data: { title: `Published ${i}`, views: i } })
      case 3: return await send('PUT', `/api/articles/${id}?locale=fr`, { data: { title: `Fr published ${i}` } })
      case 4: return await send('GET', `/api/articles/${id}?status=draft&locale=fr`)
      default: return i === 29 || i === 53 ? await send('DELETE', `/api/articles/${id}`) : await send('PUT', '/api/homepage', { data: { title: `Mixed ${i}` } })
    }
  })
  t.same(replies.filter(reply => reply.status >= 500).map(reply => reply.body), [], 'no 5xx')
  t.same(Object.keys(statuses(replies)).filter(status => !['200', '201', '204', '404'].includes(status)), [], 'only 200, 201, 204 and 404')
  await checkInvariants(t, sql, 'articles', 'title')
  await checkInvariants(t, sql, 'homepages', 'title')
  t.equal((await sql`SELECT DISTINCT document_id FROM homepages`).length, 1, 'one homepage document')
})

t.test('the Document Service\'s create of a single type that has its document updates it, from either app', async (t) => {
  const homepages = cluster.apps.map(app => app.vellum.documents('api::homepage.homepage'))
  const entries = await Promise.all(Array.from({ length: 10 }, async (_, i) => await homepages[i % 2]!.create({ data: { title: `Created ${i}` } })))
  const documents = await sql`SELECT DISTINCT document_id FROM homepages`
  t.equal(documents.length, 1, 'one homepage document')
  t.same(new Set(entries.map(entry => entry.documentId)), new Set([documents[0]?.document_id]), 'every create answered that document')
  await checkInvariants(t, sql, 'homepages', 'title')
})
