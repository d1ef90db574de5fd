import { fieldError, renderMail, type User, type Users } from '../auth/index.js'
import { ApplicationError, NotFoundError, UnauthorizedError, ValidationError } from '../errors.js'
import type { RequestContext } from '../hooks/index.js'
import type { Vellum } from '../types.js'
import { isApiContentType } from '../content-types/index.js'
import { canReadOf } from './permissions.js'
import { UPLOAD_ACTIONS } from './upload.js'
import type { RouteDefinition, Router } from './types.js'

/**
 * The Users & Permissions routes (contract §26.3) as one router of the content API, so they run the same
 * pipeline as every route (access check, policies, middlewares, envelope): each behind its own action, as in
 * Strapi. Auth and user bodies are not wrapped in `data`. The HTTP shape lives here; the rules in lib/auth.
 */

const UP = 'plugin::users-permissions'
const ROLE_UID = `${UP}.role`

type Body = Record<string, unknown>

function bodyOf (ctx: RequestContext): Body {
  const body = ctx.request.body
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? body as Body : {}
}

/** Required string fields, all errors at once as Strapi's yup answers them; values never echoed. */
function requireStrings (body: Body, fields: readonly string[]): Record<string, string> {
  const missing = fields.filter(field => typeof body[field] !== 'string' || body[field] === '')
  if (missing.length > 0) {
    throw ValidationError.fromItems(missing.map(field => ({ path: [field], message: `${field} is a required field`, name: 'ValidationError', value: null })))
  }
  return Object.fromEntries(fields.map(field => [field, body[field] as string]))
}

/** Whether the query populates the role (`populate=role`, `*`, an array or an object naming it). */
function populatesRole (query: Record<string, unknown>): boolean {
  const populate = query.populate
  if (typeof populate === 'string') return populate === '*' || populate.split(',').includes('role')
  if (Array.isArray(populate)) return populate.includes('role') || populate.includes('*')
  return populate !== null && typeof populate === 'object' && 'role' in populate
}

/** A user as answers show it: its role only when asked for (or `withRole`) and the caller may read roles. */
function present (ctx: RequestContext, user: User, withRole = false): Omit<User, 'role'> & { role?: User['role'] } {
  const { role, ...rest } = user
  const showRole = (withRole || populatesRole(ctx.query)) && canReadOf(ctx)(ROLE_UID)
  return showRole ? { ...rest, role } : rest
}

function idParam (ctx: RequestContext, name = 'id'): number {
  const id = ctx.params[name] ?? ''
  if (!/^\d{1,9}$/.test(id)) throw new ValidationError(`Invalid ${name}: expected a numeric id`, { [name]: id })
  return Number(id)
}

/** Query keys the users list refuses: a private attribute (its hash must not become an oracle). */
function refusePrivateKeys (query: Record<string, unknown>): void {
  const text = JSON.stringify(query)
  for (const key of ['password', 'resetPasswordToken', 'confirmationToken']) {
    if (text.includes(`"${key}"`)) throw new ValidationError(`Invalid key ${key}`, { key })
  }
}

function pageOf (query: Record<string, unknown>): { start?: number, limit?: number } {
  const number = (value: unknown, name: string): number | undefined => {
    if (value === undefined) return undefined
    if (typeof value !== 'string' || !/^\d{1,9}$/.test(value)) throw new ValidationError(`Invalid ${name}: expected a non-negative integer`, { [name]: value })
    return Number(value)
  }
  const start = number(query.start, 'start')
  const limit = number(query.limit, 'limit')
  return { ...(start !== undefined && { start }), ...(limit !== undefined && { limit }) }
}

