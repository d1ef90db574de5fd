import { join } from 'node:path'
import t from 'tap'
import { InvalidContentTypeError } from '../../lib/errors.js'
import type { AttributeSchema, ComponentDefinition, ContentTypeDefinition } from '../../lib/content-types/index.js'
import { collectionType, loadError, loadProblems, schemaPath, writeProject } from './helpers.js'

/** An inline collection type `api::<singular>.<singular>` with the given attributes. */
function ct (singular: string, attributes: Record<string, AttributeSchema>, extra: Partial<ContentTypeDefinition> = {}): ContentTypeDefinition {
  return { kind: 'collectionType', info: { singularName: singular, pluralName: `${singular}s` }, attributes, ...extra }
}

function component (uid: string, attributes: Record<string, AttributeSchema>, extra: Partial<ComponentDefinition> = {}): ComponentDefinition {
  return { uid, info: { displayName: uid }, attributes, ...extra }
}

const problem = (uid: string, attribute: string | undefined, message: string): { source: string, attribute?: string, message: string } =>
  attribute === undefined ? { source: `inline:${uid}`, message } : { source: `inline:${uid}`, attribute, message }

t.test('an unknown attribute type names the file and attribute and suggests the closest type', async (t) => {
  const root = await writeProject(t, {
    'src/api/article/content-types/article/schema.json': collectionType('article', 'articles', { title: { type: 'strng' } })
  })
  const file = schemaPath(root, 'article')
  const { error, problems } = await loadError({ dir: root })
  t.ok(error instanceof InvalidContentTypeError)
  t.equal(error.name, 'InvalidContentTypeError')
  t.equal(error.code, 'VELLUM_ERR_INVALID_CONTENT_TYPE')
  t.equal(error.message, `Invalid content types (1 problem):\n${file}: attribute "title": unknown type "strng" (did you mean "string"?)`)
  t.strictSame(problems, [{ source: file, attribute: 'title', message: 'unknown type "strng" (did you mean "string"?)' }])
})

t.test('an unknown type with no close match lists the known types', async (t) => {
  const problems = await loadProblems({ contentTypes: [ct('page', { body: { type: 'html' } })] })
  t.strictSame(problems, [problem('api::page.page', 'body', 'unknown type "html" (expected one of string, text, richtext, blocks, email, password, uid, integer, biginteger, float, decimal, boolean, date, time, datetime, timestamp, enumeration, json, relation, component, dynamiczone, media)')])
})

t.test('all problems of all files are reported together, one per line', async (t) => {
  const root = await writeProject(t, {
    'src/api/article/content-types/article/schema.json': collectionType('article', 'articles', {
      title: { type: 'strng' },
      author: { type: 'relation', relation: 'manyToOne', target: 'api::autor.autor' }
    }),
    'src/api/author/content-types/author/schema.json': collectionType('author', 'authors', { kind: { type: 'enumeration', enum: [] } }),
    'src/components/shared/seo.json': { info: { displayName: 'Seo' }, attributes: { title: { type: 'texte' } } }
  })
  const { error } = await loadError({ dir: root })
  t.equal(error.message, [
    'Invalid content types (4 problems):',
    `${schemaPath(root, 'article')}: attribute "title": unknown type "strng" (did you mean "string"?)`,
    `${schemaPath(root, 'article')}: attribute "author": relation target "api::autor.autor" does not exist (did you mean "api::author.author"?)`,
    `${schemaPath(root, 'author')}: attribute "kind": enumeration needs a non-empty "enum" list of strings`,
    `${join(root, 'src', 'components', 'shared', 'seo.json')}: attribute "title": unknown type "texte" (did you mean "text"?)`
  ].join('\n'))
  t.equal((error.details.problems as unknown[]).length, 4)
})

t.test('unknown relation kinds are refused with a suggestion', async (t) => {
  const problems = await loadProblems({
    contentTypes: [ct('post', {
      a: { type: 'relation', relation: 'oneToManny', target: 'api::post.post' },
      b: { type: 'relation', relation: 'several', target: 'api::post.post' },
      c: { type: 'relation', target: 'api::post.post' }
    })]
  })
  t.strictSame(problems, [
    problem('api::post.post', 'a', 'unknown relation "oneToManny" (did you mean "oneToMany"?)'),
    problem('api::post.post', 'b', 'unknown relation "several" (expected one of oneToOne, oneToMany, manyToOne, manyToMany)'),
    problem('api::post.post', 'c', 'relation attribute needs "relation" (one of oneToOne, oneToMany, manyToOne, manyToMany)')
  ])
})

