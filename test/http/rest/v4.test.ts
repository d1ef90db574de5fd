/**
 * `Strapi-Response-Format: v4` (contract §27.1): what `transformResponse` answers takes Strapi v4's shape. Entries
 * `{ id, documentId, attributes }`, relations (media and localizations too) `{ data }` at any depth, components
 * and zone items flat with their relations wrapped; errors, DELETE and plugin routes unchanged. Each expected
 * body is written from the same request's v5 answer, so the test states the reshaping and nothing else.
 */
import t, { type Test } from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import qs from 'qs'
import { createCoreController, type RequestContext } from '../../../lib/index.js'
import { buildApp } from '../../helpers/app.js'
import { MEDIA_COMPONENTS, MEDIA_CONTENT_TYPES } from '../../helpers/media-model.js'
import { seedBlog } from './seed.js'
import { blogApp, isError, type Reply, sender } from './helpers.js'

type Entry = Record<string, any>
type Helpers = { transformResponse: (data: unknown, meta?: Record<string, unknown>) => unknown, sanitizeOutput: (data: unknown, ctx: RequestContext) => Promise<unknown> }

const V4 = { 'strapi-response-format': 'v4' }

// A project controller: a custom action answering through transformResponse, and a core action wrapped with super.
const categories = createCoreController('api::category.category', ({ vellum }) => ({
  async top (this: Helpers, ctx: RequestContext) {
    const entries = await vellum.documents('api::category.category').findMany({ fields: ['name'], populate: { parent: { fields: ['name'] } }, sort: 'name', limit: 2 })
    return this.transformResponse(await this.sanitizeOutput(entries, ctx), { source: 'top' })
  },
  async findOne (ctx: RequestContext) {
    return await super.findOne(ctx)
  }
}))

const app = await blogApp(t, {
  controllers: [categories],
  routes: [{ routes: [{ method: 'GET', path: '/categories-top', handler: 'api::category.category.top' }] }]
})
const blog = await seedBlog(app)
const send = sender(app)

/** The same GET in v5 (no header) and in v4, both 200. */
async function both (t: Test, path: string, query: Record<string, unknown> = {}): Promise<{ v5: Entry, v4: Entry }> {
  const url = `${path}?${qs.stringify(query, { encodeValuesOnly: true })}`
  const [v5, v4] = [await send('GET', url), await send('GET', url, undefined, V4)]
  t.equal(v5.status, 200, `v5 ${url}`)
  t.equal(v4.status, 200, `v4 ${url}`)
  return { v5: v5.body, v4: v4.body }
}

/** The v4 entry of a v5 entry whose keys are all plain (no relation). */
function flat (entry: Entry): Entry {
  const { id, documentId, ...attributes } = entry
  return { id, documentId, attributes }
}

t.test('a list: entries { id, documentId, attributes } with every other key, meta unchanged', async (t) => {
  const { v5, v4 } = await both(t, '/api/articles', { sort: 'title', pagination: { pageSize: 2 } })
  t.same(v4, { data: v5.data.map(flat), meta: v5.meta })
  t.same(Object.keys(v4.data[0]), ['id', 'documentId', 'attributes'], 'nothing else beside attributes')
  t.match(v4.data[0].attributes, { title: 'Alpha news', locale: 'en', createdAt: String, publishedAt: String })
  t.notOk('id' in v4.data[0].attributes || 'documentId' in v4.data[0].attributes, 'ids never inside attributes')

  const page = await both(t, '/api/articles', { fields: ['title'], sort: 'title', pagination: { start: 1, limit: 1 } })
  t.same(page.v4, { data: [{ id: page.v5.data[0].id, documentId: blog.beta, attributes: { title: 'Beta review' } }], meta: page.v5.meta }, 'fields: only the selected ones; start/limit meta as it is')
})

t.test('one entry: relations wrapped at every depth, empty ones { data: null } / { data: [] }, components and zones flat', async (t) => {
  const { v5, v4 } = await both(t, `/api/articles/${blog.alpha}`, {
    fields: ['title'],
    populate: {
      category: { fields: ['name'], populate: { parent: { fields: ['name'] }, children: { fields: ['name'] } } },
      tags: { fields: ['name'] },
      reviewer: { fields: ['name'] },
      relatedArticles: { fields: ['title'] },
      seo: true,
      blocks: true
    }
  })
  const a = v5.data
  t.same(v4, {
    data: {
      id: a.id,
      documentId: blog.alpha,
      attributes: {
        title: 'Alpha news',
        category: { data: { id: blog.news.id, documentId: blog.news.documentId, attributes: { name: 'News', parent: { data: null }, children: { data: [flat(a.category.children[0])] } } } },
        tags: { data: a.tags.map(flat) },
        reviewer: { data: null },
        relatedArticles: { data: [] },
        seo: a.seo,
        blocks: a.blocks
      }
    },
    meta: {}
  })
  t.equal(a.category.children[0].documentId, blog.tech.documentId)
  t.same(v4.data.attributes.tags.data.map((tag: Entry) => tag.attributes.name), ['red', 'green'])
  t.same(Object.keys(v4.data.attributes.seo), ['id', 'metaTitle', 'metaDescription', 'noIndex'], 'a component: flat, id first')
  t.same(v4.data.attributes.blocks.map((b: Entry) => b.__component), ['content.quote', 'content.rich-text', 'content.quote'])

  const nested = await both(t, `/api/articles/${blog.gamma}`, { fields: ['title'], populate: { relatedArticles: { fields: ['title'], populate: { category: { fields: ['name'] } } } } })
  const related = nested.v5.data.relatedArticles[0]
  t.same(nested.v4.data.attributes.relatedArticles, {
    data: [{ id: related.id, documentId: blog.alpha, attributes: { title: 'Alpha news', category: { data: flat(related.category) } } }]
  }, 'a relation of a relation is wrapped again inside its parent\'s attributes')
})

