import type { EmailMessage } from '../email/index.js'
import type { User } from './users.js'

/**
 * The reset-password and email-confirmation mails (contract §26.5): Strapi's default texts, overridable per
 * field by the project. Placeholders are Strapi's `<%= URL %>`, `<%= TOKEN %>` (reset), `<%= CODE %>`
 * (confirmation) and `<%= USER.<field> %>`, filled in by a fixed replacement, never evaluated as code; values
 * are HTML-escaped in the html part.
 */

export interface MailTemplate {
  from?: string | undefined
  replyTo?: string | undefined
  subject?: string | undefined
  text?: string | undefined
  html?: string | undefined
}

export const DEFAULT_TEMPLATES = {
  resetPassword: {
    subject: 'Reset password',
    html: '<p>We heard that you lost your password. Sorry about that!</p><p>But don’t worry! You can use the following link to reset your password:</p>' +
      '<p><%= URL %>?code=<%= TOKEN %></p><p>Thanks.</p>',
    text: 'We heard that you lost your password. Sorry about that!\n\nBut don’t worry! You can use the following link to reset your password:\n\n' +
      '<%= URL %>?code=<%= TOKEN %>\n\nThanks.'
  },
  emailConfirmation: {
    subject: 'Account confirmation',
    html: '<p>Thank you for registering!</p><p>You have to confirm your email address. Please click on the link below.</p>' +
      '<p><%= URL %>?confirmation=<%= CODE %></p><p>Thanks.</p>',
    text: 'Thank you for registering!\n\nYou have to confirm your email address. Please click on the link below.\n\n<%= URL %>?confirmation=<%= CODE %>\n\nThanks.'
  }
} as const

const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, char => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!)

function fill (template: string, values: Record<string, string>, user: User, html: boolean): string {
  return template.replace(/<%=\s*([A-Z_]+(?:\.[A-Za-z_]+)?)\s*%>/g, (whole, name: string) => {
    const value = name.startsWith('USER.')
      ? (user as unknown as Record<string, unknown>)[name.slice(5)]
      : values[name]
    if (value === undefined || value === null || typeof value === 'object') return name.startsWith('USER.') ? '' : whole
    return html ? escapeHtml(String(value)) : String(value)
  })
}

/** The mail for a user from a template (the project's fields over Strapi's defaults). */
export function renderMail (kind: keyof typeof DEFAULT_TEMPLATES, override: MailTemplate | undefined, user: User, values: Record<string, string>): EmailMessage {
  const given = Object.fromEntries(Object.entries(override ?? {}).filter(([, value]) => value !== undefined)) as MailTemplate
  const template: MailTemplate & { subject: string } = { ...DEFAULT_TEMPLATES[kind], ...given }
  return {
    to: user.email ?? '',
    ...(template.from !== undefined && { from: template.from }),
    ...(template.replyTo !== undefined && { replyTo: template.replyTo }),
    subject: fill(template.subject, values, user, false),
    ...(template.text !== undefined && { text: fill(template.text, values, user, false) }),
    ...(template.html !== undefined && { html: fill(template.html, values, user, true) })
  }
}
