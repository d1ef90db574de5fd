import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { Value, ValueErrorType, type ValueError } from '@sinclair/typebox/value'
import type { PGlite } from '@electric-sql/pglite'
import type { Sql } from 'postgres'
import type { ComponentDefinition, ContentTypeDefinition } from './content-types/types.js'
import type { EmailProviderOption } from './email/index.js'
import type { UploadProviderOption } from './upload/index.js'
import { InvalidOptionsError } from './errors.js'
import type {
  ControllerFactory, FactoryDeps, MiddlewareFactory, MiddlewareReference, Policy, Router, ServiceFactory
} from './http/types.js'

/**
 * The plugin's options, validated at registration: a wrong option makes `ready()` reject with the option's
 * path and what was expected. The user's object is never mutated.
 */

const LocaleCode = Type.String({ pattern: '^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$', description: 'a BCP-47-like locale code' })

export const DatabaseOptionSchema = Type.Union([
  Type.Object({ url: Type.String({ minLength: 1 }), max: Type.Optional(Type.Integer({ minimum: 1 })), prepare: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
  Type.Object({ pglite: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  Type.Object({ client: Type.Unsafe<Sql | PGlite>(Type.Unknown()) }, { additionalProperties: false })
], { description: '{ url }, { pglite: "<dir>" | "memory" } or { client }' })

const SyncOptionSchema = Type.Union([
  Type.Boolean(),
  Type.Object({ allowDestructive: Type.Optional(Type.Boolean()) }, { additionalProperties: false })
])

const RestOptionsSchema = Type.Object({
  prefix: Type.String({ pattern: '^(/[A-Za-z0-9._~-]+)*$', default: '/api', description: 'a path like /api, or empty' }),
  defaultLimit: Type.Integer({ minimum: 1, default: 25 }),
  maxLimit: Type.Integer({ minimum: 1, default: 100 }),
  withCount: Type.Boolean({ default: true }),
  /** Strapi's `rest.strictParams`: an unknown top-level query key is a 400 instead of being ignored. */
  strictParams: Type.Boolean({ default: false }),
  /** Deepest populate nesting a request may ask for. */
  maxPopulateDepth: Type.Integer({ minimum: 1, default: 5 }),
  /** Deepest filters nesting ($and/$or/$not and relation hops). */
  maxFilterDepth: Type.Integer({ minimum: 1, default: 10 }),
  /** Longest array a query parameter may hold ($in lists, sort, fields). */
  maxArrayLength: Type.Integer({ minimum: 1, default: 100 }),
  /** Request body limit in bytes. */
  bodyLimit: Type.Integer({ minimum: 1, default: 1048576 })
}, { additionalProperties: false, default: {} })

/** A route path such as `/_health` (under the plugin prefix), or `false` for no route. */
const routePath = (path: string) => Type.Union([
  Type.String({ pattern: '^(/[A-Za-z0-9._~-]+)+$' }),
  Type.Literal(false)
], { description: 'a path like /_health, or false', default: path })

/**
 * Liveness (`path`: 200 without touching the database) and readiness (`readyPath`: 200 once the database
 * answers `select 1` within `readyTimeoutMs`, else 503). Every field is optional, defaults filled in.
 */
const HealthOptionsSchema = Type.Object({
  path: Type.Optional(routePath('/_health')),
  readyPath: Type.Optional(routePath('/_ready')),
  readyTimeoutMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 60_000, default: 2000 }))
}, { additionalProperties: false, default: {} })

const I18nOptionsSchema = Type.Object({
  locales: Type.Array(LocaleCode, { minItems: 1, uniqueItems: true, default: ['en'] }),
  defaultLocale: Type.Optional(LocaleCode)
}, { additionalProperties: false, default: {} })

const Action = Type.String({ pattern: '^[a-z]+::[A-Za-z0-9._-]+$', description: "an action such as 'api::article.article.find'" })

/**
 * The actions of users-permissions roles by role type, as code (issue 15). `public` may be '*' (everything,
 * kept in memory, never written to the tables). A declared role is written to up_permissions at startup and kept
 * in sync with this list (plus the users-permissions defaults of public and authenticated); roles not declared
 * are left to the database. `public` defaults to [] when absent for the HTTP check of a database-less test app.
 */
const PermissionsSchema = Type.Object({
  public: Type.Union([Type.Literal('*'), Type.Array(Action)], { default: [] })
}, { additionalProperties: Type.Array(Action), default: {} })

const EmailTemplateSchema = Type.Object({
  from: Type.Optional(Type.String({ minLength: 1 })),
  replyTo: Type.Optional(Type.String({ minLength: 1 })),
  subject: Type.Optional(Type.String({ minLength: 1 })),
  text: Type.Optional(Type.String()),
  html: Type.Optional(Type.String())
}, { additionalProperties: false })

/**
 * Users & Permissions (contract §26.3–26.5). `jwtSecret` signs the JWTs (else `JWT_SECRET`; required in
 * production, generated into `<dir>/.vellum/` in development); `jwt.expiresIn` as Strapi (`30d`, or ms).
 * `bcryptRounds`: the cost of new password hashes (Strapi's 10). `register.allow` is Strapi's
 * `advanced.allow_register`, `register.allowedFields` its `register.allowedFields` (accepted in the body; stored
 * once the user type can be extended, which it cannot yet: up_users has Strapi's columns only). A user and a role's
 * permissions are trusted for `cacheTtlMs` (a block or a grant from another process applies within it).
 */
const UsersPermissionsOptionsSchema = Type.Object({
  jwtSecret: Type.Optional(Type.String({ minLength: 1 })),
  jwt: Type.Object({
    expiresIn: Type.Union([Type.String({ pattern: '^\\d+\\s*(ms|s|m|h|d|w|y)?$' }), Type.Integer({ minimum: 1 })], { default: '30d' })
  }, { additionalProperties: false, default: {} }),
  bcryptRounds: Type.Integer({ minimum: 4, maximum: 15, default: 10 }),
  passwordMinLength: Type.Integer({ minimum: 1, maximum: 72, default: 6 }),
  /** The optional strength rule: how many of lower-case, upper-case, digits and other characters a password mixes (0: none). */
  passwordCharacterClasses: Type.Integer({ minimum: 0, maximum: 4, default: 0 }),
  register: Type.Object({
    allow: Type.Boolean({ default: true }),
    allowedFields: Type.Array(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), { default: [] })
  }, { additionalProperties: false, default: {} }),
  cacheTtlMs: Type.Integer({ minimum: 0, maximum: 3_600_000, default: 5000 }),
  cacheSize: Type.Integer({ minimum: 1, default: 1000 }),
  /**
   * The auth routes' rate limits (lib/http/rate-limit.ts): Strapi's `ratelimit` (10 per minute per path and
   * address), and per path and account (login's identifier, the email of register, forgot-password and
   * send-email-confirmation) `account`, from any address. Counted in each process's memory (`cacheSize` keys).
   */
  ratelimit: Type.Object({
    enabled: Type.Boolean({ default: true }),
    interval: Type.Integer({ minimum: 1, default: 60_000 }),
    max: Type.Integer({ minimum: 1, default: 10 }),
    account: Type.Object({
      interval: Type.Integer({ minimum: 1, default: 900_000 }),
      max: Type.Integer({ minimum: 1, default: 20 })
    }, { additionalProperties: false, default: {} }),
    cacheSize: Type.Integer({ minimum: 1, default: 10_000 })
  }, { additionalProperties: false, default: {} }),
  /** Strapi's `advanced.email_confirmation`: registration mails a link, and unconfirmed users cannot log in. */
  emailConfirmation: Type.Boolean({ default: false }),
  /** Where a confirmed email redirects (`advanced.email_confirmation_redirection`); '/' when absent. */
  emailConfirmationRedirection: Type.Optional(Type.String({ minLength: 1 })),
  /** The front end's reset page the reset mail links to (`advanced.email_reset_password`). */
  resetPasswordUrl: Type.Optional(Type.String({ minLength: 1 })),
  /** The public URL of this server, for the confirmation link (Strapi's `server.url`). */
  serverUrl: Type.String({ default: 'http://localhost:1337' }),
  /** The mails, overridable: `<%= URL %>`, `<%= TOKEN %>` / `<%= CODE %>` and `<%= USER.username %>` are filled in. */
  templates: Type.Object({
    resetPassword: Type.Optional(EmailTemplateSchema),
    emailConfirmation: Type.Optional(EmailTemplateSchema)
  }, { additionalProperties: false, default: {} })
}, { additionalProperties: false, default: {} })

