/**
 * Response schemas: built from the model, private attributes absent, nothing required, and serialization
 * through them lossless (compared with JSON.stringify on populated entries), in Fastify too.
 */
import Fastify from 'fastify'
import t from 'tap'
import { buildResponseSchemas, compileSerializer, createSerializerCompiler, type JsonSchema } from '../../../lib/http/serialize/index.js'
import { ARTICLE, AUTHOR, CATEGORY, HOMEPAGE, VAULT, schema } from '../query/catalog.js'

const built = buildResponseSchemas(schema)
const byId = new Map(built.schemas.map(s => [s.$id, s]))
const entry = (uid: string): JsonSchema => {
  const found = byId.get(built.entryId(uid))
  if (found === undefined) throw new Error(`no schema for ${uid}`)
  return found
}

const ISO = '2024-01-02T10:11:12.000Z'
function populatedArticle (id: number): Record<string, unknown> {
  return {
    id,
    documentId: `article${id}`,
    title: `Title "${id}"\n`,
    slug: `article-${id}`,
    excerpt: 'Lorem ipsum dolor sit amet, consectetur adipiscing elit.',
    body: 'Some *markdown* with "quotes", a \\ backslash and\nnew lines. '.repeat(5),
    content: [{ type: 'paragraph', children: [{ type: 'text', text: 'hello' }] }],
    views: 1234,
    shareCount: '9007199254740993',
    rating: 4.5,
    readingTime: 3.25,
    publishedDate: '2024-01-02',
    publishTime: '10:11:12.000',
    lastReviewedAt: ISO,
    importedAt: null,
    featured: true,
    kind: 'news',
    metadata: { nested: { list: [1, 'two', null, { three: 3 }] }, unicode: 'é\u2028✓' },
    seo: { id: 9, metaTitle: 'Meta', metaDescription: null, noIndex: false },
    blocks: [
      { __component: 'content.quote', id: 1, text: 'q', author: null },
      { __component: 'shared.hero', id: 2, heading: 'h', cta: { id: 3, label: 'l', url: '/x', openInNewTab: true }, article: null }
    ],
    category: { id: 3, documentId: 'cat', name: 'News', slug: 'news', description: null, position: 1, createdAt: ISO, updatedAt: ISO, publishedAt: ISO, parent: { id: 4, name: 'Root' } },
    author: null,
    tags: [1, 2, 3].map(tag => ({ id: tag, documentId: `tag${tag}`, name: `tag ${tag}`, color: 'red', createdAt: ISO, updatedAt: ISO, publishedAt: ISO })),
    relatedArticles: { count: 2 },
    createdAt: ISO,
    updatedAt: ISO,
    publishedAt: ISO,
    locale: 'en',
    localizations: [{ id: 99, documentId: `article${id}`, title: 'Titre', locale: 'fr' }],
    extraFromAController: { anything: [true] }
  }
}

function walk (node: JsonSchema, visit: (node: JsonSchema) => void): void {
  visit(node)
  for (const child of Object.values(node.properties ?? {})) walk(child, visit)
  if (node.items !== undefined) walk(node.items, visit)
}

t.test('one entry schema and two envelopes per content type, with $ids', async (t) => {
  t.equal(built.schemas.length, schema.contentTypes.size * 3)
  t.equal(built.entryId(ARTICLE), 'vellum:api::article.article')
  t.equal(built.singleId(ARTICLE), 'vellum:api::article.article:single')
  t.equal(built.listId(ARTICLE), 'vellum:api::article.article:list')
  t.equal(new Set(built.schemas.map(s => s.$id)).size, built.schemas.length, 'ids are unique')
  t.equal(buildResponseSchemas(schema, { idPrefix: 'cms2' }).entryId(ARTICLE), 'cms2:api::article.article', 'a prefix for a second instance')
  t.same(byId.get(built.listId(ARTICLE)), {
    $id: 'vellum:api::article.article:list',
    type: 'object',
    additionalProperties: true,
    properties: {
      data: { type: ['array', 'null'], items: { $ref: 'vellum:api::article.article' } },
      meta: {
        type: ['object', 'null'],
        additionalProperties: true,
        properties: {
          pagination: {
            type: ['object', 'null'],
            additionalProperties: true,
            properties: Object.fromEntries(['page', 'pageSize', 'pageCount', 'start', 'limit', 'total'].map(k => [k, { type: ['number', 'null'] }]))
          }
        }
      }
    }
  })
  t.same(byId.get(built.singleId(HOMEPAGE))?.properties?.data, { $ref: 'vellum:api::homepage.homepage' })
})

