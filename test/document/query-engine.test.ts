/**
 * How the Document Service and the Query Engine meet: to-one links shared by the rows of one document, and
 * the workarounds' observable behaviour. Inline model: a draft & publish
 * `post` and a localized `page` linking a plain `label` one-to-one.
 */
import t from 'tap'
import type { ContentTypeDefinition } from '../../lib/content-types/index.js'
import type { DocumentEntry } from '../../lib/document/index.js'
import { rejection, setup } from './helpers.js'

const type = (singularName: string, pluralName: string, options: Partial<ContentTypeDefinition>, attributes: ContentTypeDefinition['attributes']): ContentTypeDefinition => ({
  kind: 'collectionType',
  collectionName: pluralName,
  info: { singularName, pluralName, displayName: singularName },
  options: { draftAndPublish: false },
  attributes,
  ...options
})

const contentTypes: ContentTypeDefinition[] = [
  type('label', 'labels', {}, {
    name: { type: 'string' },
    code: { type: 'string', writable: false }
  }),
  type('post', 'posts', { options: { draftAndPublish: true } }, {
    title: { type: 'string' },
    label: { type: 'relation', relation: 'oneToOne', target: 'api::label.label' },
    labels: { type: 'relation', relation: 'manyToMany', target: 'api::label.label' },
    next: { type: 'relation', relation: 'oneToOne', target: 'api::post.post' }
  }),
  type('page', 'pages', { pluginOptions: { i18n: { localized: true } } }, {
    title: { type: 'string', pluginOptions: { i18n: { localized: true } } },
    label: { type: 'relation', relation: 'oneToOne', target: 'api::label.label' }
  }),
  type('board', 'boards', {}, {
    name: { type: 'string' },
    pinned: { type: 'relation', relation: 'oneToOne', target: 'api::post.post' }
  })
]

const { documents, reset } = await setup(t, { contentTypes })
const posts = documents('api::post.post')
const labels = documents('api::label.label')

t.beforeEach(async () => { await reset() })

const labelOf = async (uid: string, documentId: string, status: 'draft' | 'published', locale?: string): Promise<unknown> => {
  const entry = await documents(uid).findOne({ documentId, status, ...(locale !== undefined && { locale }), populate: ['label'] })
  return (entry?.label as DocumentEntry | null)?.name ?? null
}

t.test('non-writable attributes are invalid keys', async (t) => {
  t.match(await rejection(labels.create({ data: { name: 'x', code: 'y' } })), { name: 'ValidationError', message: 'Invalid key code' })
})

t.test('a oneToOne link to a plain type is kept by the draft when published', async (t) => {
  const label = await labels.create({ data: { name: 'L' } })
  const post = await posts.create({ data: { title: 'P', label: label.documentId }, status: 'published' })
  t.equal(await labelOf('api::post.post', post.documentId, 'published'), 'L')
  t.equal(await labelOf('api::post.post', post.documentId, 'draft'), 'L', 'the draft keeps its link when the published row links the same target')
})

t.test('a oneToOne link to a plain type is kept by every locale', async (t) => {
  const label = await labels.create({ data: { name: 'L' } })
  const page = await documents('api::page.page').create({ data: { title: 'EN', label: label.documentId } })
  await documents('api::page.page').update({ documentId: page.documentId, locale: 'fr', data: { title: 'FR', label: label.documentId } })
  t.equal(await labelOf('api::page.page', page.documentId, 'draft', 'fr'), 'L')
  t.equal(await labelOf('api::page.page', page.documentId, 'draft', 'en'), 'L', 'the English row keeps its link')
})

t.test('workaround: oneToOne and oneToMany links to a never-published target are dropped on publish, as in Strapi', async (t) => {
  const target = await posts.create({ data: { title: 'Target' } })
  const source = await posts.create({ data: { title: 'Source', next: target.documentId } })
  await posts.publish({ documentId: source.documentId })
  await posts.publish({ documentId: target.documentId })
  const published = await posts.findOne({ documentId: source.documentId, status: 'published', populate: ['next'] })
  t.equal(published?.next, null, 'not pending: the draft would lose its own link')
  const draft = await posts.findOne({ documentId: source.documentId, populate: ['next'] })
  t.equal((draft?.next as DocumentEntry).title, 'Target', 'the draft keeps it; the next publication carries it')
  await posts.publish({ documentId: source.documentId })
  t.equal(((await posts.findOne({ documentId: source.documentId, status: 'published', populate: ['next'] }))?.next as DocumentEntry).title, 'Target')
})

t.test('workaround: a plain type links one row of a draft & publish target through a to-one relation', async (t) => {
  const post = await posts.create({ data: { title: 'Draft only' } })
  const board = await documents('api::board.board').create({ data: { name: 'B', pinned: post.documentId } })
  const read = async (status: 'draft' | 'published'): Promise<unknown> => ((await documents('api::board.board').findOne({ documentId: board.documentId, status, populate: ['pinned'] }))?.pinned as DocumentEntry | null)?.title ?? null
  t.equal(await read('draft'), 'Draft only', 'the draft while there is no published row')
  await posts.publish({ documentId: post.documentId })
  t.equal(await read('published'), 'Draft only', 'the published row once published')
  t.equal(await read('draft'), null, 'so draft reads no longer see it (a to-one holds one row)')
  await posts.unpublish({ documentId: post.documentId })
  t.equal(await read('draft'), 'Draft only', 'back to the draft on unpublish')
})

t.test('many-to-many links to plain rows stay on both rows of a document', async (t) => {
  const label = await labels.create({ data: { name: 'L' } })
  const post = await posts.create({ data: { title: 'P', labels: [label.documentId] }, status: 'published' })
  const names = async (status: 'draft' | 'published'): Promise<unknown> => ((await posts.findOne({ documentId: post.documentId, status, populate: ['labels'] }))?.labels as DocumentEntry[]).map(l => l.name)
  t.same(await names('draft'), ['L'])
  t.same(await names('published'), ['L'])
})

t.test('draft & publish on a non-localized type: no locale anywhere, locale params ignored', async (t) => {
  const label = await labels.create({ data: { name: 'L' } })
  const post = await posts.create({ data: { title: 'One', labels: [label.documentId] }, locale: 'fr' })
  t.notOk('locale' in post)
  await posts.update({ documentId: post.documentId, data: { title: 'Two' }, status: 'published' })
  await posts.update({ documentId: post.documentId, data: { title: 'Three', labels: [] } })
  t.equal((await posts.findOne({ documentId: post.documentId, status: 'published', locale: 'de' }))?.title, 'Two')
  const discarded = await posts.discardDraft({ documentId: post.documentId, locale: 'fr' })
  t.match(discarded.entries, [{ title: 'Two', publishedAt: null }])
  t.notOk('locale' in discarded.entries[0]!)
  const draft = await posts.findOne({ documentId: post.documentId, populate: ['labels'] })
  t.same((draft?.labels as DocumentEntry[]).map(l => l.name), ['L'], 'relations restored from the published version')
  t.equal((await posts.unpublish({ documentId: post.documentId })).entries.length, 1)
  t.equal(await posts.count({ status: 'published' }), 0)
  t.equal((await posts.delete({ documentId: post.documentId, locale: 'de' })).entries.length, 1, 'every row of the document')
  t.equal(await posts.count(), 0)
})
