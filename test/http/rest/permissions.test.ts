/**
 * Public access (contract §21): nothing public by default (403 ForbiddenError "Forbidden"), a list of actions,
 * `'*'`, a request with credentials (401, never downgraded to public), and relations to types the public may
 * not read: dropped from populate, refused in filters and sort.
 */
import t from 'tap'
import { blogApp, isError, isInvalidKey, sender } from './helpers.js'
import { buildApp } from '../../helpers/app.js'
import { seedBlog } from './seed.js'

const PUBLIC = ['api::article.article.find', 'api::article.article.findOne', 'api::category.category.find', 'api::homepage.homepage.find']
const app = await blogApp(t, { permissions: { public: PUBLIC } })
const send = sender(app)
const blog = await seedBlog(app)

t.test('by default nothing is public: every generated route answers 403 ForbiddenError "Forbidden"', async (t) => {
  const closedApp = await buildApp(t)
  const closed = sender(closedApp)
  const { documentId } = await closedApp.vellum.documents('api::article.article').create({ data: { title: 'Hidden' }, status: 'published' })
  for (const [method, url] of [['GET', '/api/articles'], ['GET', `/api/articles/${documentId}`], ['POST', '/api/articles'],
    ['PUT', `/api/articles/${documentId}`], ['DELETE', `/api/articles/${documentId}`], ['GET', '/api/articles/unknown'],
    ['DELETE', '/api/articles/unknown']] as const) {
    isError(t, await closed(method, url, method === 'POST' || method === 'PUT' ? { data: { title: 'x' } } : undefined), 403, 'ForbiddenError', 'Forbidden', {})
  }
  t.equal((await closedApp.vellum.documents('api::article.article').findMany()).length, 1, 'nothing was written or deleted')
  t.equal((await closed('GET', '/_health')).status, 200, 'the health route is not a content action')
  isError(t, await closed('GET', '/api/nothing'), 404, 'NotFoundError', 'Not Found', {})
})

t.test('a list of actions: the listed ones are open, the others 403 (an unknown document included: no oracle)', async (t) => {
  t.equal((await send('GET', '/api/articles')).status, 200)
  t.equal((await send('GET', `/api/articles/${blog.alpha}`)).status, 200)
  t.equal((await send('GET', '/api/categories')).status, 200)
  t.equal((await send('GET', '/api/homepage')).status, 200)
  const forbidden = [
    ['POST', '/api/articles'], ['PUT', `/api/articles/${blog.alpha}`], ['DELETE', `/api/articles/${blog.alpha}`],
    ['GET', `/api/categories/${blog.news.documentId}`], ['POST', '/api/categories'], ['GET', '/api/authors'],
    ['GET', `/api/authors/${blog.ann}`], ['GET', '/api/authors/unknown'], ['GET', '/api/tags'], ['PUT', '/api/homepage'],
    ['DELETE', '/api/homepage'], ['DELETE', '/api/categories/unknown']
  ] as const
  for (const [method, url] of forbidden) {
    isError(t, await send(method, url, method === 'POST' || method === 'PUT' ? { data: { name: 'x', title: 'x' } } : undefined), 403, 'ForbiddenError', 'Forbidden', {})
  }
  t.equal((await send('GET', `/api/articles/${blog.alpha}`)).body.data.title, 'Alpha news', 'nothing changed')
  t.equal((await send('GET', '/api/homepage')).body.data.title, 'Home')
})

t.test('permission is checked before the query: a bad query on a forbidden action is still a 403', async (t) => {
  isError(t, await send('GET', '/api/authors?bogus=1'), 403, 'ForbiddenError', 'Forbidden', {})
  isError(t, await send('GET', '/api/authors?filters[password][$startsWith]=a'), 403, 'ForbiddenError', 'Forbidden', {})
})

t.test('a Bearer credential nobody issued: 401 "Missing or invalid credentials", never downgraded to public', async (t) => {
  isError(t, await send('GET', '/api/articles', undefined, { authorization: 'Bearer abc' }), 401, 'UnauthorizedError', 'Missing or invalid credentials', {})
  // Not one Bearer value: no credentials, as in Strapi (test/auth/tokens.test.ts covers the rest).
  for (const header of ['Bearer ', 'Basic dXNlcjpwYXNz', 'x']) {
    t.equal((await send('GET', '/api/articles', undefined, { authorization: header })).status, 200, `${header}: public`)
  }
  isError(t, await send('GET', '/api/authors', undefined, { authorization: 'Bearer abc' }), 401, 'UnauthorizedError', 'Missing or invalid credentials', {})
  isError(t, await send('PUT', '/api/homepage', { data: { title: 'x' } }, { authorization: 'Bearer abc' }), 401, 'UnauthorizedError', 'Missing or invalid credentials', {})
})

