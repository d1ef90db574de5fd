import { join } from 'node:path'
import t from 'tap'
import {
  defineComponent, defineContentType, isApiContentType, type ComponentAttribute, type DynamicZoneAttribute, type LifecycleEvent, type RelationAttribute, type ScalarAttribute, type Schema
} from '../../lib/content-types/index.js'
import { loadSchema } from '../../lib/project/index.js'
import { buildPhysicalModel } from '../../lib/db/physical.js'
import { collectionType, fixture, referenceModel, schemaPath, writeProject } from './helpers.js'
import '../helpers/typescript.js'

/** The project's own content types (every schema also has the built-in plugin::upload.* ones). */
const apiUids = (schema: Schema): string[] => [...schema.contentTypes.values()].filter(isApiContentType).map(c => c.uid)

function scalar (schema: Schema, uid: string, name: string): ScalarAttribute {
  const attribute = schema.get(uid)?.attributes[name]
  if (attribute === undefined || attribute.type === 'relation' || attribute.type === 'morph' || attribute.type === 'component' || attribute.type === 'dynamiczone') {
    throw new Error(`${uid}.${name} is not a scalar attribute`)
  }
  return attribute
}

function relation (schema: Schema, uid: string, name: string): RelationAttribute {
  const attribute = schema.get(uid)?.attributes[name]
  if (attribute?.type !== 'relation') throw new Error(`${uid}.${name} is not a relation`)
  return attribute
}

t.test('the fixture project loads every content type and component, in sorted order', async (t) => {
  const schema = await loadSchema({ dir: fixture })
  t.strictSame(apiUids(schema), [
    'api::article.article',
    'api::author.author',
    'api::author-profile.author-profile',
    'api::category.category',
    'api::homepage.homepage',
    'api::tag.tag'
  ])
  t.strictSame([...schema.components.keys()], ['content.quote', 'content.rich-text', 'shared.hero', 'shared.link', 'shared.seo'])
  t.equal(schema.get('api::tag.tag'), schema.contentTypes.get('api::tag.tag'))
  t.equal(schema.get('shared.seo'), schema.components.get('shared.seo'))
  t.equal(schema.get('api::nope.nope'), undefined)
})

t.test('content types carry their identity, table and options with defaults filled in', async (t) => {
  const schema = await loadSchema({ dir: fixture })
  const article = schema.contentTypes.get('api::article.article')
  t.match(article, {
    uid: 'api::article.article',
    kind: 'collectionType',
    collectionName: 'articles',
    singularName: 'article',
    pluralName: 'articles',
    displayName: 'Article',
    description: 'A blog post, localized, with drafts',
    namespace: 'api',
    apiName: 'article',
    draftAndPublish: true,
    localized: true,
    source: schemaPath(fixture, 'article')
  })
  const profile = schema.contentTypes.get('api::author-profile.author-profile')
  t.equal(profile?.collectionName, 'author_profiles', 'collectionName defaults to the snake_case plural')
  t.equal(profile?.draftAndPublish, false, 'draftAndPublish is false when options are absent')
  t.equal(profile?.localized, false)
  t.equal(schema.contentTypes.get('api::author.author')?.draftAndPublish, false)
  t.match(schema.contentTypes.get('api::homepage.homepage'), { kind: 'singleType', draftAndPublish: true, localized: true })
  t.notOk('lifecycles' in (article ?? {}), 'file-based types have no inline lifecycles')
})

t.test('attribute defaults follow Strapi', async (t) => {
  const schema = await loadSchema({ dir: fixture })
  t.strictSame(scalar(schema, 'api::author.author', 'bio'), {
    name: 'bio',
    required: false,
    private: false,
    writable: true,
    configurable: true,
    localized: false,
    type: 'text',
    unique: false,
    searchable: true
  })
  t.equal(scalar(schema, 'api::author.author', 'password').private, true, 'password is always private')
  t.equal(scalar(schema, 'api::author.author', 'internalNote').private, true)
  t.equal(scalar(schema, 'api::author.author', 'email').unique, true)
  t.equal(scalar(schema, 'api::article.article', 'slug').unique, true, 'uid is always unique')
  t.equal(scalar(schema, 'api::article.article', 'internalNotes').searchable, false)
  t.equal(scalar(schema, 'api::article.article', 'title').required, true)
})

