import type { ContentTypeSchema } from '../types.js'

/**
 * The Users & Permissions plugin's content types, which every Strapi project has (contract §26): users, roles
 * and permissions in `up_users`, `up_roles` and `up_permissions`. As models they are what a project's relation
 * to `plugin::users-permissions.user` points at, what populate and filters reach, and what
 * `strapi.db.query(...)` reads. Their tables are lib/auth's, in Strapi's exact layout (timestamps without time
 * zone, audit columns): schema sync never creates or changes them (`USERS_PERMISSIONS_UIDS`).
 */
export const USERS_PERMISSIONS_PLUGIN = 'users-permissions'
export const USER_UID = 'plugin::users-permissions.user'
export const ROLE_UID = 'plugin::users-permissions.role'
export const PERMISSION_UID = 'plugin::users-permissions.permission'

/** The models whose tables lib/auth creates and owns (with the link tables these models own). */
export const USERS_PERMISSIONS_UIDS: ReadonlySet<string> = new Set([USER_UID, ROLE_UID, PERMISSION_UID])

const fixed = { configurable: false } as const

export const USER_SCHEMA: ContentTypeSchema = {
  kind: 'collectionType',
  collectionName: 'up_users',
  info: { singularName: 'user', pluralName: 'users', displayName: 'User', description: '' },
  options: { draftAndPublish: false },
  attributes: {
    username: { type: 'string', minLength: 3, unique: true, required: true, ...fixed },
    email: { type: 'email', minLength: 6, required: true, ...fixed },
    provider: { type: 'string', ...fixed },
    password: { type: 'password', minLength: 6, private: true, searchable: false, ...fixed },
    resetPasswordToken: { type: 'string', private: true, searchable: false, ...fixed },
    confirmationToken: { type: 'string', private: true, searchable: false, ...fixed },
    confirmed: { type: 'boolean', default: false, ...fixed },
    blocked: { type: 'boolean', default: false, ...fixed },
    role: { type: 'relation', relation: 'manyToOne', target: ROLE_UID, inversedBy: 'users', ...fixed }
  }
}

export const ROLE_SCHEMA: ContentTypeSchema = {
  kind: 'collectionType',
  collectionName: 'up_roles',
  info: { singularName: 'role', pluralName: 'roles', displayName: 'Role', description: '' },
  options: { draftAndPublish: false },
  attributes: {
    name: { type: 'string', minLength: 3, required: true, ...fixed },
    description: { type: 'string', ...fixed },
    type: { type: 'string', unique: true, ...fixed },
    permissions: { type: 'relation', relation: 'oneToMany', target: PERMISSION_UID, mappedBy: 'role', ...fixed },
    users: { type: 'relation', relation: 'oneToMany', target: USER_UID, mappedBy: 'role', ...fixed }
  }
}

export const PERMISSION_SCHEMA: ContentTypeSchema = {
  kind: 'collectionType',
  collectionName: 'up_permissions',
  info: { singularName: 'permission', pluralName: 'permissions', displayName: 'Permission', description: '' },
  options: { draftAndPublish: false },
  attributes: {
    action: { type: 'string', required: true, ...fixed },
    role: { type: 'relation', relation: 'manyToOne', target: ROLE_UID, inversedBy: 'permissions', ...fixed }
  }
}