function authRoutes (vellum: Vellum, users: Users): RouteDefinition[] {
  const register = vellum.config.usersPermissions.register
  const registerFields = new Set(['username', 'email', 'password', ...register.allowedFields])
  return [
    {
      method: 'POST',
      path: '/auth/local',
      handler: async (ctx) => {
        const { identifier, password } = requireStrings(bodyOf(ctx), ['identifier', 'password'])
        const user = await users.login(identifier!, password!)
        return { jwt: users.issue(user), user: present(ctx, user) }
      },
      config: { auth: { scope: [`${UP}.auth.callback`] } }
    },
    {
      method: 'POST',
      path: '/auth/local/register',
      handler: async (ctx) => {
        if (!register.allow) throw new ApplicationError('Register action is currently disabled')
        const body = bodyOf(ctx)
        const extra = Object.keys(body).filter(key => !registerFields.has(key))
        if (extra.length > 0) throw new ValidationError(`Invalid parameters: ${extra.join(', ')}`, { invalidParameters: extra })
        const { username, email, password } = requireStrings(body, ['username', 'email', 'password'])
        const confirm = vellum.config.usersPermissions.emailConfirmation
        const user = await users.create({ username: username!, email: email!, password: password!, role: 'authenticated', confirmed: !confirm })
        if (!confirm) return { jwt: users.issue(user), user: present(ctx, user) }
        // With confirmation on, no JWT until the link is followed (as Strapi).
        await sendConfirmation(vellum, users, user)
        return { user: present(ctx, user) }
      },
      config: { auth: { scope: [`${UP}.auth.register`] } }
    },
    {
      method: 'POST',
      path: '/auth/change-password',
      handler: async (ctx) => {
        const current = ctx.state.user as User | undefined
        if (current === undefined) throw new ApplicationError('You must be authenticated to reset your password')
        const body = requireStrings(bodyOf(ctx), ['currentPassword', 'password', 'passwordConfirmation'])
        if (body.password !== body.passwordConfirmation) throw fieldError('passwordConfirmation', 'Passwords do not match')
        if (!await users.checkPassword(current.id, body.currentPassword!)) throw new ValidationError('The provided current password is invalid')
        if (body.currentPassword === body.password) throw new ValidationError('Your new password must be different than your current password')
        const user = await users.update(current.id, { password: body.password! })
        return { jwt: users.issue(user), user: present(ctx, user) }
      },
      config: { auth: { scope: [`${UP}.auth.changePassword`] } }
    }
  ]
}