t.test('relation targets must be known content types', async (t) => {
  const problems = await loadProblems({
    contentTypes: [
      ct('article', {}),
      ct('post', {
        a: { type: 'relation', relation: 'oneToOne', target: 'api::artcle.article' },
        b: { type: 'relation', relation: 'oneToOne', target: 'api::nothing.like-it' },
        c: { type: 'relation', relation: 'oneToOne', target: 'shared.seo' },
        d: { type: 'relation', relation: 'oneToOne' }
      })
    ],
    components: [component('shared.seo', {})]
  })
  t.strictSame(problems, [
    problem('api::post.post', 'a', 'relation target "api::artcle.article" does not exist (did you mean "api::article.article"?)'),
    problem('api::post.post', 'b', 'relation target "api::nothing.like-it" does not exist'),
    problem('api::post.post', 'c', 'relation target "shared.seo" is a component; relations must target a content type'),
    problem('api::post.post', 'd', 'relation attribute needs a "target" content-type uid')
  ])
})

t.test('media and polymorphic relations: options and morphBy are checked', async (t) => {
  const problems = await loadProblems({
    contentTypes: [
      ct('post', {
        cover: { type: 'media', multiple: false, allowedTypes: ['images', 'imges'] },
        list: { type: 'media', allowedTypes: 'images' as unknown as string[] },
        owner: { type: 'relation', relation: 'morphToMany' },
        one: { type: 'relation', relation: 'morphOne', target: 'api::note.note' },
        many: { type: 'relation', relation: 'morphMany', target: 'api::note.note', morphBy: 'title' },
        other: { type: 'relation', relation: 'morphMany', target: 'api::note.note', morphBy: 'nothing' },
        paired: { type: 'relation', relation: 'morphOne', target: 'api::note.note', morphBy: 'related', inversedBy: 'x' }
      }),
      ct('note', { title: { type: 'string' }, related: { type: 'relation', relation: 'morphToOne' } })
    ],
    components: [component('shared.box', { owner: { type: 'relation', relation: 'morphToOne' }, file: { type: 'media', multiple: true } })]
  })
  t.strictSame(problems, [
    problem('api::post.post', 'cover', 'allowedTypes: "imges" is not one of images, files, videos, audios (did you mean "images"?)'),
    problem('api::post.post', 'list', 'allowedTypes must be a list of images, files, videos, audios (got "images")'),
    problem('api::post.post', 'one', 'a morphOne relation needs "morphBy": the morphToOne or morphToMany attribute of api::note.note'),
    problem('api::post.post', 'many', 'morphBy "title": api::note.note.title must be a morphToOne or morphToMany relation'),
    problem('api::post.post', 'other', 'morphBy "nothing": api::note.note has no attribute "nothing"'),
    problem('api::post.post', 'paired', 'a morphOne relation takes no inversedBy or mappedBy'),
    problem('shared.box', 'owner', 'morphToOne relations are only allowed on content types')
  ])
})

t.test('inversedBy / mappedBy: the other side must exist and be a relation', async (t) => {
  const problems = await loadProblems({
    contentTypes: [
      ct('article', {
        tags: { type: 'relation', relation: 'manyToMany', target: 'api::tag.tag', inversedBy: 'article' },
        author: { type: 'relation', relation: 'manyToOne', target: 'api::author.author', inversedBy: 'name' }
      }),
      ct('tag', { articles: { type: 'relation', relation: 'manyToMany', target: 'api::article.article', mappedBy: 'tags' } }),
      ct('author', { name: { type: 'string' } })
    ]
  })
  t.strictSame(problems, [
    problem('api::article.article', 'tags', 'inversedBy "article": api::tag.tag has no attribute "article" (did you mean "articles"?)'),
    problem('api::article.article', 'author', 'inversedBy "name": api::author.author.name is not a relation (its type is string)'),
    problem('api::tag.tag', 'articles', 'mappedBy "tags": api::article.article.tags must declare inversedBy "articles" (it has inversedBy "article")')
  ])
})