t.test('scalar options are kept where they apply', async (t) => {
  const schema = await loadSchema({ dir: fixture })
  t.match(scalar(schema, 'api::article.article', 'title'), { type: 'string', maxLength: 200 })
  t.match(scalar(schema, 'api::article.article', 'slug'), { type: 'uid', targetField: 'title' })
  t.match(scalar(schema, 'api::article.article', 'views'), { type: 'integer', min: 0, default: 0 })
  t.match(scalar(schema, 'api::article.article', 'shareCount'), { type: 'biginteger', min: '0', default: '0' })
  t.match(scalar(schema, 'api::article.article', 'rating'), { type: 'decimal', min: 0, max: 5 })
  t.strictSame(scalar(schema, 'api::article.article', 'kind').enum, ['news', 'review', 'opinion'])
  t.equal(scalar(schema, 'api::article.article', 'kind').default, 'news')
  t.equal(scalar(schema, 'api::author-profile.author-profile', 'website').regex, '^https?://')
  t.equal(scalar(schema, 'api::author.author', 'name').minLength, 2)
  const types = Object.values(schema.contentTypes.get('api::article.article')?.attributes ?? {}).map(a => a.type)
  for (const type of ['blocks', 'time', 'datetime', 'timestamp', 'json', 'float', 'date', 'boolean', 'richtext', 'text']) {
    t.ok(types.includes(type as never), `article has a ${type} attribute`)
  }
})

t.test('attributes of a localized type are localized when they say so (Strapi 5\'s rule); relations and uid always are', async (t) => {
  const schema = await loadSchema({ dir: fixture })
  const localized = (uid: string, name: string): boolean | undefined => schema.get(uid)?.attributes[name]?.localized
  t.equal(localized('api::article.article', 'title'), true, 'localized: true')
  t.equal(localized('api::article.article', 'excerpt'), false, 'no pluginOptions: not localized')
  t.equal(localized('api::article.article', 'views'), false, 'localized: false opts out')
  t.equal(localized('api::article.article', 'slug'), true)
  t.equal(localized('api::article.article', 'category'), true)
  t.equal(localized('api::article.article', 'seo'), true)
  t.equal(localized('api::author.author', 'name'), false, 'never on a non-localized type')
  t.equal(localized('shared.seo', 'metaTitle'), false, 'never on components')

  const inline = await loadSchema({
    contentTypes: [defineContentType({
      kind: 'collectionType',
      info: { singularName: 'page', pluralName: 'pages' },
      pluginOptions: { i18n: { localized: true } },
      attributes: {
        slug: { type: 'uid', pluginOptions: { i18n: { localized: false } } },
        parent: { type: 'relation', relation: 'oneToOne', target: 'api::page.page', pluginOptions: { i18n: { localized: false } } },
        title: { type: 'string', pluginOptions: { i18n: { localized: true } } }
      }
    })]
  })
  t.equal(inline.get('api::page.page')?.attributes.slug?.localized, true, 'uid ignores the opt-out')
  t.equal(inline.get('api::page.page')?.attributes.parent?.localized, true, 'relations ignore the opt-out')
  t.equal(inline.get('api::page.page')?.attributes.title?.localized, true)
})