/** `{ email }` and nothing else, as Strapi's forgot-password and send-email-confirmation check it. */
function emailOf (ctx: RequestContext): string {
  const body = bodyOf(ctx)
  const extra = Object.keys(body).filter(key => key !== 'email')
  if (extra.length > 0) throw new ValidationError(`this field has unspecified keys: ${extra.join(', ')}`)
  const { email } = requireStrings(body, ['email'])
  if (!EMAIL.test(email!)) throw fieldError('email', 'email must be a valid email')
  return email!.toLowerCase()
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

function accountRoutes (vellum: Vellum, users: Users): RouteDefinition[] {
  const up = vellum.config.usersPermissions
  return [
    {
      method: 'POST',
      path: '/auth/forgot-password',
      handler: async (ctx) => {
        const issued = await users.issueResetCode(emailOf(ctx))
        // The same answer whether or not the email is known: nothing to learn about accounts here.
        if (issued !== undefined) {
          await vellum.email.send(renderMail('resetPassword', up.templates.resetPassword, issued.user, { URL: up.resetPasswordUrl ?? '', TOKEN: issued.code }))
        }
        return { ok: true }
      },
      config: { auth: { scope: [`${UP}.auth.forgotPassword`] } }
    },
    {
      method: 'POST',
      path: '/auth/reset-password',
      handler: async (ctx) => {
        const body = requireStrings(bodyOf(ctx), ['code', 'password', 'passwordConfirmation'])
        if (body.password !== body.passwordConfirmation) throw fieldError('passwordConfirmation', 'Passwords do not match')
        const user = await users.resetPassword(body.code!, body.password!)
        return { jwt: users.issue(user), user: present(ctx, user) }
      },
      config: { auth: { scope: [`${UP}.auth.resetPassword`] } }
    },
    {
      method: 'GET',
      path: '/auth/email-confirmation',
      handler: async (ctx) => {
        const code = ctx.query.confirmation
        if (typeof code !== 'string' || code === '') throw fieldError('confirmation', 'confirmation is a required field')
        if (await users.confirmEmail(code) === undefined) throw new ValidationError('Invalid token')
        ctx.set('Location', up.emailConfirmationRedirection ?? '/')
        ctx.status = 302
        return undefined
      },
      config: { auth: { scope: [`${UP}.auth.emailConfirmation`] } }
    },
    {
      method: 'POST',
      path: '/auth/send-email-confirmation',
      handler: async (ctx) => {
        const email = emailOf(ctx)
        const user = await users.findByEmail(email)
        if (user !== undefined) {
          if (user.confirmed) throw new ApplicationError('Already confirmed')
          if (user.blocked) throw new ApplicationError('User blocked')
          await sendConfirmation(vellum, users, user)
        }
        return { email, sent: true }
      },
      config: { auth: { scope: [`${UP}.auth.sendEmailConfirmation`] } }
    }
  ]
}

/** A new confirmation code for the user, mailed with the link to `GET <prefix>/auth/email-confirmation`. */
async function sendConfirmation (vellum: Vellum, users: Users, user: User): Promise<void> {
  const up = vellum.config.usersPermissions
  const url = `${up.serverUrl.replace(/\/$/, '')}${vellum.config.rest.prefix}/auth/email-confirmation`
  const code = await users.issueConfirmationCode(user.id)
  await vellum.email.send(renderMail('emailConfirmation', up.templates.emailConfirmation, user, { URL: url, CODE: code }))
}

function userRoutes (users: Users): RouteDefinition[] {
  return [
    {
      method: 'GET',
      path: '/users/me',
      handler: (ctx) => {
        const user = ctx.state.user as User | undefined
        // An API token passes the check but is nobody (Strapi answers the same).
        if (user === undefined) throw new UnauthorizedError('Unauthorized')
        return present(ctx, user)
      },
      config: { auth: { scope: [`${UP}.user.me`] } }
    },
    {
      method: 'GET',
      path: '/users/count',
      handler: async () => await users.count(),
      config: { auth: { scope: [`${UP}.user.count`] } }
    },
    {
      method: 'GET',
      path: '/users',
      handler: async (ctx) => {
        refusePrivateKeys(ctx.query)
        return (await users.list(pageOf(ctx.query))).map(user => present(ctx, user))
      },
      config: { auth: { scope: [`${UP}.user.find`] } }
    },
    {
      method: 'GET',
      path: '/users/:id',
      handler: async (ctx) => {
        const user = await users.get(idParam(ctx))
        // Strapi answers 204 for an unknown id.
        if (user === undefined) ctx.status = 204
        return user === undefined ? undefined : present(ctx, user)
      },
      config: { auth: { scope: [`${UP}.user.findOne`] } }
    },
    {
      method: 'POST',
      path: '/users',
      handler: async (ctx) => {
        const body = bodyOf(ctx)
        const role = roleOf(body.role)
        if (role === undefined) throw fieldError('role', 'role is a required field')
        const { username, email, password } = requireStrings(body, ['username', 'email', 'password'])
        const user = await users.create({
          username: username!, email: email!, password: password!, role, confirmed: body.confirmed === true, blocked: body.blocked === true
        })
        ctx.status = 201
        return present(ctx, user, true)
      },
      config: { auth: { scope: [`${UP}.user.create`] } }
    },
    {
      method: 'PUT',
      path: '/users/:id',
      handler: async (ctx) => {
        const id = idParam(ctx)
        const body = bodyOf(ctx)
        const text = (key: string): string | undefined => {
          const value = body[key]
          if (value === undefined) return undefined
          if (typeof value !== 'string') throw fieldError(key, `${key} must be a \`string\` type`)
          return value
        }
        const flag = (key: string): boolean | undefined => {
          const value = body[key]
          if (value === undefined) return undefined
          if (typeof value !== 'boolean') throw fieldError(key, `${key} must be a \`boolean\` type`)
          return value
        }
        const patch = {
          username: text('username'), email: text('email'), password: text('password'), role: roleOf(body.role), confirmed: flag('confirmed'), blocked: flag('blocked')
        }
        const user = await users.update(id, Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)))
        return present(ctx, user, true)
      },
      config: { auth: { scope: [`${UP}.user.update`] } }
    },
    {
      method: 'DELETE',
      path: '/users/:id',
      handler: async (ctx) => {
        const user = await users.remove(idParam(ctx))
        ctx.deleted(user === undefined ? undefined : present(ctx, user))
      },
      config: { auth: { scope: [`${UP}.user.destroy`] } }
    }
  ]
}