t.test('inversedBy / mappedBy: the other side must point back at this attribute and model', async (t) => {
  const problems = await loadProblems({
    contentTypes: [
      ct('article', {
        category: { type: 'relation', relation: 'manyToOne', target: 'api::category.category', inversedBy: 'articles' },
        writer: { type: 'relation', relation: 'manyToOne', target: 'api::author.author', inversedBy: 'articles' },
        editor: { type: 'relation', relation: 'manyToOne', target: 'api::author.author', inversedBy: 'edited' }
      }),
      ct('category', { articles: { type: 'relation', relation: 'oneToMany', target: 'api::article.article' } }),
      ct('author', {
        articles: { type: 'relation', relation: 'oneToMany', target: 'api::article.article', mappedBy: 'author' },
        edited: { type: 'relation', relation: 'oneToMany', target: 'api::page.page', mappedBy: 'editor' }
      }),
      ct('page', {})
    ]
  })
  t.strictSame(problems, [
    problem('api::article.article', 'category', 'inversedBy "articles": api::category.category.articles must declare mappedBy "category" (it has no mappedBy)'),
    problem('api::article.article', 'writer', 'inversedBy "articles": api::author.author.articles must declare mappedBy "writer" (it has mappedBy "author")'),
    problem('api::article.article', 'editor', 'inversedBy "edited": api::author.author.edited targets "api::page.page", not api::article.article'),
    problem('api::author.author', 'articles', 'mappedBy "author": api::article.article has no attribute "author"'),
    problem('api::author.author', 'edited', 'mappedBy "editor": api::page.page has no attribute "editor"')
  ])
})

t.test('inversedBy / mappedBy: both sides must use compatible kinds', async (t) => {
  const pair = (singular: string, owner: string, inverse: string): ContentTypeDefinition[] => [
    ct(`${singular}-a`, { b: { type: 'relation', relation: owner, target: `api::${singular}-b.${singular}-b`, inversedBy: 'a' } }),
    ct(`${singular}-b`, { a: { type: 'relation', relation: inverse, target: `api::${singular}-a.${singular}-a`, mappedBy: 'b' } })
  ]
  const problems = await loadProblems({
    contentTypes: [
      ...pair('one', 'manyToOne', 'manyToMany'),
      ...pair('two', 'manyToMany', 'oneToMany'),
      ...pair('three', 'oneToOne', 'oneToMany'),
      ...pair('ok', 'manyToOne', 'oneToMany')
    ]
  })
  t.strictSame(problems, [
    problem('api::one-a.one-a', 'b', 'inversedBy "a": a manyToOne relation pairs with a oneToMany on the other side, but api::one-b.one-b.a is manyToMany'),
    problem('api::two-a.two-a', 'b', 'inversedBy "a": a manyToMany relation pairs with a manyToMany on the other side, but api::two-b.two-b.a is oneToMany'),
    problem('api::three-a.three-a', 'b', 'inversedBy "a": a oneToOne relation pairs with a oneToOne on the other side, but api::three-b.three-b.a is oneToMany')
  ])
})

t.test('inversedBy / mappedBy: the owning side is fixed by the kind, and only one may be given', async (t) => {
  const problems = await loadProblems({
    contentTypes: [ct('node', {
      children: { type: 'relation', relation: 'oneToMany', target: 'api::node.node', inversedBy: 'parent' },
      parent: { type: 'relation', relation: 'manyToOne', target: 'api::node.node', mappedBy: 'children' },
      twin: { type: 'relation', relation: 'oneToOne', target: 'api::node.node', inversedBy: 'twin', mappedBy: 'twin' }
    })]
  })
  t.strictSame(problems, [
    problem('api::node.node', 'children', 'a oneToMany relation cannot use inversedBy: the manyToOne side owns the link (use mappedBy here and inversedBy there)'),
    problem('api::node.node', 'parent', 'a manyToOne relation owns the link and cannot use mappedBy (use inversedBy here and mappedBy on the oneToMany side)'),
    problem('api::node.node', 'twin', 'a relation cannot have both inversedBy and mappedBy')
  ])
})

t.test('a self relation that names itself on both sides is refused', async (t) => {
  const problems = await loadProblems({
    contentTypes: [ct('person', { friends: { type: 'relation', relation: 'manyToMany', target: 'api::person.person', inversedBy: 'friends' } })]
  })
  t.strictSame(problems, [
    problem('api::person.person', 'friends', 'inversedBy "friends": api::person.person.friends must declare mappedBy "friends" (it has inversedBy "friends"; only one side may use inversedBy)')
  ])
})

t.test('components must exist', async (t) => {
  const problems = await loadProblems({
    contentTypes: [ct('page', {
      seo: { type: 'component', component: 'shared.sseo' },
      other: { type: 'component', component: 'api::page.page' },
      none: { type: 'component' }
    })],
    components: [component('shared.seo', {})]
  })
  t.strictSame(problems, [
    problem('api::page.page', 'seo', 'component "shared.sseo" does not exist (did you mean "shared.seo"?)'),
    problem('api::page.page', 'other', '"api::page.page" is a content type, not a component (use a relation)'),
    problem('api::page.page', 'none', 'component attribute needs "component" (a "<category>.<name>" uid)')
  ])
})

