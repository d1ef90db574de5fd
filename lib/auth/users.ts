import { createHash, randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import bcrypt from 'bcryptjs'
import { sql, type SQL } from 'drizzle-orm'
import type * as FastJwt from 'fast-jwt'
import { LruMap } from 'toad-cache'
import { executeOn, type Database, type Executor } from '../db/index.js'
import { createDocumentId } from '../document/index.js'
import { ApplicationError, NotFoundError, UnauthorizedError, ValidationError } from '../errors.js'
import type { Logger } from '../logger.js'
import type { AuthStrategy, StrategyResult } from './ability.js'
import { abilityOfActions, ROLE_COLUMNS, type Role, type Roles } from './roles.js'
import { ROLES_TABLE, USER_ROLE_TABLE, USERS_TABLE } from './up-tables.js'

/**
 * Users of the Users & Permissions plugin (contract §26.3–26.4) in Strapi's tables: bcryptjs hashes (Strapi's
 * `$2a$` format, so a Strapi database's users log in with their hashes), HS256 JWTs whose payload is `{ id }`.
 * Passwords, hashes and reset/confirmation tokens never leave this module except as booleans.
 */

/** A user as answers show it: never its password, reset or confirmation token. */
export interface User {
  id: number
  documentId: string | null
  username: string | null
  email: string | null
  provider: string | null
  confirmed: boolean
  blocked: boolean
  createdAt: string | null
  updatedAt: string | null
  publishedAt: string | null
  /** The user's role, or null when it has none. */
  role: Role | null
}

export interface CreateUser {
  username: string
  email: string
  password: string
  /** A role id or type; the authenticated role when absent. */
  role?: number | string
  confirmed?: boolean
  blocked?: boolean
  provider?: string
}

export interface UpdateUser {
  username?: string
  email?: string
  password?: string
  role?: number | string
  confirmed?: boolean
  blocked?: boolean
}

export interface Users {
  create: (input: CreateUser) => Promise<User>
  get: (id: number) => Promise<User | undefined>
  list: (page?: { start?: number, limit?: number }) => Promise<User[]>
  count: () => Promise<number>
  update: (id: number, patch: UpdateUser) => Promise<User>
  /** Deletes a user; undefined when there was none. Its JWTs stop working at once here, within the TTL elsewhere. */
  remove: (id: number) => Promise<User | undefined>
  block: (id: number, blocked?: boolean) => Promise<User>
  /** Strapi's local login: the user, or the error Strapi answers. Takes one bcrypt compare whether or not the user exists. */
  login: (identifier: string, password: string) => Promise<User>
  /** Whether `password` is the user's current one. */
  checkPassword: (id: number, password: string) => Promise<boolean>
  /** A JWT for a user: `{ id }`, HS256, the configured expiry. */
  issue: (user: Pick<User, 'id'>) => string
  /** A JWT's payload once its signature and expiry are checked; UnauthorizedError `Invalid token.` otherwise (Strapi's jwt.verify). */
  verify: (token: string) => Record<string, unknown>
  /** Refuses a password that is too short or longer than bcrypt's 72 bytes; never echoes it. */
  checkPasswordRules: (password: unknown, path?: string) => void
  /**
   * A new password-reset code for the user with this email (neither unknown nor blocked), else undefined. The
   * code is returned to be mailed; only its SHA-256 is stored (Strapi stores it in plaintext).
   */
  issueResetCode: (email: string) => Promise<{ user: User, code: string } | undefined>
  /** Sets the password of the code's user and clears the code; ValidationError "Incorrect code provided" otherwise. */
  resetPassword: (code: string, password: string) => Promise<User>
  /** A new email-confirmation code for a user (stored as its SHA-256). */
  issueConfirmationCode: (id: number) => Promise<string>
  /** Confirms the code's user; undefined for an unknown code. */
  confirmEmail: (code: string) => Promise<User | undefined>
  /** The user of an email (lower-cased), or undefined. */
  findByEmail: (email: string) => Promise<User | undefined>
  /** The content API's users-permissions strategy (after the API-token one). */
  strategy: AuthStrategy
}

export interface UsersOptions {
  database: Database
  roles: Roles
  jwtSecret: string
  /** As Strapi's `jwt.expiresIn`: `30d`, `2h`, or milliseconds. */
  expiresIn: string | number
  bcryptRounds: number
  passwordMinLength: number
  /** How many character classes (lower, upper, digit, other) a new password must mix; 0 for no rule. */
  passwordCharacterClasses: number
  /** Email confirmation on: an unconfirmed user cannot log in, and its JWTs are refused (as Strapi). */
  emailConfirmation: boolean
  /** How long a user loaded for a JWT is trusted (ms); 0 reads it on every request. */
  cacheTtlMs: number
  cacheSize: number
  log: Logger
}

const ISO = (column: string): string => `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
const COLUMNS = sql.raw(`u."id", u."document_id" as "documentId", u."username", u."email", u."provider",
  coalesce(u."confirmed", false) as "confirmed", coalesce(u."blocked", false) as "blocked",
  ${ISO('u."created_at"')} as "createdAt", ${ISO('u."updated_at"')} as "updatedAt", ${ISO('u."published_at"')} as "publishedAt",
  (select row_to_json(r) from (select ${ROLE_COLUMNS('ro')} from "${USER_ROLE_TABLE}" l join "${ROLES_TABLE}" ro on ro."id" = l."role_id"
     where l."user_id" = u."id" order by l."id" limit 1) r) as "role"`)
const USERS = sql.raw(`"${USERS_TABLE}" u`)
const UTC_NOW = sql.raw("(now() at time zone 'utc')")
/** One advisory lock for user writes that check uniqueness ("vusr"): Strapi's layout has no unique constraint. */
const USER_LOCK = 0x76757372

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/** A `ValidationError` with Strapi's `details.errors` for one field (the value is never echoed). */
export function fieldError (path: string, message: string): ValidationError {
  return ValidationError.fromItems([{ path: [path], message, name: 'ValidationError', value: null }])
}

/**
 * A bcrypt hash in Strapi's `$2a$` form (its bcryptjs 2 writes `$2a$`, bcryptjs 3 `$2b$`; the algorithm is the
 * same): a database vellum wrote stays usable by a Strapi that reads it.
 */
async function hashPassword (password: string, rounds: number): Promise<string> {
  return await bcrypt.hash(password, (await bcrypt.genSalt(rounds)).replace(/^\$2b\$/, '$2a$'))
}

/** A user without a role may do nothing (Strapi's users always have one; a database edit may leave one without). */
const noAbility = abilityOfActions([])

/** What is stored of a reset or confirmation code: a leaked table does not let anyone use the codes in flight. */
const digest = (code: string): string => createHash('sha256').update(code).digest('hex')

function toUser (row: User): User {
  return { ...row, confirmed: Boolean(row.confirmed), blocked: Boolean(row.blocked), role: row.role === null ? null : { ...row.role, description: row.role.description ?? '' } }
}

interface CachedUser {
  user: User
  expires: number
}

/** How many of lower-case letters, upper-case letters, digits and other characters a password uses. */
function characterClasses (password: string): number {
  return [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[^\p{Ll}\p{Lu}\p{Nd}]/u].filter(pattern => pattern.test(password)).length
}

const require = createRequire(import.meta.url)
let fastJwtModule: typeof FastJwt | undefined

/** fast-jwt, loaded the first time a token is issued or checked: ~30 ms of CPU at every cold start otherwise. */
function fastJwt (): typeof FastJwt {
  fastJwtModule ??= require('fast-jwt') as typeof FastJwt
  return fastJwtModule
}

export function createUsers ({ database, roles, jwtSecret, expiresIn, bcryptRounds, passwordMinLength, passwordCharacterClasses, emailConfirmation, cacheTtlMs, cacheSize, log }: UsersOptions): Users {
  // Made on first use: a project whose clients never log in or send a JWT does not load fast-jwt.
  let signer: ((payload: { id: number }) => string) | undefined
  let verifier: ((token: string) => unknown) | undefined
  const sign = (payload: { id: number }): string => (signer ??= fastJwt().createSigner({ key: jwtSecret, algorithm: 'HS256', expiresIn }))(payload)
  const verify = (token: string): unknown => (verifier ??= fastJwt().createVerifier({ key: jwtSecret, algorithms: ['HS256'] }))(token)
  const cache = new LruMap<CachedUser>(cacheSize)
  // Compared against when the identifier matches nobody, so both answers cost one bcrypt compare.
  let dummyHash: Promise<string> | undefined
  const dummy = async (): Promise<string> => await (dummyHash ??= hashPassword(randomBytes(16).toString('hex'), bcryptRounds))

  async function read (where: SQL, executor: Executor = database.drizzle): Promise<User[]> {
    const rows = await executeOn<User>(executor, sql`select ${COLUMNS} from ${USERS} where ${where} order by u."id"`)
    return rows.map(toUser)
  }

  async function passwordHashOf (id: number): Promise<string | null> {
    const [row] = await database.execute<{ password: string | null }>(sql`select "password" from ${USERS} where u."id" = ${id}`)
    return row?.password ?? null
  }

  function checkPasswordRules (password: unknown, path = 'password'): void {
    if (typeof password !== 'string' || password === '') throw fieldError(path, `${path} is a required field`)
    if (password.length < passwordMinLength) throw fieldError(path, `${path} must be at least ${passwordMinLength} characters`)
    if (Buffer.byteLength(password) > 72) throw fieldError(path, `${path} must be at most 72 bytes`)
    if (characterClasses(password) < passwordCharacterClasses) {
      throw fieldError(path, `${path} must mix at least ${passwordCharacterClasses} of: lower-case letters, upper-case letters, digits, other characters`)
    }
  }

  async function roleIdFor (role: number | string | undefined): Promise<number> {
    const found = await roles.get(role ?? 'authenticated')
    if (found === undefined) throw new ValidationError('Role not found', { role: role ?? 'authenticated' })
    return found.id
  }

  /** Refuses an email or username another user has (a username equal to an existing email too, as Strapi). */
  async function checkFree (tx: Executor, username: string | undefined, email: string | undefined, except: number | null): Promise<void> {
    const clauses: SQL[] = []
    if (email !== undefined) clauses.push(sql`lower(u."email") = ${email}`)
    if (username !== undefined) clauses.push(sql`u."username" = ${username} or lower(u."email") = ${username.toLowerCase()}`)
    if (clauses.length === 0) return
    const taken = await executeOn(tx, sql`select 1 from ${USERS} where (${sql.join(clauses, sql` or `)}) and u."id" is distinct from ${except}`)
    if (taken.length > 0) throw new ApplicationError('Email or Username are already taken')
  }

  function forget (id: number): void { cache.delete(String(id)) }

  async function loadForJwt (id: number): Promise<User | undefined> {
    const cached = cacheTtlMs > 0 ? cache.get(String(id)) : undefined
    if (cached !== undefined && cached.expires > Date.now()) return cached.user
    const [user] = await read(sql`u."id" = ${id}`)
    if (user !== undefined && cacheTtlMs > 0) cache.set(String(id), { user: Object.freeze(user), expires: Date.now() + cacheTtlMs })
    return user
  }

  const strategy: AuthStrategy = {
    name: 'users-permissions',
    async authenticate (bearer): Promise<StrategyResult> {
      let payload: { id?: unknown }
      try {
        payload = verify(bearer) as { id?: unknown }
      } catch {
        return { authenticated: false }
      }
      const id = typeof payload.id === 'number' ? payload.id : typeof payload.id === 'string' && /^\d+$/.test(payload.id) ? Number(payload.id) : undefined
      if (id === undefined || !Number.isSafeInteger(id)) return { authenticated: false }
      const user = await loadForJwt(id)
      if (user === undefined || user.blocked || (emailConfirmation && !user.confirmed)) return { authenticated: false, error: 'Invalid credentials' }
      const ability = user.role === null ? noAbility : await roles.abilityOf(user.role.id)
      return { authenticated: true, credentials: user, user, ability }
    }
  }

  async function get (id: number): Promise<User | undefined> {
    return (await read(sql`u."id" = ${id}`))[0]
  }

  async function update (id: number, patch: UpdateUser): Promise<User> {
    const email = patch.email?.toLowerCase()
    if (email !== undefined && !EMAIL.test(email)) throw fieldError('email', 'email must be a valid email')
    if (patch.password !== undefined) checkPasswordRules(patch.password)
    const hash = patch.password === undefined ? undefined : await hashPassword(patch.password, bcryptRounds)
    const roleId = patch.role === undefined ? undefined : await roleIdFor(patch.role)
    await database.drizzle.transaction(async tx => {
      await tx.execute(sql`select pg_advisory_xact_lock(${USER_LOCK})`)
      const [exists] = await executeOn(tx, sql`select 1 from ${USERS} where u."id" = ${id}`)
      if (exists === undefined) throw new NotFoundError('User not found', { id })
      await checkFree(tx, patch.username, email, id)
      const sets: SQL[] = [sql`"updated_at" = ${UTC_NOW}`]
      if (patch.username !== undefined) sets.push(sql`"username" = ${patch.username}`)
      if (email !== undefined) sets.push(sql`"email" = ${email}`)
      if (hash !== undefined) sets.push(sql`"password" = ${hash}`)
      if (patch.confirmed !== undefined) sets.push(sql`"confirmed" = ${patch.confirmed}`)
      if (patch.blocked !== undefined) sets.push(sql`"blocked" = ${patch.blocked}`)
      await executeOn(tx, sql`update ${sql.raw(`"${USERS_TABLE}"`)} set ${sql.join(sets, sql`, `)} where "id" = ${id}`)
      if (roleId !== undefined) {
        await executeOn(tx, sql`delete from ${sql.raw(`"${USER_ROLE_TABLE}"`)} where "user_id" = ${id}`)
        await executeOn(tx, sql`insert into ${sql.raw(`"${USER_ROLE_TABLE}"`)} ("user_id", "role_id", "user_ord") values (${id}, ${roleId}, 1)`)
      }
    })
    forget(id)
    return (await get(id))!
  }

  return {
    strategy,
    checkPasswordRules,
    issue: (user) => sign({ id: user.id }),
    verify (token) {
      try {
        return verify(token) as Record<string, unknown>
      } catch {
        throw new UnauthorizedError('Invalid token.')
      }
    },
    async create (input) {
      const username = typeof input.username === 'string' ? input.username : ''
      const email = typeof input.email === 'string' ? input.email.toLowerCase() : ''
      if (username.length < 3) throw fieldError('username', username === '' ? 'username is a required field' : 'username must be at least 3 characters')
      if (!EMAIL.test(email)) throw fieldError('email', email === '' ? 'email is a required field' : 'email must be a valid email')
      checkPasswordRules(input.password)
      const roleId = await roleIdFor(input.role)
      const hash = await hashPassword(input.password, bcryptRounds)
      const id = await database.drizzle.transaction(async tx => {
        await tx.execute(sql`select pg_advisory_xact_lock(${USER_LOCK})`)
        await checkFree(tx, username, email, null)
        const [row] = await executeOn<{ id: number }>(tx, sql`
          insert into ${sql.raw(`"${USERS_TABLE}"`)} ("document_id", "username", "email", "provider", "password", "confirmed", "blocked",
            "created_at", "updated_at", "published_at")
          values (${createDocumentId()}, ${username}, ${email}, ${input.provider ?? 'local'}, ${hash}, ${input.confirmed ?? false}, ${input.blocked ?? false},
            ${UTC_NOW}, ${UTC_NOW}, ${UTC_NOW}) returning "id"`)
        await executeOn(tx, sql`insert into ${sql.raw(`"${USER_ROLE_TABLE}"`)} ("user_id", "role_id", "user_ord") values (${row!.id}, ${roleId}, 1)`)
        return row!.id
      })
      log.info({ userId: id }, 'user created')
      return (await get(id))!
    },
    get,
    async list ({ start = 0, limit } = {}) {
      const page = limit === undefined ? sql`` : sql` limit ${limit}`
      const rows = await database.execute<User>(sql`select ${COLUMNS} from ${USERS} order by u."id" offset ${start}${page}`)
      return rows.map(toUser)
    },
    async count () {
      const [row] = await database.execute<{ count: number | string }>(sql`select count(*)::int as "count" from ${USERS}`)
      return Number(row?.count ?? 0)
    },
    update,
    async remove (id) {
      const user = await get(id)
      if (user === undefined) return undefined
      await database.execute(sql`delete from ${sql.raw(`"${USERS_TABLE}"`)} where "id" = ${id}`)
      forget(id)
      log.info({ userId: id }, 'user deleted')
      return user
    },
    async block (id, blocked = true) {
      const user = await update(id, { blocked })
      log.info({ userId: id, blocked }, blocked ? 'user blocked' : 'user unblocked')
      return user
    },
    async login (identifier, password) {
      const [row] = await database.execute<{ id: number, password: string | null }>(sql`
        select u."id", u."password" from ${USERS}
        where u."provider" = 'local' and (u."email" = ${identifier.toLowerCase()} or u."username" = ${identifier}) order by u."id" limit 1`)
      const hash = row?.password ?? null
      const valid = await bcrypt.compare(password, hash ?? await dummy())
      if (row === undefined || hash === null || !valid) throw new ValidationError('Invalid identifier or password')
      const user = (await get(row.id))!
      if (emailConfirmation && !user.confirmed) throw new ApplicationError('Your account email is not confirmed')
      if (user.blocked) throw new ApplicationError('Your account has been blocked by an administrator')
      return user
    },
    async findByEmail (email) {
      return (await read(sql`lower(u."email") = ${email.toLowerCase()}`))[0]
    },
    async issueResetCode (email) {
      const [user] = await read(sql`lower(u."email") = ${email.toLowerCase()}`)
      if (user === undefined || user.blocked) return undefined
      const code = randomBytes(64).toString('hex')
      await database.execute(sql`update ${sql.raw(`"${USERS_TABLE}"`)} set "reset_password_token" = ${digest(code)} where "id" = ${user.id}`)
      return { user, code }
    },
    async resetPassword (code, password) {
      checkPasswordRules(password)
      const [row] = await database.execute<{ id: number }>(sql`select u."id" from ${USERS} where u."reset_password_token" = ${digest(code)}`)
      if (row === undefined) throw new ValidationError('Incorrect code provided')
      const hash = await hashPassword(password, bcryptRounds)
      // The code is spent by the update that uses it: two requests with one code cannot both succeed.
      const updated = await database.execute(sql`update ${sql.raw(`"${USERS_TABLE}"`)} set "password" = ${hash}, "reset_password_token" = null,
        "updated_at" = ${UTC_NOW} where "id" = ${row.id} and "reset_password_token" = ${digest(code)} returning "id"`)
      if (updated.length === 0) throw new ValidationError('Incorrect code provided')
      forget(row.id)
      log.info({ userId: row.id }, 'password reset')
      return (await get(row.id))!
    },
    async issueConfirmationCode (id) {
      const code = randomBytes(20).toString('hex')
      await database.execute(sql`update ${sql.raw(`"${USERS_TABLE}"`)} set "confirmation_token" = ${digest(code)} where "id" = ${id}`)
      return code
    },
    async confirmEmail (code) {
      const [row] = await database.execute<{ id: number }>(sql`update ${sql.raw(`"${USERS_TABLE}"`)} set "confirmed" = true, "confirmation_token" = null,
        "updated_at" = ${UTC_NOW} where "confirmation_token" = ${digest(code)} returning "id"`)
      if (row === undefined) return undefined
      forget(row.id)
      log.info({ userId: row.id }, 'email confirmed')
      return await get(row.id)
    },
    async checkPassword (id, password) {
      const hash = await passwordHashOf(id)
      return hash !== null && await bcrypt.compare(password, hash)
    }
  }
}