t.test('relation sides: owner, toMany and ownerAttribute for every kind', async (t) => {
  const schema = await loadSchema({ dir: fixture })
  const cases: Array<[string, string, Partial<RelationAttribute>]> = [
    // two-way
    ['api::article.article', 'category', { relation: 'manyToOne', inversedBy: 'articles', owner: true, toMany: false }],
    ['api::category.category', 'articles', { relation: 'oneToMany', mappedBy: 'category', ownerAttribute: 'category', owner: false, toMany: true }],
    ['api::article.article', 'tags', { relation: 'manyToMany', inversedBy: 'articles', owner: true, toMany: true }],
    ['api::tag.tag', 'articles', { relation: 'manyToMany', mappedBy: 'tags', ownerAttribute: 'tags', owner: false, toMany: true }],
    ['api::author.author', 'profile', { relation: 'oneToOne', inversedBy: 'author', owner: true, toMany: false }],
    ['api::author-profile.author-profile', 'author', { relation: 'oneToOne', mappedBy: 'profile', ownerAttribute: 'profile', owner: false, toMany: false }],
    // two-way self relations
    ['api::category.category', 'parent', { relation: 'manyToOne', target: 'api::category.category', inversedBy: 'children', owner: true }],
    ['api::category.category', 'children', { relation: 'oneToMany', target: 'api::category.category', mappedBy: 'parent', owner: false, toMany: true }],
    ['api::author.author', 'following', { relation: 'manyToMany', target: 'api::author.author', inversedBy: 'followers', owner: true }],
    ['api::author.author', 'followers', { relation: 'manyToMany', target: 'api::author.author', mappedBy: 'following', owner: false }],
    // one-way
    ['api::homepage.homepage', 'highlight', { relation: 'oneToOne', owner: true, toMany: false }],
    ['api::homepage.homepage', 'featuredArticles', { relation: 'oneToMany', owner: true, toMany: true }],
    ['api::article.article', 'reviewer', { relation: 'manyToOne', owner: true, toMany: false }],
    ['api::article.article', 'relatedArticles', { relation: 'manyToMany', target: 'api::article.article', owner: true, toMany: true }],
    ['api::author.author', 'mentor', { relation: 'oneToOne', target: 'api::author.author', owner: true, toMany: false }],
    ['shared.hero', 'article', { relation: 'oneToOne', target: 'api::article.article', owner: true, toMany: false }]
  ]
  for (const [uid, name, expected] of cases) t.match(relation(schema, uid, name), expected, `${uid}.${name}`)
  for (const name of ['highlight', 'featuredArticles']) {
    const attribute = relation(schema, 'api::homepage.homepage', name)
    t.notOk('inversedBy' in attribute || 'mappedBy' in attribute || 'ownerAttribute' in attribute, `${name} is one-way`)
  }
})

t.test('components: identity, default table names, nesting, repeatable, dynamic zones', async (t) => {
  const schema = await loadSchema({ dir: fixture })
  t.match(schema.components.get('shared.hero'), {
    uid: 'shared.hero',
    kind: 'component',
    category: 'shared',
    namespace: 'shared',
    singularName: 'hero',
    pluralName: 'heroes',
    collectionName: 'components_shared_heroes',
    displayName: 'Hero',
    draftAndPublish: false,
    localized: false,
    source: join(fixture, 'src', 'components', 'shared', 'hero.json')
  })
  t.equal(schema.components.get('content.rich-text')?.collectionName, 'components_content_rich_texts')
  t.equal(schema.components.get('shared.link')?.collectionName, 'components_shared_links')
  t.equal(schema.components.get('shared.seo')?.collectionName, 'components_shared_seos', 'explicit collectionName')

  const cta = schema.get('shared.hero')?.attributes.cta as ComponentAttribute
  t.match(cta, { type: 'component', component: 'shared.link', repeatable: false })
  const links = schema.get('api::author.author')?.attributes.socialLinks as ComponentAttribute
  t.match(links, { type: 'component', component: 'shared.link', repeatable: true, max: 5 })
  const blocks = schema.get('api::article.article')?.attributes.blocks as DynamicZoneAttribute
  t.strictSame(blocks.components, ['content.rich-text', 'content.quote', 'shared.hero'])
  t.equal(blocks.max, 20)
})