t.test('dynamic zones need a non-empty list of known, distinct components', async (t) => {
  const problems = await loadProblems({
    contentTypes: [ct('page', {
      empty: { type: 'dynamiczone', components: [] },
      missing: { type: 'dynamiczone' },
      wrong: { type: 'dynamiczone', components: ['blocks.qoute', 'blocks.quote', 'blocks.quote', 7, 'zzz.zzz'] as unknown as string[] }
    })],
    components: [component('blocks.quote', {}), component('blocks.nested', { zone: { type: 'dynamiczone', components: ['blocks.quote'] } })]
  })
  t.strictSame(problems, [
    problem('api::page.page', 'empty', 'dynamiczone needs a non-empty "components" list'),
    problem('api::page.page', 'missing', 'dynamiczone needs a non-empty "components" list'),
    problem('api::page.page', 'wrong', 'dynamiczone component "blocks.qoute" does not exist (did you mean "blocks.quote"?)'),
    problem('api::page.page', 'wrong', 'dynamiczone lists component "blocks.quote" twice'),
    problem('api::page.page', 'wrong', 'components[3] must be a component uid (got 7)'),
    problem('api::page.page', 'wrong', 'dynamiczone component "zzz.zzz" does not exist'),
    problem('blocks.nested', 'zone', 'dynamic zones are only allowed on content types')
  ])
})

t.test('enumerations need a non-empty list of distinct, valid string values', async (t) => {
  const problems = await loadProblems({
    contentTypes: [ct('item', {
      empty: { type: 'enumeration', enum: [] },
      missing: { type: 'enumeration' },
      mixed: { type: 'enumeration', enum: ['a', 2, null] as unknown as string[] },
      twice: { type: 'enumeration', enum: ['news', 'review', 'news'] },
      digits: { type: 'enumeration', enum: ['1st', 'second'] },
      symbols: { type: 'enumeration', enum: ['---', 'ok'] },
      collide: { type: 'enumeration', enum: ['foo bar', 'foo-bar', 'Crème', 'Creme'] },
      fallback: { type: 'enumeration', enum: ['draft', 'final'], default: 'drafts' }
    })]
  })
  t.strictSame(problems, [
    problem('api::item.item', 'empty', 'enumeration needs a non-empty "enum" list of strings'),
    problem('api::item.item', 'missing', 'enumeration needs a non-empty "enum" list of strings'),
    problem('api::item.item', 'mixed', 'enum[1] must be a string (got 2)'),
    problem('api::item.item', 'mixed', 'enum[2] must be a string (got null)'),
    problem('api::item.item', 'twice', 'enum value "news" is listed twice'),
    problem('api::item.item', 'digits', 'enum value "1st" must not start with a number'),
    problem('api::item.item', 'symbols', 'enum value "---" must contain a letter or digit'),
    problem('api::item.item', 'collide', 'enum values "foo bar" and "foo-bar" collide once normalized (both become "foo_bar")'),
    problem('api::item.item', 'collide', 'enum values "Crème" and "Creme" collide once normalized (both become "Creme")'),
    problem('api::item.item', 'fallback', 'default "drafts" is not one of the enum values (did you mean "draft"?)')
  ])
})

t.test('a uid targetField must name a string or text attribute of the same model', async (t) => {
  const problems = await loadProblems({
    contentTypes: [ct('post', {
      title: { type: 'string' },
      views: { type: 'integer' },
      slug: { type: 'uid', targetField: 'titel' },
      code: { type: 'uid', targetField: 'views' },
      ok: { type: 'uid', targetField: 'title' }
    })]
  })
  t.strictSame(problems, [
    problem('api::post.post', 'slug', 'targetField "titel" is not an attribute of api::post.post (did you mean "title"?)'),
    problem('api::post.post', 'code', 'targetField "views" must name a string or text attribute (it is integer)')
  ])
})