/**
 * Bounds on the work one request may cause. Every field is optional, defaults filled in; 0 turns a timeout off.
 */
const BoundsOptionsSchema = Type.Object({
  /** A request's body must have arrived this many ms after its headers, else 408 and the connection closed; 0 = none. */
  bodyTimeout: Type.Integer({ minimum: 0, default: 10_000 }),
  /** PostgreSQL's statement_timeout (ms) on the pool vellum opens from a URL; 0 = none. */
  statementTimeout: Type.Integer({ minimum: 0, default: 30_000 }),
  /** Related rows (relations, components, zone items at every level) one read may assemble, else 400. */
  maxPopulatedRows: Type.Integer({ minimum: 1, default: 10_000 }),
  /** Items in one array of a body: a relation list, connect/disconnect/set, a repeatable component, a zone. */
  maxBodyArrayLength: Type.Integer({ minimum: 1, default: 1000 }),
  /**
   * Component and zone items in one body, every level counted. A create writes each item in its own part of
   * one statement: embedded PGlite fails on such a statement from about 600 items.
   */
  maxBodyComponents: Type.Integer({ minimum: 1, default: 500 }),
  /** Longest string a log line keeps of a value (longer ones are cut, their length noted). */
  maxLogValueLength: Type.Integer({ minimum: 64, default: 2048 })
}, { additionalProperties: false, default: {} })