/** A role as a body gives it: a numeric id (or its string), or `{ connect: [{ id }] }`. */
function roleOf (value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value
  if (typeof value === 'string' && /^\d{1,9}$/.test(value)) return Number(value)
  if (value !== null && typeof value === 'object' && 'connect' in value && Array.isArray(value.connect)) {
    const [first] = value.connect as unknown[]
    if (first !== null && typeof first === 'object' && 'id' in first) return roleOf(first.id)
    return roleOf(first)
  }
  if (value !== undefined) throw fieldError('role', 'role must be a role id')
  return undefined
}

const UP_ACTIONS = {
  auth: ['callback', 'changePassword', 'connect', 'emailConfirmation', 'forgotPassword', 'getSessions', 'logout', 'refresh', 'register',
    'resetPassword', 'revokeSession', 'sendEmailConfirmation'],
  user: ['count', 'create', 'destroy', 'find', 'findOne', 'me', 'update'],
  role: ['createRole', 'deleteRole', 'find', 'findOne', 'updateRole'],
  permissions: ['getPermissions']
}

/** Every action a role may be given: the content types' core actions and the plugin's own. */
function knownActions (vellum: Vellum): string[] {
  const actions: string[] = []
  for (const contentType of vellum.schema.contentTypes.values()) {
    if (!isApiContentType(contentType)) continue
    const core = contentType.kind === 'singleType' ? ['find', 'update', 'delete'] : ['find', 'findOne', 'create', 'update', 'delete']
    actions.push(...core.map(action => `${contentType.uid}.${action}`))
  }
  for (const [controller, names] of Object.entries(UP_ACTIONS)) actions.push(...names.map(name => `${UP}.${controller}.${name}`))
  actions.push(...UPLOAD_ACTIONS)
  return actions
}

type PermissionTree = Record<string, { controllers: Record<string, Record<string, { enabled: boolean, policy: string }>> }>

/** Strapi's permission tree: `{ "api::tag": { controllers: { tag: { find: { enabled, policy: "" } } } } }`. */
function treeOf (actions: readonly string[], enabled: ReadonlySet<string>): PermissionTree {
  const tree: PermissionTree = {}
  for (const action of [...new Set([...actions, ...enabled])].sort()) {
    const match = /^([a-z]+::[^.]+)\.(.+)\.([^.]+)$/.exec(action)
    if (match === null) continue
    const [, namespace, controller, name] = match as unknown as [string, string, string, string]
    const controllers = (tree[namespace] ??= { controllers: {} }).controllers
    ;(controllers[controller] ??= {})[name] = { enabled: enabled.has(action), policy: '' }
  }
  return tree
}

/** The enabled actions of a permission tree from a body; a malformed tree is a 400. */
function enabledOf (tree: unknown): string[] {
  if (tree === undefined) return []
  const invalid = (): ValidationError => new ValidationError('Invalid permissions: expected { "<namespace>": { controllers: { "<controller>": { "<action>": { enabled } } } } }')
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree)) throw invalid()
  const actions: string[] = []
  for (const [namespace, entry] of Object.entries(tree)) {
    const controllers = (entry as { controllers?: unknown } | null)?.controllers
    if (controllers === null || typeof controllers !== 'object') throw invalid()
    for (const [controller, names] of Object.entries(controllers as object)) {
      if (names === null || typeof names !== 'object') throw invalid()
      for (const [name, value] of Object.entries(names as object)) {
        if ((value as { enabled?: unknown } | null)?.enabled === true) actions.push(`${namespace}.${controller}.${name}`)
      }
    }
  }
  return actions
}