t.test('singular and plural names are API ids: unique across content types and distinct from each other', async (t) => {
  const problems = await loadProblems({
    contentTypes: [
      ct('article', {}),
      { kind: 'collectionType', uid: 'api::blog.article', info: { singularName: 'article', pluralName: 'blog-articles' }, attributes: {} },
      { kind: 'collectionType', info: { singularName: 'post', pluralName: 'articles' }, attributes: {} },
      { kind: 'collectionType', info: { singularName: 'articles', pluralName: 'more-articles' }, attributes: {} },
      { kind: 'collectionType', info: { singularName: 'tag-item', pluralName: 'article' }, attributes: {} },
      { kind: 'singleType', info: { singularName: 'news', pluralName: 'news' }, attributes: {} }
    ]
  })
  t.strictSame(problems, [
    problem('api::blog.article', undefined, 'info.singularName "article" is already used by api::article.article'),
    problem('api::post.post', undefined, 'info.pluralName "articles" is already used by api::article.article'),
    problem('api::post.post', undefined, 'collectionName "articles" is already used by api::article.article'),
    problem('api::articles.articles', undefined, 'info.singularName "articles" is already the pluralName of api::article.article'),
    problem('api::tag-item.tag-item', undefined, 'info.pluralName "article" is already the singularName of api::article.article'),
    problem('api::news.news', undefined, 'info.singularName and info.pluralName must differ (both are "news")')
  ])
})

t.test('singular and plural names are required and kebab-case', async (t) => {
  const root = await writeProject(t, {
    'src/api/a/content-types/a/schema.json': { kind: 'collectionType', info: { pluralName: 'as' }, attributes: {} },
    'src/api/b/content-types/b/schema.json': { kind: 'collectionType', info: { singularName: 'b' }, attributes: {} },
    'src/api/c/content-types/c/schema.json': { kind: 'collectionType', info: { singularName: 'blogPost', pluralName: 'Blog_Posts' }, attributes: {} },
    'src/api/d/content-types/d/schema.json': { kind: 'collectionType', info: { singularName: '', pluralName: '9lives' }, attributes: {} }
  })
  const problems = await loadProblems({ dir: root })
  t.strictSame(problems, [
    { source: schemaPath(root, 'a'), message: 'info.singularName is required' },
    { source: schemaPath(root, 'b'), message: 'info.pluralName is required' },
    { source: schemaPath(root, 'c'), message: 'info.singularName "blogPost" must be kebab-case (did you mean "blog-post"?)' },
    { source: schemaPath(root, 'c'), message: 'info.pluralName "Blog_Posts" must be kebab-case (did you mean "blog-posts"?)' },
    { source: schemaPath(root, 'd'), message: 'info.singularName is required' },
    { source: schemaPath(root, 'd'), message: 'info.pluralName "9lives" must be kebab-case' }
  ])
})

t.test('kind must be collectionType or singleType (and defaults to collectionType)', async (t) => {
  const root = await writeProject(t, {
    'src/api/a/content-types/a/schema.json': collectionType('a', 'as', {}, { kind: 'collectionTyp' }),
    'src/api/b/content-types/b/schema.json': collectionType('b', 'bs', {}, { kind: 'page' }),
    'src/api/c/content-types/c/schema.json': collectionType('c', 'cs', {}, { kind: 7 })
  })
  t.strictSame(await loadProblems({ dir: root }), [
    { source: schemaPath(root, 'a'), message: 'kind "collectionTyp" is not valid (did you mean "collectionType"?)' },
    { source: schemaPath(root, 'b'), message: 'kind "page" is not valid (expected "collectionType" or "singleType")' },
    { source: schemaPath(root, 'c'), message: 'kind must be a string (got 7)' }
  ])
  const { loadSchema } = await import('../../lib/project/index.js')
  const fine = await writeProject(t, { 'src/api/a/content-types/a/schema.json': { info: { singularName: 'a', pluralName: 'as' }, attributes: {} } })
  t.equal((await loadSchema({ dir: fine })).get('api::a.a')?.kind, 'collectionType')
})

t.test('reserved attribute names are refused', async (t) => {
  const reserved = ['id', 'documentId', 'document_id', 'locale', 'localizations', 'publishedAt', 'published_at', 'createdAt', 'created_at',
    'updatedAt', 'updated_at', 'createdBy', 'updatedBy', '__component', '__type']
  const problems = await loadProblems({
    contentTypes: [ct('post', Object.fromEntries([...reserved, '__secret'].map(name => [name, { type: 'string' }])))],
    components: [component('shared.box', { id: { type: 'integer' } })]
  })
  t.strictSame(problems, [
    ...reserved.map(name => problem('api::post.post', name, name.startsWith('__') ? 'names starting with "__" are reserved' : `"${name}" is a reserved attribute name`)),
    problem('api::post.post', '__secret', 'names starting with "__" are reserved'),
    problem('shared.box', 'id', '"id" is a reserved attribute name')
  ])
})