/**
 * Bad input (issue 14). `maxDepth`: the deepest nesting of objects and arrays a request body may have in
 * vellum's routes, checked once on the parsed body before anything reads it (deeper answers a 400
 * ValidationError). Strapi bodies rarely pass 20 (a dynamic zone of nested components); JSON attributes
 * nest as deep as their content.
 */
const InputOptionsSchema = Type.Object({
  maxDepth: Type.Integer({ minimum: 1, default: 64 })
}, { additionalProperties: false, default: {} })

/**
 * API tokens (contract §26.2). `salt` hashes the keys (else `API_TOKEN_SALT`; required in production, generated
 * into `<dir>/.vellum/` in development). A validated token is trusted for `cacheTtlMs` without reading it again:
 * a token revoked by another process stops working within that window (0 reads it on every request).
 */
const ApiTokenOptionsSchema = Type.Object({
  salt: Type.Optional(Type.String({ minLength: 1 })),
  cacheTtlMs: Type.Integer({ minimum: 0, maximum: 3_600_000, default: 5000 }),
  cacheSize: Type.Integer({ minimum: 1, default: 1000 })
}, { additionalProperties: false, default: {} })

/**
 * Email (issue 15), in Strapi's `config/plugins` shape: `provider` is 'nodemailer' (SMTP; `providerOptions` are
 * nodemailer's transport options), 'file' (each message written to `<dir>/.vellum/mail/`), or a provider object
 * (`{ send }`, or a Strapi provider module `{ init }`, taken aside like a live client). None: the file provider
 * in development; in production sending fails with EmailNotConfiguredError after a warning at startup.
 */
const EmailOptionsSchema = Type.Object({
  provider: Type.Optional(Type.Unsafe<EmailProviderOption>(Type.Union([Type.Literal('nodemailer'), Type.Literal('file')], {
    description: '"nodemailer", "file", or a provider object'
  }))),
  providerOptions: Type.Record(Type.String(), Type.Unknown(), { default: {} }),
  settings: Type.Object({
    defaultFrom: Type.Optional(Type.String({ minLength: 1 })),
    defaultReplyTo: Type.Optional(Type.String({ minLength: 1 }))
  }, { additionalProperties: false, default: {} })
}, { additionalProperties: false, default: {} })

