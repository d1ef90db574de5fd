import type { Auth } from './auth/index.js'
import type { StrapiFacade } from './compat/facade.js'
import type { Component, ContentType, Schema } from './content-types/types.js'
import type { PhysicalModel } from './db/physical.js'
import type { Documents } from './document/index.js'
import type { EmailService } from './email/index.js'
import type { Events } from './events/index.js'
import type { MediaLibrary, UploadService } from './upload/index.js'
import type { RequestContextStore } from './hooks/index.js'
import type { Controller, Service } from './http/types.js'
import type { QueryEngine } from './query/index.js'
import type { ResolvedOptions } from './options.js'

/** What `app.vellum` (or the configured decorator name) exposes. */
export interface Vellum {
  /** Normalized content types by uid (`api::article.article`). */
  readonly contentTypes: Readonly<Record<string, ContentType>>
  /** Normalized components by uid (`shared.seo`). */
  readonly components: Readonly<Record<string, Component>>
  /** The whole normalized model, with lookups by uid. */
  readonly schema: Schema
  /** The physical tables the model maps to. */
  readonly physical: PhysicalModel
  /** Query Engine: `db.query(uid)`, `db.transaction(fn)`, `db.lifecycles`. */
  readonly db: QueryEngine
  /** Document Service: `documents(uid).findMany(...)`, `documents.use(middleware)`. */
  readonly documents: Documents
  /** Authentication: API tokens (`auth.tokens`) and the content API's strategies, in order. */
  readonly auth: Auth
  /** Email: `email.send({ to, subject, text, html, from?, replyTo? })` through the configured provider. */
  readonly email: EmailService
  /** The media library's storage: providers, spooling, image formats (the upload routes use it). */
  readonly upload: UploadService
  /** The media library's files: create (and attach), update or replace, remove, find the unlinked ones. */
  readonly media: MediaLibrary
  /** Events of writes (`media.create`, `media.update`, `media.delete`), emitted inside the write's transaction. */
  readonly events: Events
  /** The request a controller runs for (`requestContext.get()?.state.user`), as Strapi's `strapi.requestContext`. */
  readonly requestContext: Pick<RequestContextStore, 'get'>
  /** A controller by uid (`api::article.article`), as registered (extended controllers included). */
  controller: (uid: string) => Controller
  /** A service by uid, as registered. */
  service: (uid: string) => Service
  /** The resolved plugin options (defaults filled in). */
  readonly config: Readonly<ResolvedOptions>
  /** Strapi's `strapi` object over this decorator, as project code receives it (`({ strapi }) => …`). */
  readonly strapi: StrapiFacade
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Present under the default decorator name; instances registered under another name are `app[name]`. */
    vellum: Vellum
  }
}
