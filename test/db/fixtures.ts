/** A model with relations of every kind, components (nested, repeatable) and a dynamic zone. */
import type { Schema } from '../../lib/content-types/types.js'
import { component, componentModel, contentType, dynamicZone, makeSchema, relation, scalar } from './helpers.js'

export function blogSchema (): Schema {
  return makeSchema(
    contentType('article', 'articles', [
      scalar('title', 'string', { unique: true }),
      scalar('slug', 'uid', { targetField: 'title' }),
      scalar('body', 'richtext'),
      scalar('views', 'integer'),
      scalar('publishedDate', 'date'),
      relation('cover', 'oneToOne', 'api::image.image'),
      relation('meta', 'oneToOne', 'api::meta.meta', { inversedBy: 'article' }),
      relation('tags', 'oneToMany', 'api::tag.tag'),
      relation('author', 'manyToOne', 'api::author.author', { inversedBy: 'articles' }),
      relation('categories', 'manyToMany', 'api::category.category', { inversedBy: 'articles' }),
      relation('related', 'manyToMany', 'api::article.article'),
      component('seo', 'shared.seo'),
      dynamicZone('blocks', ['shared.quote', 'shared.gallery'])
    ], { draftAndPublish: true, localized: true }),
    contentType('image', 'images', [scalar('url', 'string')]),
    contentType('meta', 'metas', [scalar('note', 'text'), relation('article', 'oneToOne', 'api::article.article', { mappedBy: 'meta' })]),
    contentType('tag', 'tags', [scalar('name', 'string')]),
    contentType('author', 'authors', [scalar('name', 'string'), relation('articles', 'oneToMany', 'api::article.article', { mappedBy: 'author' })]),
    contentType('category', 'categories', [scalar('name', 'string'), relation('articles', 'manyToMany', 'api::article.article', { mappedBy: 'categories' })]),
    componentModel('shared.seo', [scalar('metaTitle', 'string'), scalar('metaDescription', 'text')]),
    componentModel('shared.quote', [scalar('text', 'text'), scalar('author', 'string')]),
    componentModel('shared.gallery', [scalar('title', 'string'), component('slides', 'shared.slide', { repeatable: true })]),
    componentModel('shared.slide', [scalar('caption', 'string'), scalar('position', 'integer')])
  )
}
