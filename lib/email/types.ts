/** What a caller hands to `app.vellum.email.send`. Addresses are RFC 5322 (`a@b.c` or `Name <a@b.c>`, comma-separated). */
export interface EmailMessage {
  to: string
  from?: string
  replyTo?: string
  subject: string
  text?: string
  html?: string
}

export interface EmailService {
  send: (message: EmailMessage) => Promise<void>
}

/** Strapi's email `settings`: applied to messages that do not name their own sender or reply address. */
export interface EmailSettings {
  defaultFrom?: string | undefined
  defaultReplyTo?: string | undefined
}

/** What a provider receives: a checked message, `from` filled in. */
export interface EmailSendOptions extends EmailMessage {
  from: string
}

/**
 * A provider in Strapi's email plugin shape: `send(options)`. `close` (optional) releases connections at
 * shutdown.
 */
export interface EmailProvider {
  send: (options: EmailSendOptions) => Promise<unknown>
  close?: () => unknown
}

/** A Strapi provider package's export (`init(providerOptions, settings)` returning a provider), also accepted. */
export interface EmailProviderModule {
  init: (providerOptions: Record<string, unknown>, settings: EmailSettings) => EmailProvider | Promise<EmailProvider>
}
