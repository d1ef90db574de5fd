import addressparser from 'nodemailer/lib/addressparser'
import { ValidationError, type ValidationErrorItem } from '../errors.js'
import type { EmailMessage, EmailSendOptions, EmailSettings } from './types.js'

// A mailbox as sending relays accept it: local part, @, a dotted domain; no spaces, brackets or quotes left over.
const MAILBOX = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:".]+(\.[^\s@<>()[\]\\,;:".]+)+$/

/** The problem with an address header's value, or undefined. CR/LF would let a value inject headers. */
export function addressProblem (field: string, value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return `${field} must be a valid email`
  if (/[\r\n]/.test(value)) return `${field} must not contain line breaks`
  const mailboxes = addressparser(value, { flatten: true })
  if (mailboxes.length === 0 || mailboxes.some(mailbox => !MAILBOX.test(mailbox.address))) return `${field} must be a valid email`
  return undefined
}

/**
 * Checks a message and fills in the settings' defaults: what a provider receives. Every problem is reported at
 * once in a ValidationError (`details.errors`), as Strapi reports attribute errors.
 */
export function buildSendOptions (message: unknown, settings: EmailSettings): EmailSendOptions {
  if (message === null || typeof message !== 'object' || Array.isArray(message)) {
    throw new ValidationError('An email message must be an object with to and subject')
  }
  const given = message as Partial<Record<keyof EmailMessage, unknown>>
  const from = given.from ?? settings.defaultFrom
  const replyTo = given.replyTo ?? settings.defaultReplyTo
  const items: ValidationErrorItem[] = []
  const problem = (path: string, text: string | undefined, value: unknown): void => {
    if (text !== undefined) items.push({ path: [path], message: text, name: 'ValidationError', value })
  }
  problem('to', given.to === undefined ? 'to is a required field' : addressProblem('to', given.to), given.to)
  problem('from', from === undefined ? 'from is a required field (or set email.settings.defaultFrom)' : addressProblem('from', from), from)
  if (replyTo !== undefined) problem('replyTo', addressProblem('replyTo', replyTo), replyTo)
  const subject = given.subject
  problem('subject', typeof subject !== 'string' || subject.trim() === ''
    ? 'subject is a required field'
    : /[\r\n]/.test(subject) ? 'subject must not contain line breaks' : undefined, subject)
  for (const body of ['text', 'html'] as const) {
    if (given[body] !== undefined && typeof given[body] !== 'string') problem(body, `${body} must be a string`, given[body])
  }
  if (items.length > 0) throw ValidationError.fromItems(items)
  // Only the known fields travel on: nothing else of the caller's object reaches the provider.
  return {
    to: given.to as string,
    from: from as string,
    subject: subject as string,
    ...(replyTo !== undefined && { replyTo: replyTo as string }),
    ...(given.text !== undefined && { text: given.text as string }),
    ...(given.html !== undefined && { html: given.html as string })
  }
}
