import type { ComponentDefinition, ContentTypeDefinition } from '../../lib/content-types/index.js'

/**
 * A model with media everywhere Strapi allows them (contract §25): a draft & publish article with a single images
 * `cover`, a multiple images/videos `gallery`, a component holding a media (`shared.seo.shareImage`) and a zone of
 * media blocks; a localized page with a localized `banner`.
 */
export const MEDIA_COMPONENTS: ComponentDefinition[] = [
  {
    uid: 'shared.seo',
    collectionName: 'components_shared_seos',
    info: { displayName: 'Seo' },
    attributes: {
      metaTitle: { type: 'string' },
      shareImage: { type: 'media', multiple: false, allowedTypes: ['images'] }
    }
  },
  {
    uid: 'shared.media-block',
    collectionName: 'components_shared_media_blocks',
    info: { displayName: 'Media' },
    attributes: { file: { type: 'media', multiple: false, allowedTypes: ['images', 'files', 'videos'] } }
  }
]

export const MEDIA_CONTENT_TYPES: ContentTypeDefinition[] = [
  {
    uid: 'api::article.article',
    kind: 'collectionType',
    collectionName: 'articles',
    info: { singularName: 'article', pluralName: 'articles', displayName: 'Article' },
    options: { draftAndPublish: true },
    attributes: {
      title: { type: 'string' },
      cover: { type: 'media', multiple: false, allowedTypes: ['images'] },
      gallery: { type: 'media', multiple: true, allowedTypes: ['images', 'videos'] },
      seo: { type: 'component', component: 'shared.seo', repeatable: false },
      blocks: { type: 'dynamiczone', components: ['shared.media-block'] }
    }
  },
  {
    uid: 'api::page.page',
    kind: 'collectionType',
    collectionName: 'pages',
    info: { singularName: 'page', pluralName: 'pages', displayName: 'Page' },
    options: { draftAndPublish: false },
    pluginOptions: { i18n: { localized: true } },
    attributes: {
      title: { type: 'string', pluginOptions: { i18n: { localized: true } } },
      banner: { type: 'media', multiple: false, pluginOptions: { i18n: { localized: true } } }
    }
  }
]