/**
 * The media library (issue 16), Strapi's `config/plugins` `upload.config` flattened as `email` is: `provider`
 * 'local' (`<dir>/public/uploads`, served at `/uploads`) or 'aws-s3' (`providerOptions` as Strapi's aws-s3
 * provider: `s3Options` with `params.Bucket`, `baseUrl`, `rootPath`), or a provider object or module (taken
 * aside like a live client). `sizeLimit` in bytes; `breakpoints`, `responsiveDimensions`, `sizeOptimization`,
 * `autoOrientation` as Strapi's settings; `security` (`allowedTypes`, `deniedTypes`: MIME patterns such as
 * `image/*`) as Strapi's; `maxImagePixels` and `imageConcurrency` bound sharp's work and `maxFiles` the files of
 * one request.
 */
const UploadOptionsSchema = Type.Object({
  provider: Type.Optional(Type.Unsafe<UploadProviderOption>(Type.Union([Type.Literal('local'), Type.Literal('aws-s3')], {
    description: '"local", "aws-s3", or a provider object'
  }))),
  providerOptions: Type.Record(Type.String(), Type.Unknown(), { default: {} }),
  sizeLimit: Type.Integer({ minimum: 1, default: 1_000_000_000 }),
  breakpoints: Type.Record(Type.String({ pattern: '^[A-Za-z0-9_-]+$' }), Type.Integer({ minimum: 1, maximum: 10_000 }), { default: { large: 1000, medium: 750, small: 500 } }),
  responsiveDimensions: Type.Boolean({ default: true }),
  sizeOptimization: Type.Boolean({ default: true }),
  autoOrientation: Type.Boolean({ default: false }),
  maxImagePixels: Type.Integer({ minimum: 1, default: 100_000_000 }),
  imageConcurrency: Type.Integer({ minimum: 1, maximum: 64, default: 2 }),
  maxFiles: Type.Integer({ minimum: 1, default: 20 }),
  security: Type.Optional(Type.Object({
    allowedTypes: Type.Optional(Type.Array(Type.String({ pattern: '^(\\*|[\\w.+-]+/(\\*|[\\w.+-]+))$' }))),
    deniedTypes: Type.Optional(Type.Array(Type.String({ pattern: '^(\\*|[\\w.+-]+/(\\*|[\\w.+-]+))$' })))
  }, { additionalProperties: false }))
}, { additionalProperties: false, default: {} })

/**
 * Options holding code or live objects (definitions with lifecycles, routers, factories, functions). TypeBox
 * cannot clone them while filling defaults, so they are checked aside by `checkCodeOptions`; the loaders that
 * use them give the precise messages (the content-type loader for definitions, the router for routes, ...).
 */
const CODE_OPTIONS = {
  contentTypes: 'array',
  components: 'array',
  routes: 'array',
  controllers: 'array',
  services: 'array',
  middlewares: 'array',
  policies: 'functions',
  middlewareFactories: 'functions',
  register: 'function',
  bootstrap: 'function'
} as const
type CodeOptionKey = keyof typeof CODE_OPTIONS

const Code = <T>() => Type.Unsafe<T>(Type.Unknown())