function nonEmptyBody (ctx: RequestContext): Body {
  const body = bodyOf(ctx)
  if (Object.keys(body).length === 0) throw new ValidationError('Request body cannot be empty')
  return body
}

function optionalText (body: Body, key: string): string | undefined {
  const value = body[key]
  if (value === undefined) return undefined
  if (typeof value !== 'string') throw fieldError(key, `${key} must be a \`string\` type`)
  return value
}

/** A role in a path: a numeric id, else a type. */
const roleParam = (ctx: RequestContext, name: string): number | string => {
  const value = ctx.params[name] ?? ''
  return /^\d{1,9}$/.test(value) ? Number(value) : value
}

function roleRoutes (vellum: Vellum): RouteDefinition[] {
  const roles = vellum.auth.roles
  const all = knownActions(vellum)
  const prefix = '/users-permissions'
  return [
    {
      method: 'GET',
      path: `${prefix}/roles`,
      handler: async () => ({ roles: await roles.list() }),
      config: { auth: { scope: [`${UP}.role.find`] } }
    },
    {
      method: 'GET',
      path: `${prefix}/roles/:id`,
      handler: async (ctx) => {
        const role = await roles.get(roleParam(ctx, 'id'))
        if (role === undefined) throw new NotFoundError('Role not found')
        return { role: { ...role, permissions: treeOf(all, new Set(await roles.actionsOf(role.id))) } }
      },
      config: { auth: { scope: [`${UP}.role.findOne`] } }
    },
    {
      method: 'POST',
      path: `${prefix}/roles`,
      handler: async (ctx) => {
        const body = nonEmptyBody(ctx)
        const name = optionalText(body, 'name')
        if (name === undefined || name.trim() === '') throw fieldError('name', 'name is a required field')
        const description = optionalText(body, 'description')
        const type = optionalText(body, 'type')
        await roles.create({ name, ...(description !== undefined && { description }), ...(type !== undefined && { type }), actions: enabledOf(body.permissions) })
        return { ok: true }
      },
      config: { auth: { scope: [`${UP}.role.createRole`] } }
    },
    {
      method: 'PUT',
      path: `${prefix}/roles/:id`,
      handler: async (ctx) => {
        const body = nonEmptyBody(ctx)
        const name = optionalText(body, 'name')
        const description = optionalText(body, 'description')
        await roles.update(roleParam(ctx, 'id'), {
          ...(name !== undefined && { name }),
          ...(description !== undefined && { description }),
          ...(body.permissions !== undefined && { actions: enabledOf(body.permissions) })
        })
        return { ok: true }
      },
      config: { auth: { scope: [`${UP}.role.updateRole`] } }
    },
    {
      method: 'DELETE',
      path: `${prefix}/roles/:id`,
      handler: async (ctx) => {
        await roles.remove(roleParam(ctx, 'id'))
        return { ok: true }
      },
      config: { auth: { scope: [`${UP}.role.deleteRole`] } }
    },
    {
      method: 'GET',
      path: `${prefix}/permissions`,
      handler: () => ({ permissions: treeOf(all, new Set()) }),
      config: { auth: { scope: [`${UP}.permissions.getPermissions`] } }
    }
  ]
}

/** The router of the Users & Permissions routes. */
export function usersPermissionsRouter (vellum: Vellum): Router {
  const users = vellum.auth.users
  const routes = [...authRoutes(vellum, users), ...accountRoutes(vellum, users), ...userRoutes(users), ...roleRoutes(vellum)]
  return { routes }
}