t.test('attribute names must be valid identifiers and must not share a column', async (t) => {
  const problems = await loadProblems({
    contentTypes: [ct('post', {
      fooBar: { type: 'string' },
      foo_bar: { type: 'string' },
      FooBar: { type: 'integer' },
      documentID: { type: 'string' },
      createdById: { type: 'integer' },
      'my-field': { type: 'string' },
      '2fast': { type: 'string' }
    })]
  })
  t.strictSame(problems, [
    problem('api::post.post', 'foo_bar', 'collides with "fooBar": both would be stored in column "foo_bar"'),
    problem('api::post.post', 'FooBar', 'collides with "fooBar": both would be stored in column "foo_bar"'),
    problem('api::post.post', 'documentID', 'its column "document_id" is reserved for a system field'),
    problem('api::post.post', 'createdById', 'its column "created_by_id" is reserved for a system field'),
    problem('api::post.post', 'my-field', 'attribute names must start with a letter and contain only letters, digits and "_"'),
    problem('api::post.post', '2fast', 'attribute names must start with a letter and contain only letters, digits and "_"')
  ])
})

t.test('collection names must be valid and unique across content types and components', async (t) => {
  const problems = await loadProblems({
    contentTypes: [
      ct('post', {}),
      ct('entry', {}, { collectionName: 'posts' }),
      ct('box', {}, { collectionName: 'components_shared_boxes' }),
      ct('odd', {}, { collectionName: 'my table"; --' })
    ],
    components: [component('shared.box', {})]
  })
  t.strictSame(problems, [
    problem('api::entry.entry', undefined, 'collectionName "posts" is already used by api::post.post'),
    problem('api::odd.odd', undefined, 'collectionName "my table"; --" must start with a letter and contain only letters, digits, "-" and "_"'),
    problem('shared.box', undefined, 'collectionName "components_shared_boxes" is already used by api::box.box')
  ])
})

t.test('min must not exceed max, nor minLength maxLength', async (t) => {
  const problems = await loadProblems({
    contentTypes: [ct('item', {
      name: { type: 'string', minLength: 10, maxLength: 5 },
      count: { type: 'integer', min: 10, max: 1 },
      big: { type: 'biginteger', min: '9007199254740993', max: '9007199254740992' },
      ratio: { type: 'float', min: 0.5, max: 0.25 },
      whole: { type: 'integer', min: 1.5 },
      money: { type: 'decimal', max: '10' },
      huge: { type: 'biginteger', max: '1e3' },
      links: { type: 'component', component: 'shared.link', repeatable: true, min: 3, max: 2 },
      zone: { type: 'dynamiczone', components: ['shared.link'], min: -1 },
      okBig: { type: 'biginteger', min: '-5', max: 12 }
    })],
    components: [component('shared.link', {})]
  })
  t.strictSame(problems, [
    problem('api::item.item', 'name', 'minLength (10) is greater than maxLength (5)'),
    problem('api::item.item', 'count', 'min (10) is greater than max (1)'),
    problem('api::item.item', 'big', 'min (9007199254740993) is greater than max (9007199254740992)'),
    problem('api::item.item', 'ratio', 'min (0.5) is greater than max (0.25)'),
    problem('api::item.item', 'whole', 'min must be an integer (got 1.5)'),
    problem('api::item.item', 'money', 'max must be a number (got "10")'),
    problem('api::item.item', 'huge', 'max must be an integer or a string of digits (got "1e3")'),
    problem('api::item.item', 'links', 'min (3) is greater than max (2)'),
    problem('api::item.item', 'zone', 'min must be a non-negative integer (got -1)')
  ])
})

t.test('option values must have the right JSON type', async (t) => {
  const root = await writeProject(t, {
    'src/api/post/content-types/post/schema.json': collectionType('post', 'posts', {
      title: { type: 'string', required: 'yes', minLength: -1 },
      body: { type: 'text', pluginOptions: { i18n: { localized: 'no' } } },
      shape: 'string',
      fine: { type: 'string' }
    }, { options: { draftAndPublish: 'true' } })
  })
  const file = schemaPath(root, 'post')
  t.strictSame(await loadProblems({ dir: root }), [
    { source: file, message: 'options.draftAndPublish must be true or false (got "true")' },
    { source: file, attribute: 'title', message: 'required must be true or false (got "yes")' },
    { source: file, attribute: 'title', message: 'minLength must be a non-negative integer (got -1)' },
    { source: file, attribute: 'body', message: 'pluginOptions.i18n.localized must be true or false (got "no")' },
    { source: file, attribute: 'shape', message: 'the schema must be an object (got "string")' }
  ])
})

