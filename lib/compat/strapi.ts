/**
 * What a Strapi project imports from `@strapi/strapi` (issue 17), resolved to this module for project code only
 * (see modules.ts): the `factories` its route, controller and service files call. Type-only imports (`Core`)
 * vanish when the file is compiled.
 */
import { createCoreController, createCoreRouter, createCoreService } from '../http/factories.js'

export const factories = { createCoreRouter, createCoreController, createCoreService }