t.test('entries: scalars typed from the model, populated attributes untyped, in key order', async (t) => {
  const article = entry(ARTICLE)
  t.same(Object.keys(article.properties ?? {}), [
    'id', 'documentId', 'title', 'slug', 'excerpt', 'body', 'content', 'views', 'shareCount', 'rating', 'readingTime',
    'publishedDate', 'publishTime', 'lastReviewedAt', 'importedAt', 'featured', 'kind', 'metadata', 'seo', 'blocks',
    'category', 'author', 'reviewer', 'tags', 'relatedArticles', 'createdAt', 'updatedAt', 'publishedAt', 'locale', 'localizations'
  ])
  const p = article.properties ?? {}
  t.same(p.title, { type: ['string', 'null'] })
  t.same(p.views, { type: ['number', 'null'] })
  t.same(p.shareCount, { type: ['string', 'null'] }, 'biginteger is a string')
  t.same(p.rating, { type: ['number', 'null'] })
  t.same(p.featured, { type: ['boolean', 'null'] })
  t.same(p.publishedDate, { type: ['string', 'null'] })
  for (const name of ['body', 'excerpt', 'content', 'metadata', 'seo', 'blocks', 'category', 'tags', 'localizations']) t.same(p[name], {}, `${name} untyped`)
  t.equal(article.additionalProperties, true)
  t.notOk('locale' in (entry(CATEGORY).properties ?? {}), 'no locale on a type that is not localized')
  t.notOk('localizations' in (entry(CATEGORY).properties ?? {}))
})

t.test('private and password attributes are not in any schema', async (t) => {
  const names = (uid: string): string[] => Object.keys(entry(uid).properties ?? {})
  t.notOk(names(ARTICLE).includes('internalNotes'))
  t.notOk(names(AUTHOR).includes('password'))
  t.notOk(names(AUTHOR).includes('internalNote'))
  t.notOk(names(VAULT).includes('secret'))
  t.notOk(names(VAULT).includes('owner'), 'a private relation')
  t.notMatch(JSON.stringify(built.schemas), /internalNote|password|"secret"/)
})

t.test('nothing is required, nothing has a default, every object accepts more keys', async (t) => {
  for (const root of built.schemas) {
    walk(root, (node) => {
      t.notOk('required' in node, `${root.$id ?? ''} required`)
      t.notOk('default' in node, `${root.$id ?? ''} default`)
      const types = Array.isArray(node.type) ? node.type : [node.type]
      if (types.includes('object')) t.equal(node.additionalProperties, true, `${root.$id ?? ''} additionalProperties`)
    })
  }
})

t.test('response(): the envelope per core action', async (t) => {
  t.same(built.response(ARTICLE, 'find'), { 200: { $ref: built.listId(ARTICLE) } })
  t.same(built.response(ARTICLE, 'findOne'), { 200: { $ref: built.singleId(ARTICLE) } })
  t.same(built.response(ARTICLE, 'create'), { 201: { $ref: built.singleId(ARTICLE) } })
  t.same(built.response(ARTICLE, 'update'), { 200: { $ref: built.singleId(ARTICLE) } })
  t.same(built.response(ARTICLE, 'delete'), {}, '204 has no body')
  t.same(built.response(HOMEPAGE, 'find'), { 200: { $ref: built.singleId(HOMEPAGE) } }, 'a single type finds one entry')
  t.throws(() => built.response('api::nope.nope', 'find'), /unknown content type/)
})

t.test('lossless: serialized through the schemas, populated data reads back exactly as with JSON.stringify', async (t) => {
  const list = compileSerializer(built.response(ARTICLE, 'find')['200'] ?? {}, built.schemas)
  const single = compileSerializer(built.response(ARTICLE, 'findOne')['200'] ?? {}, built.schemas)
  const body = { data: [populatedArticle(1), populatedArticle(2)], meta: { pagination: { page: 1, pageSize: 25, pageCount: 1, total: 2 } } }
  t.same(JSON.parse(list(body)), JSON.parse(JSON.stringify(body)))
  const one = { data: populatedArticle(3), meta: {} }
  t.same(JSON.parse(single(one)), JSON.parse(JSON.stringify(one)))
  t.same(JSON.parse(single({ data: null, meta: {} })), { data: null, meta: {} })
  const v4 = { data: { id: 1, documentId: 'a', attributes: { title: 't', category: { data: { id: 2, attributes: { name: 'c' } } } } }, meta: {} }
  t.same(JSON.parse(single(v4)), v4, "the v4 format's attributes pass through")
  const fields = { data: [{ id: 1, documentId: 'a', title: 't' }], meta: { pagination: { start: 0, limit: 10 } } }
  t.equal(list(fields), JSON.stringify(fields), 'a fields selection: nothing added, same text')
  t.notMatch(list({ data: [{ id: 1, title: 't' }], meta: {} }), /internalNotes|null/, 'no private key (or any other) is re-added')
  t.same(JSON.parse(list({ data: [populatedArticle(4)] })), JSON.parse(JSON.stringify({ data: [populatedArticle(4)] })), 'no meta')
})

t.test('lossless even when data does not fit the schema: JSON.stringify takes over', async (t) => {
  const list = compileSerializer(built.response(ARTICLE, 'find')['200'] ?? {}, built.schemas)
  const odd = [
    { data: [{ id: 1, title: { rendered: '<b>t</b>' } }], meta: {} },
    { data: [{ id: '1', views: 'many', featured: 'yes' }] },
    { data: { id: 1, title: 'an object where a list was expected' } },
    { data: ['not an entry'] },
    { data: [], meta: { pagination: { page: '1' } } },
    { data: [{ id: 1, publishedDate: new Date(Date.UTC(2024, 0, 2)) }] }
  ]
  for (const body of odd) t.same(JSON.parse(list(body)), JSON.parse(JSON.stringify(body)), JSON.stringify(body))
})

