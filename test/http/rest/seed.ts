/**
 * A small blog written through the Document Service, for the REST read tests (query parameters, private
 * fields): three published English articles, one draft-only article, one French localization, categories in
 * a tree, tags, authors with private data, a homepage.
 */
import type { FastifyInstance } from 'fastify'

export interface Blog {
  news: { documentId: string, id: number }
  tech: { documentId: string, id: number }
  life: { documentId: string, id: number }
  red: string
  green: string
  blue: string
  grey: string
  ann: string
  bob: string
  alpha: string
  beta: string
  gamma: string
  delta: string
}

/** Seeds the blog model. Secrets (private/password values) all contain "secret". */
export async function seedBlog (app: FastifyInstance): Promise<Blog> {
  const documents = app.vellum.documents
  const create = async (uid: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    await documents(uid).create({ data, ...extra })
  const news = await create('api::category.category', { name: 'News', position: 1 })
  const tech = await create('api::category.category', { name: 'Tech', position: 2, parent: news.documentId })
  const life = await create('api::category.category', { name: 'Life', position: 3 })
  const [red, green, blue, grey] = await Promise.all(['red', 'green', 'blue', 'grey'].map(async name =>
    await create('api::tag.tag', { name, color: name })))
  const ann = await create('api::author.author', {
    name: 'Ann',
    email: 'ann@example.com',
    password: 'ann-secret-password',
    internalNote: 'ann-secret-note',
    bio: 'Writes the news',
    socialLinks: [{ label: 'GitHub', url: 'https://github.com/ann' }, { label: 'Blog', url: 'https://ann.example.com' }]
  })
  const bob = await create('api::author.author', {
    name: 'Bob',
    email: 'bob@example.com',
    password: 'bob-secret-password',
    internalNote: 'bob-secret-note',
    mentor: ann.documentId,
    following: [ann.documentId]
  })
  const published = { status: 'published' as const }
  const alpha = await create('api::article.article', {
    title: 'Alpha news',
    excerpt: '100% pure',
    views: 10,
    kind: 'news',
    featured: true,
    publishedDate: '2024-01-10',
    internalNotes: 'alpha-secret',
    category: news.documentId,
    author: ann.documentId,
    tags: [red!.documentId, green!.documentId],
    seo: { metaTitle: 'Alpha SEO' },
    blocks: [
      { __component: 'content.quote', text: 'First quote', author: 'Q' },
      { __component: 'content.rich-text', body: 'Some rich text' },
      { __component: 'content.quote', text: 'Second quote' }
    ]
  }, published)
  const beta = await create('api::article.article', {
    title: 'Beta review',
    excerpt: 'under_score',
    views: 20,
    kind: 'review',
    publishedDate: '2024-02-10',
    internalNotes: 'beta-secret',
    category: tech.documentId,
    author: bob.documentId,
    reviewer: ann.documentId,
    tags: [blue!.documentId],
    seo: { metaTitle: 'Beta SEO', metaDescription: 'About beta' }
  }, published)
  const gamma = await create('api::article.article', {
    title: 'Gamma opinion',
    views: 30,
    kind: 'opinion',
    author: ann.documentId,
    relatedArticles: [alpha.documentId]
  }, published)
  const delta = await create('api::article.article', {
    title: 'Delta draft',
    views: 40,
    kind: 'news',
    internalNotes: 'delta-secret',
    category: news.documentId,
    tags: [red!.documentId]
  })
  await documents('api::article.article').update({ documentId: alpha.documentId, locale: 'fr', data: { title: 'Alpha nouvelles' }, ...published })
  await documents('api::homepage.homepage').create({
    data: {
      title: 'Home',
      hero: { heading: 'Welcome', cta: { label: 'Read', url: '/read' }, article: alpha.documentId },
      sections: [{ __component: 'content.quote', text: 'Home quote' }, { __component: 'content.rich-text', body: 'Home text' }],
      highlight: beta.documentId,
      featuredArticles: [alpha.documentId, gamma.documentId]
    },
    ...published
  })
  return {
    news: { documentId: news.documentId, id: news.id },
    tech: { documentId: tech.documentId, id: tech.id },
    life: { documentId: life.documentId, id: life.id },
    red: red!.documentId,
    green: green!.documentId,
    blue: blue!.documentId,
    grey: grey!.documentId,
    ann: ann.documentId,
    bob: bob.documentId,
    alpha: alpha.documentId,
    beta: beta.documentId,
    gamma: gamma.documentId,
    delta: delta.documentId
  }
}