export const OptionsSchema = Type.Object({
  database: Type.Optional(DatabaseOptionSchema),
  dir: Type.Optional(Type.String({ minLength: 1 })),
  /** Inline content types (`defineContentType`) and components (`defineComponent`). */
  contentTypes: Type.Optional(Code<ContentTypeDefinition[]>()),
  components: Type.Optional(Code<ComponentDefinition[]>()),
  /** Routers: `createCoreRouter(uid, config)` or `{ routes: [...] }`. */
  routes: Type.Optional(Code<Router[]>()),
  /** `createCoreController(uid, ...)` results. */
  controllers: Type.Optional(Code<ControllerFactory[]>()),
  /** `createCoreService(uid, ...)` results. */
  services: Type.Optional(Code<ServiceFactory[]>()),
  /** The ordered global middleware list (as `config/middlewares`); Strapi's default list when absent. */
  middlewares: Type.Optional(Code<MiddlewareReference[]>()),
  /** Named policies: `'global::name'` (or a bare name) and `'api::<api>.<name>'`. */
  policies: Type.Optional(Code<Record<string, Policy>>()),
  /** Named middleware factories: `'global::name'` (or a bare name) and `'api::<api>.<name>'`. */
  middlewareFactories: Type.Optional(Code<Record<string, MiddlewareFactory>>()),
  /** Runs before routes are built (as `src/index` register). */
  register: Type.Optional(Code<(deps: FactoryDeps) => unknown>()),
  /** Runs once the database is ready, at `ready()` (as `src/index` bootstrap). */
  bootstrap: Type.Optional(Code<(deps: FactoryDeps) => unknown>()),
  sync: Type.Optional(SyncOptionSchema),
  i18n: I18nOptionsSchema,
  rest: RestOptionsSchema,
  permissions: PermissionsSchema,
  apiToken: ApiTokenOptionsSchema,
  email: EmailOptionsSchema,
  upload: UploadOptionsSchema,
  usersPermissions: UsersPermissionsOptionsSchema,
  health: Type.Optional(HealthOptionsSchema),
  decorator: Type.String({ pattern: '^[A-Za-z_$][A-Za-z0-9_$]*$', default: 'vellum' }),
  /** Log SQL parameters too (at trace level); off by default since they may hold personal data. */
  logSqlParams: Type.Boolean({ default: false }),
  bounds: BoundsOptionsSchema,
  input: InputOptionsSchema,
  /** Accept schema `regex` patterns that safe-regex2 flags as catastrophic (refused at boot by default). */
  allowUnsafeRegex: Type.Boolean({ default: false }),
  /** Sets the global `strapi` (the decorator's `strapi`) for a Strapi project's code; the standalone server does. */
  strapiGlobal: Type.Boolean({ default: false }),
  /** A Strapi project's `config/*` files as loaded (`{ server, database, api, … }`), for `strapi.config.get`. */
  strapiConfig: Type.Optional(Type.Record(Type.String(), Type.Unknown()))
}, { additionalProperties: false })

export type DatabaseOption = Static<typeof DatabaseOptionSchema>
export type RawOptions = Static<typeof OptionsSchema>

export interface HealthOptions {
  /** The liveness route, or false. */
  path: string | false
  /** The readiness route, or false. */
  readyPath: string | false
  /** How long readiness waits for the database's answer. */
  readyTimeoutMs: number
}

export interface ResolvedOptions extends Omit<RawOptions, 'sync' | 'i18n' | 'health' | 'contentTypes' | 'components'> {
  contentTypes: ContentTypeDefinition[]
  components: ComponentDefinition[]
  database: DatabaseOption
  sync: { enabled: boolean, allowDestructive: boolean }
  i18n: { locales: string[], defaultLocale: string }
  health: HealthOptions
}

export type BoundsOptions = Static<typeof BoundsOptionsSchema>

/**
 * The `bounds` of options not validated yet (the standalone server sets up its logger before the plugin
 * checks them): the given ones when valid, else the defaults, the plugin reporting the error.
 */
export function resolveBounds (input: unknown): BoundsOptions {
  const given = input !== null && typeof input === 'object' && !Array.isArray(input) ? { ...input } : {}
  const bounds: unknown = Value.Default(BoundsOptionsSchema, given)
  return Value.Check(BoundsOptionsSchema, bounds) ? bounds : Value.Default(BoundsOptionsSchema, {}) as BoundsOptions
}

/** Keys Fastify itself passes to every plugin; not ours to validate. */
const FASTIFY_KEYS = new Set(['prefix', 'logLevel', 'logSerializers'])

