import { fileURLToPath, pathToFileURL } from 'node:url'
import { fixture } from './paths.js'

/** The blog-model fixture project (test/fixtures/projects/README.md) and the uids of its content types. */
export const BLOG = pathToFileURL(fixture('projects', 'blog-model') + '/')
export const BLOG_DIR = fileURLToPath(BLOG)

export const ARTICLE = 'api::article.article'
export const AUTHOR = 'api::author.author'
export const CATEGORY = 'api::category.category'
export const TAG = 'api::tag.tag'
export const HOMEPAGE = 'api::homepage.homepage'
export const PROFILE = 'api::author-profile.author-profile'