t.test('a broken top level is reported once, without follow-up noise', async (t) => {
  const root = await writeProject(t, {
    'src/api/a/content-types/a/schema.json': { kind: 'collectionType', info: { singularName: 'a', pluralName: 'as' }, attributes: [] },
    'src/api/b/content-types/b/schema.json': { kind: 'collectionType', info: 'b', attributes: {} },
    'src/api/c/content-types/c/schema.json': collectionType('c', 'cs', {
      a: { type: 'relation', relation: 'oneToOne', target: 'api::a.a', inversedBy: 'c' },
      b: { type: 'relation', relation: 'oneToOne', target: 'api::b.b' }
    })
  })
  t.strictSame(await loadProblems({ dir: root }), [
    { source: schemaPath(root, 'a'), message: 'attributes must be an object of attributes (got [])' },
    { source: schemaPath(root, 'b'), message: 'info must be an object (got "b")' }
  ])
})

t.test('renamedFrom must name a former attribute, claimed once', async (t) => {
  const problems = await loadProblems({
    contentTypes: [ct('post', {
      title: { type: 'string', renamedFrom: 'name' },
      heading: { type: 'string', renamedFrom: 'name' },
      body: { type: 'text', renamedFrom: 'title' },
      summary: { type: 'text', renamedFrom: 'summary' },
      intro: { type: 'text', renamedFrom: 'old-intro' },
      fine: { type: 'text', renamedFrom: 'legacyFine' }
    })]
  })
  t.strictSame(problems, [
    problem('api::post.post', 'heading', 'renamedFrom "name" is also claimed by "title"'),
    problem('api::post.post', 'body', 'renamedFrom "title" is still an attribute of api::post.post'),
    problem('api::post.post', 'summary', 'renamedFrom names the attribute itself'),
    problem('api::post.post', 'intro', 'renamedFrom "old-intro" is not a valid attribute name')
  ])
})

t.test('a likely misspelled option is reported', async (t) => {
  const problems = await loadProblems({
    contentTypes: [ct('post', { title: { type: 'string', requried: true, uniqe: true, customThing: 1, column: { x: 1 } } })]
  })
  t.strictSame(problems, [
    problem('api::post.post', 'title', 'unknown option "requried" (did you mean "required"?)'),
    problem('api::post.post', 'title', 'unknown option "uniqe" (did you mean "unique"?)')
  ])
})

t.test('defaults must match the attribute type, and regexes must compile', async (t) => {
  const problems = await loadProblems({
    contentTypes: [ct('post', {
      flag: { type: 'boolean', default: 'true' },
      count: { type: 'integer', default: 1.5 },
      price: { type: 'decimal', default: '9.99' },
      title: { type: 'string', default: 3 },
      big: { type: 'biginteger', default: 'ten' },
      data: { type: 'json', default: { when: new Date(0) } },
      code: { type: 'string', regex: '([a-z' },
      ok: { type: 'json', default: { a: [1, 'two', null, true] } }
    })]
  })
  t.strictSame(problems, [
    problem('api::post.post', 'flag', 'default must be true or false (got "true")'),
    problem('api::post.post', 'count', 'default must be an integer (got 1.5)'),
    problem('api::post.post', 'price', 'default must be a number (got "9.99")'),
    problem('api::post.post', 'title', 'default must be a string (got 3)'),
    problem('api::post.post', 'big', 'default must be an integer or a string of digits (got "ten")'),
    problem('api::post.post', 'data', 'default must be a JSON value (got {"when":"1970-01-01T00:00:00.000Z"})'),
    problem('api::post.post', 'code', 'regex "([a-z" is not a valid regular expression')
  ])
})

t.test('component relations must target known content types and be one-way', async (t) => {
  const root = await writeProject(t, {
    'src/api/article/content-types/article/schema.json': collectionType('article', 'articles', {}),
    'src/components/shared/card.json': {
      info: { displayName: 'Card' },
      attributes: {
        article: { type: 'relation', relation: 'oneToOne', target: 'api::articel.article' },
        other: { type: 'relation', relation: 'manyToOne', target: 'api::article.article', inversedBy: 'cards' }
      }
    }
  })
  const file = join(root, 'src', 'components', 'shared', 'card.json')
  t.strictSame(await loadProblems({ dir: root }), [
    { source: file, attribute: 'article', message: 'relation target "api::articel.article" does not exist (did you mean "api::article.article"?)' },
    { source: file, attribute: 'other', message: 'relations in components must be one-way (no inversedBy or mappedBy)' }
  ])
})