t.test('in Fastify: addSchema + schema.response, with the fallback compiler and with the default one', async (t) => {
  const app = Fastify({ logger: false })
  t.teardown(() => app.close())
  for (const item of built.schemas) app.addSchema(item)
  const body = { data: [populatedArticle(1)], meta: { pagination: { page: 1, pageSize: 25, pageCount: 1, total: 1 } } }
  const odd = { data: [{ id: 1, title: { rendered: 't' } }], meta: {} }
  await app.register(async (scope) => {
    scope.setSerializerCompiler(createSerializerCompiler(built.schemas))
    scope.get('/safe/articles', { schema: { response: built.response(ARTICLE, 'find') } }, async () => body)
    scope.get('/safe/odd', { schema: { response: built.response(ARTICLE, 'find') } }, async () => odd)
  })
  // A validated querystring in the same instance makes Ajv compile with the shared schemas too.
  app.get('/articles', { schema: { querystring: { type: 'object', properties: { q: { type: 'string' } } }, response: built.response(ARTICLE, 'find') } }, async () => body)
  app.get('/odd', { schema: { response: built.response(ARTICLE, 'find') } }, async () => odd)
  app.post('/articles', { schema: { response: built.response(ARTICLE, 'create') } }, async (_request, reply) => {
    reply.code(201)
    return { data: populatedArticle(2), meta: {} }
  })
  await app.ready()

  for (const url of ['/articles', '/safe/articles']) {
    const response = await app.inject({ url })
    t.equal(response.statusCode, 200, url)
    t.same(response.json(), JSON.parse(JSON.stringify(body)), `${url}: nothing dropped`)
  }
  const created = await app.inject({ method: 'POST', url: '/articles' })
  t.equal(created.statusCode, 201)
  t.same(created.json(), JSON.parse(JSON.stringify({ data: populatedArticle(2), meta: {} })))
  const safe = await app.inject({ url: '/safe/odd' })
  t.same(safe.json(), odd, 'createSerializerCompiler falls back to JSON.stringify on a reshaped entry')
  const strict = await app.inject({ url: '/odd' })
  t.equal(strict.statusCode, 500, "Fastify's own compiler throws on it instead: use createSerializerCompiler")
})

/*
 * Measured, not asserted. Under tap the figures are meaningless (coverage instrumentation slows the generated
 * serializer several times); run `node --import tsx test/http/serialize/schemas.test.ts`. Node 20.20.2 on
 * 2 busy cores gave: scalars only, fast-json-stringify 36.0 µs vs JSON.stringify 29.7 µs (×0.83); populated,
 * 191.8 µs vs 135.0 µs (×0.70). So these lossless schemas do not make serialization faster (see schemas.ts).
 */
t.test('speed: fast-json-stringify through these schemas against JSON.stringify', async (t) => {
  const list = compileSerializer(built.response(ARTICLE, 'find')['200'] ?? {}, built.schemas)
  const scalars = (id: number): Record<string, unknown> => {
    const { seo: _seo, blocks: _blocks, category: _category, tags: _tags, relatedArticles: _related, localizations: _l, extraFromAController: _x, content: _c, metadata: _m, body: _b, ...rest } = populatedArticle(id)
    return rest
  }
  const cases: Array<[string, unknown]> = [
    ['25 entries, scalars only', { data: Array.from({ length: 25 }, (_, i) => scalars(i)), meta: { pagination: { page: 1, pageSize: 25, pageCount: 1, total: 25 } } }],
    ['25 entries, populated', { data: Array.from({ length: 25 }, (_, i) => populatedArticle(i)), meta: { pagination: { page: 1, pageSize: 25, pageCount: 1, total: 25 } } }]
  ]
  // Best of 30 alternating rounds, which resists a busy machine better than a mean.
  for (const [name, data] of cases) {
    const best = { fast: Infinity, json: Infinity }
    for (let i = 0; i < 300; i++) { list(data); JSON.stringify(data) }
    for (let round = 0; round < 30; round++) {
      let start = process.hrtime.bigint()
      for (let i = 0; i < 100; i++) list(data)
      best.fast = Math.min(best.fast, Number(process.hrtime.bigint() - start) / 100)
      start = process.hrtime.bigint()
      for (let i = 0; i < 100; i++) JSON.stringify(data)
      best.json = Math.min(best.json, Number(process.hrtime.bigint() - start) / 100)
    }
    t.comment(`${name}: fast-json-stringify ${(best.fast / 1000).toFixed(1)} µs, JSON.stringify ${(best.json / 1000).toFixed(1)} µs, speed-up ×${(best.json / best.fast).toFixed(2)} (Node ${process.versions.node})`)
  }
  t.pass('measured')
})
