import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { InvalidOptionsError } from '../errors.js'
import type { Logger } from '../logger.js'
import { EmailNotConfiguredError } from './errors.js'
import { createFileProvider } from './file.js'
import { createSmtpProvider } from './smtp.js'
import type { EmailProvider, EmailProviderModule, EmailService, EmailSettings } from './types.js'
import { addressProblem, buildSendOptions } from './validate.js'

export type EmailProviderOption = 'nodemailer' | 'file' | EmailProvider | EmailProviderModule

export interface EmailServiceInput {
  /** `'nodemailer'` (SMTP), `'file'`, a provider object or a Strapi provider module; none: see `createEmailService`. */
  provider?: EmailProviderOption | undefined
  providerOptions?: Record<string, unknown> | undefined
  settings?: EmailSettings | undefined
  /** The project folder: the file provider writes to `<dir>/.vellum/mail/`. */
  dir?: string | undefined
  env: NodeJS.ProcessEnv
  log: Logger
}

export interface EmailServiceHandle extends EmailService {
  /** Which provider sends: `nodemailer`, `file`, `custom` or `none`. */
  readonly provider: string
  /** Releases the provider's connections (an SMTP pool). */
  close: () => Promise<void>
}

/** Where the file provider writes: the project's `.vellum/mail/`, else a folder under the system's temp dir. */
export function mailFolder (dir: string | undefined): string {
  return dir !== undefined ? join(dir, '.vellum', 'mail') : join(tmpdir(), 'vellum-mail')
}

/**
 * The email service behind `app.vellum.email`. With no provider configured: in development, the file provider
 * (nothing leaves the machine); in production, a service that refuses every message with
 * EmailNotConfiguredError, after one warning at startup, because writing reset links to a server's disk or
 * dropping them silently would both hide a broken deployment.
 */
export async function createEmailService ({ provider, providerOptions = {}, settings = {}, dir, env, log }: EmailServiceInput): Promise<EmailServiceHandle> {
  for (const field of ['defaultFrom', 'defaultReplyTo'] as const) {
    const value = settings[field]
    const problem = value === undefined ? undefined : addressProblem(field, value)
    if (problem !== undefined) throw new InvalidOptionsError(`Invalid vellum options:\n  /email/settings/${field}: ${problem}`)
  }
  const { name, sender } = await chooseProvider({ provider, providerOptions, settings, dir, env, log })
  return {
    provider: name,
    async send (message) {
      await sender.send(buildSendOptions(message, settings))
    },
    async close () {
      await sender.close?.()
    }
  }
}

async function chooseProvider ({ provider, providerOptions, settings, dir, env, log }: Required<Pick<EmailServiceInput, 'providerOptions' | 'settings'>> & EmailServiceInput): Promise<{ name: string, sender: EmailProvider }> {
  if (provider === 'nodemailer') return { name: 'nodemailer', sender: createSmtpProvider(providerOptions) }
  if (provider === 'file' || (provider === undefined && env.NODE_ENV !== 'production')) {
    const folder = mailFolder(dir)
    log.info({ folder }, 'email: messages are written to files, not sent (set email.provider to send them)')
    return { name: 'file', sender: createFileProvider({ folder, log }) }
  }
  if (provider === undefined) {
    log.warn('email: no provider configured in production, so sending an email fails (set email.provider, e.g. "nodemailer" with providerOptions)')
    return {
      name: 'none',
      sender: {
        async send () {
          throw new EmailNotConfiguredError('Email is not configured: NODE_ENV is production and no email.provider is set (e.g. "nodemailer" with providerOptions)')
        }
      }
    }
  }
  if (typeof (provider as Partial<EmailProvider>).send === 'function') return { name: 'custom', sender: provider as EmailProvider }
  if (typeof (provider as Partial<EmailProviderModule>).init === 'function') {
    const sender = await (provider as EmailProviderModule).init(providerOptions, settings)
    if (typeof sender?.send !== 'function') throw new InvalidOptionsError('Invalid vellum options:\n  /email/provider: init() must return an object with a send function')
    return { name: 'custom', sender }
  }
  throw new InvalidOptionsError('Invalid vellum options:\n  /email/provider: expected "nodemailer", "file", an object with a send function or a provider module with init')
}
