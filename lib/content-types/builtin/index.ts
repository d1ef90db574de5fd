import type { ContentTypeSchema } from '../types.js'
import { FILE_SCHEMA, FOLDER_SCHEMA, UPLOAD_PLUGIN } from './upload.js'
import { PERMISSION_SCHEMA, ROLE_SCHEMA, USER_SCHEMA, USERS_PERMISSIONS_PLUGIN } from './users-permissions.js'

export { FILE_UID, FOLDER_UID } from './upload.js'
export { PERMISSION_UID, ROLE_UID, USER_UID, USERS_PERMISSIONS_UIDS } from './users-permissions.js'

/** The built-in content types, as the loader takes them (after the project's). */
export const BUILTIN_CONTENT_TYPES: ReadonlyArray<{ plugin: string, schema: ContentTypeSchema }> = [
  { plugin: UPLOAD_PLUGIN, schema: FILE_SCHEMA },
  { plugin: UPLOAD_PLUGIN, schema: FOLDER_SCHEMA },
  { plugin: USERS_PERMISSIONS_PLUGIN, schema: USER_SCHEMA },
  { plugin: USERS_PERMISSIONS_PLUGIN, schema: ROLE_SCHEMA },
  { plugin: USERS_PERMISSIONS_PLUGIN, schema: PERMISSION_SCHEMA }
]