t.test('components that nest themselves are refused', async (t) => {
  const problems = await loadProblems({
    components: [
      component('tree.node', { child: { type: 'component', component: 'tree.node' } }),
      component('loop.a', { b: { type: 'component', component: 'loop.b' } }),
      component('loop.b', { c: { type: 'component', component: 'loop.c', repeatable: true } }),
      component('loop.c', { a: { type: 'component', component: 'loop.a' } }),
      component('fine.outer', { inner: { type: 'component', component: 'fine.inner' }, again: { type: 'component', component: 'fine.inner' } }),
      component('fine.inner', {})
    ]
  })
  t.strictSame(problems, [
    problem('tree.node', 'child', 'component tree.node nests itself (tree.node → tree.node)'),
    problem('loop.a', 'b', 'component loop.a nests itself (loop.a → loop.b → loop.c → loop.a)')
  ])
})

t.test('unreadable projects: missing directory, invalid JSON, a type directory without schema.json', async (t) => {
  const missing = join(await writeProject(t, {}), 'nope')
  t.strictSame(await loadProblems({ dir: missing }), [{ source: missing, message: 'project directory does not exist' }])

  const root = await writeProject(t, {
    'src/api/a/content-types/a/schema.json': '{ "kind": "collectionType", ',
    'src/api/b/content-types/b/readme.md': 'no schema here',
    'src/components/shared/bad.json': '[1, 2,]'
  })
  const problems = await loadProblems({ dir: root })
  t.equal(problems.length, 3)
  t.match(problems[0], { source: schemaPath(root, 'a'), message: /^is not valid JSON \(.+\)$/ })
  t.strictSame(problems[1], { source: join(root, 'src', 'api', 'b', 'content-types', 'b'), message: 'has no schema.json' })
  t.match(problems[2], { source: join(root, 'src', 'components', 'shared', 'bad.json'), message: /^is not valid JSON/ })
})

t.test('uids must be unique and well formed', async (t) => {
  const root = await writeProject(t, { 'src/api/post/content-types/post/schema.json': collectionType('post', 'posts', {}) })
  const problems = await loadProblems({
    dir: root,
    contentTypes: [
      { ...ct('post', {}), uid: 'api::post.post', info: { singularName: 'post', pluralName: 'post-items' } },
      { ...ct('page', {}), uid: 'api::site.article' },
      { ...ct('thing', {}), uid: 'thing' },
      { ...ct('other', {}), uid: 42 as unknown as string }
    ],
    components: [
      component('seo', {}),
      component('shared.bad name', {}),
      { info: { displayName: 'X' }, attributes: {} } as unknown as ComponentDefinition
    ]
  })
  t.strictSame(problems, [
    { source: 'inline:contentTypes[3]', message: 'uid must be a string' },
    problem('api::post.post', undefined, `uid "api::post.post" is already defined by ${schemaPath(root, 'post')}`),
    problem('api::site.article', undefined, 'uid "api::site.article" must end with info.singularName ("api::site.page")'),
    { source: 'inline:thing', message: 'uid "thing" must look like "api::<api>.<singularName>"' },
    { source: 'inline:seo', message: 'uid "seo" must look like "<category>.<name>"' },
    problem('shared.bad name', undefined, '"bad name" is not a valid component category or name (letters, digits, "-" and "_")'),
    { source: 'inline:components[2]', message: 'uid is required ("<category>.<name>")' }
  ])
})

t.test('inline lifecycles must be known hooks and functions', async (t) => {
  const problems = await loadProblems({
    contentTypes: [{ ...ct('post', {}), lifecycles: { beforeCreat () {}, afterUpdate: 'nope' } as unknown as ContentTypeDefinition['lifecycles'] }]
  })
  t.strictSame(problems, [
    problem('api::post.post', undefined, 'unknown lifecycle "beforeCreat" (did you mean "beforeCreate"?)'),
    problem('api::post.post', undefined, 'lifecycle "afterUpdate" must be a function (got "nope")')
  ])
})

t.test('non-object inline definitions are refused', async (t) => {
  const problems = await loadProblems({ contentTypes: [null as unknown as ContentTypeDefinition, 'x' as unknown as ContentTypeDefinition] })
  t.strictSame(problems, [
    { source: 'inline:contentTypes[0]', message: 'must be an object (got null)' },
    { source: 'inline:contentTypes[1]', message: 'must be an object (got string)' }
  ])
})
