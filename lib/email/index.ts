/**
 * Email (issue 15): Strapi's email plugin shape (a provider's `send(options)`, settings `defaultFrom` and
 * `defaultReplyTo`), an SMTP provider on nodemailer, a development default writing `.eml` files, custom
 * providers. Fastify-free: the plugin exposes the service as `app.vellum.email`.
 */
export { EmailDeliveryError, EmailError, EmailNotConfiguredError } from './errors.js'
export { createFileProvider } from './file.js'
export { createEmailService, type EmailProviderOption, type EmailServiceHandle, type EmailServiceInput } from './service.js'
export { createSmtpProvider } from './smtp.js'
export type { EmailMessage, EmailProvider, EmailProviderModule, EmailSendOptions, EmailService, EmailSettings } from './types.js'