t.test('the reference Strapi model loads unchanged', async (t) => {
  const schema = await loadSchema({ dir: referenceModel })
  t.strictSame(apiUids(schema), ['api::article.article', 'api::author.author', 'api::category.category', 'api::homepage.homepage', 'api::tag.tag'])
  t.strictSame([...schema.components.keys()], ['shared.quote', 'shared.rich-text', 'shared.seo'])
  t.equal(schema.contentTypes.get('api::article.article')?.source, schemaPath(referenceModel, 'article'))
  t.match(relation(schema, 'api::author.author', 'articles'), { owner: false, mappedBy: 'author', ownerAttribute: 'author' })
  t.match(schema.get('api::article.article')?.attributes.blocks, { type: 'dynamiczone', components: ['shared.quote', 'shared.rich-text'] })
  t.equal(schema.get('api::article.article')?.attributes.rating?.localized, false)
})

t.test('inline definitions: default uid, lifecycles, relations to file-based types', async (t) => {
  const beforeCreate = (event: LifecycleEvent): void => { event.state.seen = event.model.tableName }
  const afterCommit = (): void => {}
  const schema = await loadSchema({
    dir: fixture,
    contentTypes: [
      defineContentType({
        kind: 'collectionType',
        info: { singularName: 'note', pluralName: 'notes', displayName: 'Note' },
        attributes: {
          text: { type: 'text', renamedFrom: 'body' },
          article: { type: 'relation', relation: 'manyToOne', target: 'api::article.article' },
          box: { type: 'component', component: 'widgets.box' }
        },
        lifecycles: { beforeCreate, afterCommit }
      }),
      defineContentType({
        uid: 'api::blog.post',
        kind: 'singleType',
        info: { singularName: 'post', pluralName: 'posts' },
        attributes: {}
      })
    ],
    components: [defineComponent({ uid: 'widgets.box', info: { displayName: 'Box' }, attributes: { size: { type: 'integer' } } })]
  })
  const note = schema.contentTypes.get('api::note.note')
  t.match(note, { uid: 'api::note.note', apiName: 'note', source: 'inline:api::note.note', collectionName: 'notes', displayName: 'Note' })
  t.equal(note?.lifecycles?.beforeCreate, beforeCreate)
  t.equal(note?.lifecycles?.afterCommit, afterCommit, 'vellum’s afterCommit hook is allowed')
  t.equal(note?.attributes.text?.renamedFrom, 'body')
  t.match(schema.contentTypes.get('api::blog.post'), { apiName: 'blog', kind: 'singleType', displayName: 'post', source: 'inline:api::blog.post' })
  t.match(schema.components.get('widgets.box'), { category: 'widgets', collectionName: 'components_widgets_boxes', source: 'inline:widgets.box' })
  t.equal(apiUids(schema).at(-1), 'api::blog.post', 'inline types come after the project’s')
})

t.test('defineContentType keeps literal types', async (t) => {
  const def = defineContentType({
    kind: 'collectionType',
    info: { singularName: 'thing', pluralName: 'things' },
    attributes: { state: { type: 'enumeration', enum: ['on', 'off'] } },
    lifecycles: { afterCreate (event) { event.state.done = true } }
  })
  const type: 'enumeration' = def.attributes.state.type
  const first: 'on' = def.attributes.state.enum[0]
  t.equal(type, 'enumeration')
  t.equal(first, 'on')
  // @ts-expect-error unknown lifecycle names do not type-check
  defineContentType({ kind: 'collectionType', info: { singularName: 'x', pluralName: 'xs' }, attributes: {}, lifecycles: { beforeCreat () {} } })
  // @ts-expect-error a component needs its uid
  defineComponent({ info: { displayName: 'X' }, attributes: {} })
})

t.test('attribute maps have no prototype, so inherited names never look like attributes', async (t) => {
  const schema = await loadSchema({ dir: fixture })
  const attributes = schema.contentTypes.get('api::article.article')?.attributes ?? {}
  for (const key of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) t.equal(attributes[key], undefined, key)
  t.ok('title' in attributes)
})