t.test('relations to a type the public may not find are dropped from populate', async (t) => {
  const one = (await send('GET', `/api/articles/${blog.alpha}?populate=author,category`)).body.data
  t.notOk('author' in one, 'author (api::author.author.find is not public) is dropped')
  t.match(one.category, { name: 'News' })
  const star = (await send('GET', `/api/articles/${blog.beta}?populate=*`)).body.data
  t.same(['author', 'reviewer', 'tags'].filter(key => key in star), [], 'authors and tags are not readable')
  t.ok('category' in star)
  t.ok('relatedArticles' in star)
  t.ok('seo' in star, 'components stay')
  t.ok('localizations' in star)
  const nested = (await send('GET', `/api/categories/${blog.news.documentId}?populate[articles][populate]=*`))
  t.equal(nested.status, 403, 'findOne of categories is not public')
  const list = (await send('GET', '/api/categories?populate[articles][populate][author]=true&populate[articles][populate][category]=true&filters[name]=News')).body.data
  t.notOk('author' in list[0].articles[0], 'dropped at depth too')
  t.ok('category' in list[0].articles[0])
  const home = (await send('GET', '/api/homepage?populate[highlight][populate]=*')).body.data
  t.notOk('author' in home.highlight)
})

t.test('filtering or sorting through a relation the public may not find: 400 "Invalid key" (no oracle on unreadable data)', async (t) => {
  isInvalidKey(t, await send('GET', '/api/articles?filters[author][name]=Ann'), 'author', 'filters')
  isInvalidKey(t, await send('GET', '/api/articles?filters[author][email][$startsWith]=a'), 'author', 'filters')
  isInvalidKey(t, await send('GET', '/api/articles?filters[$or][0][tags][name]=red'), 'tags', 'filters')
  isInvalidKey(t, await send('GET', '/api/articles?filters[category][articles][author][name]=Ann'), 'author', 'filters',
    'category.articles.author', 'Invalid key author at category.articles.author')
  isInvalidKey(t, await send('GET', '/api/articles?sort=author.name'), 'author', 'sort')
  isInvalidKey(t, await send('GET', '/api/articles?populate[category][filters][articles][author][name]=Ann'), 'author', 'populate',
    'category.articles.author', 'Invalid key author at category.articles.author')
  t.equal((await send('GET', '/api/articles?filters[category][name]=News')).status, 200, 'a readable relation is fine')
  t.equal((await send('GET', '/api/articles?filters[relatedArticles][title]=x')).status, 200)
})

t.test('a query found valid for one caller is checked again for another (validated queries are cached per caller)', async (t) => {
  const both = sender(await blogApp(t, {
    permissions: { public: PUBLIC },
    routes: [{ routes: [{ method: 'GET', path: '/open/articles', handler: 'api::article.article.find', config: { auth: false } }] }]
  }))
  const url = '?filters[author][name]=Ann&sort=title'
  for (let round = 0; round < 2; round++) {
    // A route without auth reads everything; the public may not read authors, before or after it.
    t.equal((await both('GET', `/api/open/articles${url}`)).status, 200, `round ${round}: open route`)
    isInvalidKey(t, await both('GET', `/api/articles${url}`), 'author', 'filters')
  }
})

t.test("permissions.public '*' opens every action", async (t) => {
  const open = sender(await buildApp(t, { permissions: { public: '*' } }))
  const created = await open('POST', '/api/articles', { data: { title: 'Open' } })
  t.equal(created.status, 201)
  const documentId = created.body.data.documentId as string
  t.equal((await open('GET', '/api/articles')).status, 200)
  t.equal((await open('PUT', `/api/articles/${documentId}`, { data: { title: 'Still open' } })).status, 200)
  t.equal((await open('DELETE', `/api/articles/${documentId}`)).status, 204)
  isError(t, await open('GET', '/api/articles', undefined, { authorization: 'Bearer x' }), 401, 'UnauthorizedError', 'Missing or invalid credentials', {})
})