t.test('counts: { data: { attributes: { count } } }; localizations wrapped like a relation', async (t) => {
  const { v4 } = await both(t, `/api/articles/${blog.alpha}`, { fields: ['title'], populate: { tags: { count: true } } })
  t.same(v4.data.attributes, { title: 'Alpha news', tags: { data: { attributes: { count: 2 } } } })

  const localized = await both(t, `/api/articles/${blog.alpha}`, { fields: ['title'], populate: { localizations: { fields: ['title'] } } })
  const fr = localized.v5.data.localizations
  t.equal(fr.length, 1)
  t.same(localized.v4.data.attributes, { title: 'Alpha news', localizations: { data: fr.map(flat) } })
  t.equal(localized.v4.data.attributes.localizations.data[0].attributes.title, 'Alpha nouvelles')
})

t.test('a single type: the entry reshaped, a relation inside a component wrapped, nested components flat', async (t) => {
  const { v5, v4 } = await both(t, '/api/homepage', {
    fields: ['title'],
    populate: { hero: { populate: { cta: true, article: { fields: ['title'] } } }, highlight: { fields: ['title'] }, featuredArticles: { fields: ['title'] }, sections: true }
  })
  const home = v5.data
  t.same(v4, {
    data: {
      id: home.id,
      documentId: home.documentId,
      attributes: {
        title: 'Home',
        hero: { ...home.hero, article: { data: flat(home.hero.article) } },
        highlight: { data: flat(home.highlight) },
        featuredArticles: { data: home.featuredArticles.map(flat) },
        sections: home.sections
      }
    },
    meta: {}
  })
  t.equal(v4.data.attributes.hero.cta.label, 'Read', 'a component inside a component: flat')
})

t.test('create (201) and update answer v4, a relation inside a zone item wrapped; single-type update too', async (t) => {
  const query = qs.stringify({ fields: ['title'], populate: { category: { fields: ['name'] }, blocks: { on: { 'shared.hero': { populate: { article: { fields: ['title'] } } } } } } }, { encodeValuesOnly: true })
  const created = await send('POST', `/api/articles?${query}`, {
    data: { title: 'Zoned', category: blog.life.documentId, blocks: [{ __component: 'shared.hero', heading: 'H', article: blog.beta }] }
  }, V4)
  t.equal(created.status, 201)
  const entry = created.body.data
  t.same(Object.keys(entry), ['id', 'documentId', 'attributes'])
  t.same(entry.attributes.category, { data: { id: blog.life.id, documentId: blog.life.documentId, attributes: { name: 'Life' } } })
  t.match(entry.attributes.blocks, [{ id: Number, __component: 'shared.hero', heading: 'H', article: { data: { documentId: blog.beta, attributes: { title: 'Beta review' } } } }])
  t.notOk('attributes' in entry.attributes.blocks[0], 'a zone item stays flat')
  t.same(created.body.meta, {})

  const updated = await send('PUT', `/api/articles/${String(entry.documentId)}?fields[0]=title&populate[category][fields][0]=name`, { data: { title: 'Rezoned', category: null } }, V4)
  t.equal(updated.status, 200)
  t.same(updated.body, { data: { id: entry.id, documentId: entry.documentId, attributes: { title: 'Rezoned', category: { data: null } } }, meta: {} })

  const home = await send('PUT', '/api/homepage?fields[0]=title&populate[highlight][fields][0]=title', { data: { title: 'Home again', highlight: blog.gamma } }, V4)
  t.equal(home.status, 200)
  t.match(home.body, { data: { id: Number, documentId: String, attributes: { title: 'Home again', highlight: { data: { documentId: blog.gamma, attributes: { title: 'Gamma opinion' } } } } }, meta: {} })
})

t.test('only the exact value v4 switches: V4 answers v5', async (t) => {
  const url = `/api/articles/${blog.alpha}?populate[category][fields][0]=name`
  const v5 = await send('GET', url)
  const upper = await send('GET', url, undefined, { 'Strapi-Response-Format': 'V4' })
  t.same(upper.body, v5.body)
  t.equal(upper.body.data.category.name, 'News')
  const named = await send('GET', url, undefined, { 'STRAPI-RESPONSE-FORMAT': 'v4' })
  t.equal(named.body.data.attributes.category.data.attributes.name, 'News', 'the header\'s name is case-insensitive')
})