function describe (schema: TSchema): string {
  if (typeof schema.description === 'string') return schema.description
  if (schema.anyOf !== undefined) return (schema.anyOf as TSchema[]).map(describe).join(' or ')
  if (schema.const !== undefined) return JSON.stringify(schema.const)
  const bounds: string[] = []
  if (schema.minimum !== undefined) bounds.push(`>= ${String(schema.minimum)}`)
  if (schema.minLength !== undefined) bounds.push(`at least ${String(schema.minLength)} characters`)
  if (schema.minItems !== undefined) bounds.push(`at least ${String(schema.minItems)} items`)
  if (schema.pattern !== undefined) bounds.push(`matching ${String(schema.pattern)}`)
  const type = String(schema.type ?? 'value')
  return bounds.length > 0 ? `${type} ${bounds.join(', ')}` : type
}

/** Validates and fills defaults; throws InvalidOptionsError naming each wrong option's path. */
export function resolveOptions (input: unknown): ResolvedOptions {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new InvalidOptionsError('vellum options must be an object')
  }
  const own = Object.fromEntries(Object.entries(input).filter(([key]) => !FASTIFY_KEYS.has(key)))
  // TypeBox clones values while filling defaults, and a live client cannot be cloned: check it aside.
  const copy = copyOptions(own)
  const database = copy.database as Record<string, unknown> | undefined
  const client = database !== undefined && 'client' in database ? database.client : undefined
  if (database !== undefined && client !== undefined) database.client = {}
  const email = copy.email as Record<string, unknown> | undefined
  const emailProvider = email?.provider !== null && typeof email?.provider === 'object' ? email.provider : undefined
  if (email !== undefined && emailProvider !== undefined) delete email.provider
  const upload = copy.upload as Record<string, unknown> | undefined
  const uploadProvider = upload?.provider !== null && typeof upload?.provider === 'object' ? upload.provider : undefined
  if (upload !== undefined && uploadProvider !== undefined) delete upload.provider
  const code = checkCodeOptions(copy)
  const candidate = Value.Default(OptionsSchema, copy)
  const errors = [...Value.Errors(OptionsSchema, candidate)]
  if (errors.length > 0) {
    // A union reports one error for the whole value: keep the most specific (deepest) path per location.
    const problems = errors.map(mostSpecific).map(error => {
      const unknownKey = error.type === ValueErrorType.ObjectAdditionalProperties
      return {
        path: error.path === '' ? '/' : error.path,
        message: unknownKey ? 'unknown option' : error.message,
        expected: unknownKey ? `one of ${Object.keys(error.schema.properties ?? {}).join(', ')}` : describe(error.schema),
        value: error.value
      }
    })
    const unique = problems.filter((p, i) => problems.findIndex(q => q.path === p.path) === i)
    const lines = unique.map(p => `${p.path}: expected ${p.expected} (${p.message})`)
    throw new InvalidOptionsError(`Invalid vellum options:\n  ${lines.join('\n  ')}`, { problems: unique })
  }
  const options = { ...candidate as RawOptions, ...code }
  if (options.rest.defaultLimit > options.rest.maxLimit) {
    throw new InvalidOptionsError(`Invalid vellum options:\n  /rest/defaultLimit: expected at most /rest/maxLimit (${options.rest.maxLimit}), got ${options.rest.defaultLimit}`)
  }
  const defaultLocale = options.i18n.defaultLocale ?? options.i18n.locales[0] ?? 'en'
  if (!options.i18n.locales.includes(defaultLocale)) {
    throw new InvalidOptionsError(`Invalid vellum options:\n  /i18n/defaultLocale: expected one of /i18n/locales (${options.i18n.locales.join(', ')}), got ${defaultLocale}`)
  }
  if (options.database !== undefined && 'client' in options.database) {
    if (!isClient(client)) throw new InvalidOptionsError('Invalid vellum options:\n  /database/client: expected a postgres.js client or a PGlite instance')
    options.database.client = client as Sql | PGlite
  }
  if (emailProvider !== undefined) {
    const { send, init } = emailProvider as { send?: unknown, init?: unknown }
    if (typeof send !== 'function' && typeof init !== 'function') {
      throw new InvalidOptionsError('Invalid vellum options:\n  /email/provider: expected "nodemailer", "file", an object with a send function or a provider module with init')
    }
    options.email.provider = emailProvider as EmailProviderOption
  }
  if (uploadProvider !== undefined) {
    const { upload: put, uploadStream, init } = uploadProvider as { upload?: unknown, uploadStream?: unknown, init?: unknown }
    if (typeof put !== 'function' && typeof uploadStream !== 'function' && typeof init !== 'function') {
      throw new InvalidOptionsError('Invalid vellum options:\n  /upload/provider: expected "local", "aws-s3", a provider object with upload and delete functions or a provider module with init')
    }
    options.upload.provider = uploadProvider as UploadProviderOption
  }
  // Value.Default filled every field in.
  const health = options.health as HealthOptions
  if (health.path !== false && health.path === health.readyPath) {
    throw new InvalidOptionsError(`Invalid vellum options:\n  /health/readyPath: expected a path other than /health/path (${health.path})`)
  }
  const sync = options.sync === undefined || options.sync === true
    ? { enabled: true, allowDestructive: false }
    : options.sync === false
      ? { enabled: false, allowDestructive: false }
      : { enabled: true, allowDestructive: options.sync.allowDestructive === true }
  return {
    ...options,
    contentTypes: options.contentTypes ?? [],
    components: options.components ?? [],
    database: options.database ?? { pglite: 'memory' },
    sync,
    i18n: { locales: options.i18n.locales, defaultLocale },
    health
  }
}