t.test('the normalized model is frozen', async (t) => {
  const schema = await loadSchema({ dir: fixture })
  const article = schema.contentTypes.get('api::article.article')
  t.ok(Object.isFrozen(article))
  t.ok(Object.isFrozen(article?.attributes))
  t.ok(Object.isFrozen(article?.attributes.kind))
  t.ok(Object.isFrozen(scalar(schema, 'api::article.article', 'kind').enum))
})

t.test('inline input is never mutated or shared', async (t) => {
  const values = ['a', 'b']
  const def = defineContentType({ kind: 'collectionType', info: { singularName: 'x', pluralName: 'xs' }, attributes: { e: { type: 'enumeration', enum: values } } })
  const before = JSON.stringify(def)
  const schema = await loadSchema({ contentTypes: [def] })
  t.equal(JSON.stringify(def), before)
  t.notOk(Object.isFrozen(values))
  t.not(scalar(schema, 'api::x.x', 'e').enum, values)
})

t.test('a project without src/ or with only some folders loads what is there', async (t) => {
  const empty = await writeProject(t, { 'README.md': 'nothing here' })
  const schema = await loadSchema({ dir: empty })
  t.equal(apiUids(schema).length, 0)
  t.equal(schema.components.size, 0)

  const some = await writeProject(t, {
    'src/api/b/content-types/b/schema.json': collectionType('b', 'bs', {}),
    'src/api/a/content-types/a/schema.json': collectionType('a', 'as', {}),
    'src/api/a/content-types/a/lifecycles.ts': 'export default {}',
    'src/api/c/controllers/c.ts': 'export default {}',
    'src/components/z/notes.txt': 'ignored'
  })
  t.strictSame(apiUids(await loadSchema({ dir: some })), ['api::a.a', 'api::b.b'])
  t.strictSame([...(await loadSchema({ contentTypes: [], components: [] })).contentTypes.keys()], ['plugin::upload.file', 'plugin::upload.folder', 'plugin::users-permissions.user', 'plugin::users-permissions.role', 'plugin::users-permissions.permission'], 'only the built-in types')
})

t.test('the uid comes from the api directory and singularName', async (t) => {
  const root = await writeProject(t, { 'src/api/blog/content-types/post-type/schema.json': collectionType('post', 'posts', {}) })
  const schema = await loadSchema({ dir: root })
  t.match(schema.contentTypes.get('api::blog.post'), { apiName: 'blog', source: schemaPath(root, 'blog', 'post-type') })
})

t.test('buildPhysicalModel accepts the fixture model', async (t) => {
  const physical = buildPhysicalModel(await loadSchema({ dir: fixture }))
  const tags = physical.get('api::article.article').relations.tags
  t.match(tags?.link, { name: 'articles_tags_lnk', sourceColumn: 'article_id', targetColumn: 'tag_id' })
  t.equal(physical.get('api::tag.tag').relations.articles?.link, tags?.link, 'both sides share the owner’s link table')
  t.match(physical.get('api::category.category').relations.parent?.link, { name: 'categories_parent_lnk', sourceColumn: 'category_id', targetColumn: 'inv_category_id' })
  t.match(physical.get('api::author.author').relations.profile?.link, { name: 'authors_profile_lnk', targetColumn: 'author_profile_id' })
  t.equal(physical.get('shared.hero').relations.article?.link.name, 'components_shared_heroes_article_lnk')
  t.equal(physical.get('api::article.article').componentJoin?.name, 'articles_cmps')
  t.equal(physical.get('api::tag.tag').componentJoin, undefined)
  const names = physical.tables.map(table => table.name)
  t.ok(names.includes('author_profiles'))
  t.ok(names.includes('components_shared_heroes'))
  t.ok(names.indexOf('articles') < names.indexOf('articles_tags_lnk'), 'model tables come before link tables')
  t.match(physical.get('api::article.article').columns, { shareCount: { name: 'share_count', sqlType: 'bigint' }, publishTime: { name: 'publish_time' } })
})