t.test('errors and DELETE are unchanged by the header', async (t) => {
  const same = async (method: 'GET' | 'DELETE', url: string): Promise<Reply> => {
    const [plain, v4] = [await send(method, url), await send(method, url, undefined, V4)]
    t.equal(v4.status, plain.status)
    t.equal(v4.text, plain.text, `${method} ${url}: the same body`)
    return v4
  }
  isError(t, await same('GET', '/api/articles/nope'), 404, 'NotFoundError', 'Not Found')
  isError(t, await same('GET', '/api/articles?fields[0]=nope'), 400, 'ValidationError', 'Invalid key nope')
  const doomed = await send('POST', '/api/tags', { data: { name: 'doomed' } })
  const deleted = await send('DELETE', `/api/tags/${String(doomed.body.data.documentId)}`, undefined, V4)
  t.equal(deleted.status, 204)
  t.equal(deleted.text, '', 'no body')
})

t.test('project controllers: a custom action calling this.transformResponse, a core action through super', async (t) => {
  const top = await send('GET', '/api/categories-top', undefined, V4)
  t.equal(top.status, 200)
  t.same(top.body, {
    data: [
      { id: blog.life.id, documentId: blog.life.documentId, attributes: { name: 'Life', parent: { data: null } } },
      { id: blog.news.id, documentId: blog.news.documentId, attributes: { name: 'News', parent: { data: null } } }
    ],
    meta: { source: 'top' }
  })
  const plain = await send('GET', '/api/categories-top')
  t.same(plain.body.data[0], { id: blog.life.id, documentId: blog.life.documentId, name: 'Life', parent: null }, 'v5 without the header')

  const { v5, v4 } = await both(t, `/api/categories/${blog.tech.documentId}`, { fields: ['name'], populate: { parent: { fields: ['name'] } } })
  t.same(v4.data, { id: blog.tech.id, documentId: blog.tech.documentId, attributes: { name: 'Tech', parent: { data: flat(v5.data.parent) } } })
})

t.test('media: single and multiple wrapped like relations, also inside components and zones; the upload plugin\'s routes unchanged', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vellum-v4-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const media = await buildApp(t, { dir, contentTypes: MEDIA_CONTENT_TYPES, components: MEDIA_COMPONENTS, permissions: { public: ['api::article.article.create', 'api::article.article.findOne', 'plugin::upload.content-api.find'] } })
  const sendMedia = sender(media)
  const file = async (name: string): Promise<Entry> => await media.vellum.documents('plugin::upload.file').create({
    data: { name: `${name}.png`, hash: `${name}_0123`, ext: '.png', mime: 'image/png', size: 1.5, url: `/uploads/${name}_0123.png`, provider: 'local', folderPath: '/' }
  })
  const [cat, dog] = [await file('cat'), await file('dog')]
  const populate = { cover: true, gallery: true, seo: { populate: ['shareImage'] }, blocks: { on: { 'shared.media-block': { populate: ['file'] } } } }
  const query = qs.stringify({ fields: ['title'], populate }, { encodeValuesOnly: true })
  const full = await sendMedia('POST', `/api/articles?${query}`, {
    data: { title: 'Full', cover: cat.id, gallery: [dog.id, cat.id], seo: { metaTitle: 'M', shareImage: dog.id }, blocks: [{ __component: 'shared.media-block', file: cat.id }] }
  })
  t.equal(full.status, 201)
  const a = full.body.data
  const v4 = await sendMedia('GET', `/api/articles/${String(a.documentId)}?${query}`, undefined, V4)
  t.same(v4.body.data, {
    id: a.id,
    documentId: a.documentId,
    attributes: {
      title: 'Full',
      cover: { data: flat(a.cover) },
      gallery: { data: a.gallery.map(flat) },
      seo: { id: a.seo.id, metaTitle: 'M', shareImage: { data: flat(a.seo.shareImage) } },
      blocks: [{ id: a.blocks[0].id, __component: 'shared.media-block', file: { data: flat(a.blocks[0].file) } }]
    }
  })
  t.same(Object.keys(v4.body.data.attributes.cover.data.attributes), ['name', 'alternativeText', 'caption', 'focalPoint', 'width', 'height', 'formats', 'hash', 'ext',
    'mime', 'size', 'url', 'previewUrl', 'provider', 'provider_metadata', 'createdAt', 'updatedAt', 'publishedAt'], 'a file\'s attributes, as Strapi lists them')

  const empty = await sendMedia('POST', `/api/articles?${query}`, { data: { title: 'Empty', seo: { metaTitle: 'E' } } }, V4)
  t.equal(empty.status, 201)
  t.same(empty.body.data.attributes, { title: 'Empty', cover: { data: null }, gallery: { data: [] }, seo: { id: empty.body.data.attributes.seo.id, metaTitle: 'E', shareImage: { data: null } }, blocks: [] })

  const files = await sendMedia('GET', '/api/upload/files?sort=id', undefined, V4)
  t.equal(files.status, 200)
  t.same(files.body.map((f: Entry) => f.name), ['cat.png', 'dog.png'], 'a bare array of flat files')
})