/** Takes the code options out of `copy` (TypeBox never sees them) after checking their outer shape. */
function checkCodeOptions (copy: Record<string, unknown>): Partial<RawOptions> {
  const code: Record<string, unknown> = {}
  for (const [key, expected] of Object.entries(CODE_OPTIONS) as Array<[CodeOptionKey, typeof CODE_OPTIONS[CodeOptionKey]]>) {
    const value = copy[key]
    delete copy[key]
    if (value === undefined) continue
    const problem = expected === 'array'
      ? (Array.isArray(value) ? undefined : 'array')
      : expected === 'function'
        ? (typeof value === 'function' ? undefined : 'function')
        : (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every(v => typeof v === 'function') ? undefined : 'object whose values are functions')
    if (problem !== undefined) {
      throw new InvalidOptionsError(`Invalid vellum options:\n  /${key}: expected ${problem}, got ${Array.isArray(value) ? 'array' : typeof value}`)
    }
    code[key] = value
  }
  return code as Partial<RawOptions>
}

/**
 * A union reports one error for the whole value. When exactly the variants of the right type failed
 * deeper down, report their most specific error instead (`/permissions/public/0` rather than `/permissions/public`).
 */
function mostSpecific (error: ValueError): ValueError {
  if (error.type !== ValueErrorType.Union || error.errors.length === 0) return error
  const variants = error.errors.map(iterator => [...iterator])
  const deeper = variants.filter(errors => errors.length > 0 && errors.every(e => e.path !== error.path && e.type !== ValueErrorType.ObjectAdditionalProperties))
  if (deeper.length !== 1) return error
  return mostSpecific(deeper[0]![0]!)
}

/** A postgres.js client is a tagged-template function with `unsafe`; a PGlite instance has `query` and `exec`. */
function isClient (value: unknown): boolean {
  if (typeof value === 'function') return typeof (value as { unsafe?: unknown }).unsafe === 'function'
  return typeof value === 'object' && value !== null &&
    typeof (value as { query?: unknown }).query === 'function' && typeof (value as { exec?: unknown }).exec === 'function'
}

/**
 * A shallow copy down to the objects resolveOptions changes, so the user's options stay untouched.
 */
function copyOptions (options: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...options }
  for (const key of ['rest', 'i18n', 'permissions', 'health', 'bounds', 'input', 'apiToken', 'email', 'upload', 'usersPermissions']) {
    const value = options[key]
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) copy[key] = { ...value }
  }
  if (options.database !== null && typeof options.database === 'object') copy.database = { ...options.database }
  // Nested objects with defaults of their own: a deep copy (plain data only).
  if (options.usersPermissions !== null && typeof options.usersPermissions === 'object') copy.usersPermissions = structuredClone(options.usersPermissions)
  return copy
}
