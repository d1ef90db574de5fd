/**
 * A compact model covering every attribute type, every relation kind (both sides where there are two),
 * components (nested, repeatable, with a relation) and a dynamic zone.
 */
import type { ComponentDefinition, ContentTypeDefinition } from '../../lib/content-types/index.js'

const collection = (singularName: string, pluralName: string, attributes: ContentTypeDefinition['attributes']): ContentTypeDefinition => ({
  kind: 'collectionType',
  collectionName: pluralName,
  info: { singularName, pluralName, displayName: singularName },
  options: { draftAndPublish: false },
  attributes
})

export const contentTypes: ContentTypeDefinition[] = [
  collection('article', 'articles', {
    title: { type: 'string', unique: true },
    slug: { type: 'uid' },
    summary: { type: 'text' },
    body: { type: 'richtext' },
    contact: { type: 'email' },
    views: { type: 'integer' },
    shares: { type: 'biginteger' },
    rating: { type: 'float' },
    price: { type: 'decimal' },
    featured: { type: 'boolean' },
    day: { type: 'date' },
    at: { type: 'time' },
    releasedAt: { type: 'datetime' },
    stamp: { type: 'timestamp' },
    kind: { type: 'enumeration', enum: ['news', 'review', 'opinion'], default: 'news' },
    meta: { type: 'json' },
    content: { type: 'blocks' },
    secret: { type: 'string', private: true },
    pass: { type: 'password' },
    // manyToOne, both sides (author.articles is the oneToMany inverse)
    author: { type: 'relation', relation: 'manyToOne', target: 'api::author.author', inversedBy: 'articles' },
    // manyToOne, one way
    editor: { type: 'relation', relation: 'manyToOne', target: 'api::author.author' },
    // manyToMany, both sides
    tags: { type: 'relation', relation: 'manyToMany', target: 'api::tag.tag', inversedBy: 'articles' },
    // manyToMany, one way
    topics: { type: 'relation', relation: 'manyToMany', target: 'api::tag.tag' },
    // oneToOne, one way
    category: { type: 'relation', relation: 'oneToOne', target: 'api::category.category' },
    // oneToMany, one way, to its own type
    related: { type: 'relation', relation: 'oneToMany', target: 'api::article.article' },
    seo: { type: 'component', component: 'shared.seo', repeatable: false },
    links: { type: 'component', component: 'shared.link', repeatable: true },
    blocks: { type: 'dynamiczone', components: ['shared.quote', 'shared.link', 'shared.seo'] }
  }),
  collection('author', 'authors', {
    name: { type: 'string' },
    email: { type: 'email', unique: true },
    articles: { type: 'relation', relation: 'oneToMany', target: 'api::article.article', mappedBy: 'author' },
    // oneToOne, both sides
    profile: { type: 'relation', relation: 'oneToOne', target: 'api::profile.profile', inversedBy: 'author' },
    address: { type: 'component', component: 'shared.address', repeatable: false },
    hidden: { type: 'relation', relation: 'manyToOne', target: 'api::tag.tag', private: true }
  }),
  collection('profile', 'profiles', {
    bio: { type: 'text' },
    author: { type: 'relation', relation: 'oneToOne', target: 'api::author.author', mappedBy: 'profile' }
  }),
  collection('tag', 'tags', {
    name: { type: 'string' },
    articles: { type: 'relation', relation: 'manyToMany', target: 'api::article.article', mappedBy: 'tags' }
  }),
  collection('category', 'categories', {
    name: { type: 'string' },
    note: { type: 'string', private: true }
  })
]

export const components: ComponentDefinition[] = [
  {
    uid: 'shared.seo',
    collectionName: 'components_shared_seos',
    info: { displayName: 'Seo' },
    attributes: {
      metaTitle: { type: 'string' },
      metaDescription: { type: 'text' },
      category: { type: 'relation', relation: 'oneToOne', target: 'api::category.category' },
      link: { type: 'component', component: 'shared.link', repeatable: false }
    }
  },
  {
    uid: 'shared.link',
    collectionName: 'components_shared_links',
    info: { displayName: 'Link' },
    attributes: { label: { type: 'string' }, url: { type: 'string' }, position: { type: 'integer' } }
  },
  {
    uid: 'shared.quote',
    collectionName: 'components_shared_quotes',
    info: { displayName: 'Quote' },
    attributes: { text: { type: 'text' }, by: { type: 'string' } }
  },
  {
    uid: 'shared.address',
    collectionName: 'components_shared_addresses',
    info: { displayName: 'Address' },
    attributes: { city: { type: 'string' }, zip: { type: 'string' } }
  }
]

export const ARTICLE = 'api::article.article'
export const AUTHOR = 'api::author.author'
export const PROFILE = 'api::profile.profile'
export const TAG = 'api::tag.tag'
export const CATEGORY = 'api::category.category'
