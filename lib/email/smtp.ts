import type { SMTPTransportOptions } from 'nodemailer'
import { EmailDeliveryError } from './errors.js'
import { nodemailer } from './nodemailer.js'
import type { EmailProvider } from './types.js'

/**
 * nodemailer's own timeouts (2 minutes to connect, 10 of socket silence) would hold an HTTP request that long:
 * a route sending a reset email should fail within seconds. Options given win.
 */
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 }

/** Why nodemailer failed, in words, by its error code. */
const REASONS: Record<string, string> = {
  EAUTH: 'the server refused the credentials',
  ENOAUTH: 'the server requires authentication and no credentials are configured',
  ECONNECTION: 'could not connect',
  ETIMEDOUT: 'the connection timed out',
  ESOCKET: 'the connection failed',
  EDNS: 'the host name did not resolve',
  ETLS: 'the TLS handshake failed',
  EENVELOPE: 'the server refused the sender or a recipient',
  EMESSAGE: 'the server refused the message',
  EPROTOCOL: 'the server answered something unexpected'
}

/**
 * The SMTP provider: `providerOptions` are nodemailer's SMTP transport options (host, port, secure, auth,
 * pool, tls, ...), as in Strapi's nodemailer provider.
 */
export function createSmtpProvider (providerOptions: Record<string, unknown>): EmailProvider {
  const options = { ...TIMEOUTS, ...providerOptions } as SMTPTransportOptions
  const transporter = nodemailer().createTransport(options)
  const secrets = secretsOf(options)
  const server = serverOf(options)
  return {
    async send (message) {
      try {
        await transporter.sendMail({ ...message })
      } catch (error) {
        throw deliveryError(error, server, secrets)
      }
    },
    close () {
      transporter.close()
    }
  }
}

function serverOf (options: SMTPTransportOptions): string {
  if (typeof options.url === 'string') {
    try {
      const url = new URL(options.url)
      return url.host
    } catch {}
  }
  if (options.service !== undefined) return options.service
  const port = options.port ?? (options.secure === true ? 465 : 587)
  return `${options.host ?? 'localhost'}:${port}`
}

/** The password in every form a protocol exchange or an error could carry it (plain, base64, AUTH PLAIN). */
function secretsOf (options: SMTPTransportOptions): string[] {
  const auth = options.auth as { user?: unknown, pass?: unknown, accessToken?: unknown, refreshToken?: unknown, clientSecret?: unknown } | undefined
  const plain: string[] = []
  for (const value of [auth?.pass, auth?.accessToken, auth?.refreshToken, auth?.clientSecret]) {
    if (typeof value === 'string' && value !== '') plain.push(value)
  }
  if (typeof options.url === 'string') {
    try {
      const password = decodeURIComponent(new URL(options.url).password)
      if (password !== '') plain.push(password)
    } catch {}
  }
  const user = typeof auth?.user === 'string' ? auth.user : ''
  return plain.flatMap(secret => [
    secret,
    encodeURIComponent(secret),
    Buffer.from(secret).toString('base64'),
    Buffer.from(`\u0000${user}\u0000${secret}`).toString('base64')
  ]).sort((a, b) => b.length - a.length)
}

function scrub (text: string, secrets: readonly string[]): string {
  return secrets.reduce((result, secret) => result.split(secret).join('[redacted]'), text)
}

/**
 * An error saying what failed and where, built from nodemailer's code and the server's answer, without the
 * original error (its fields may hold the exchange) and with any credential scrubbed out.
 */
function deliveryError (error: unknown, server: string, secrets: readonly string[]): EmailDeliveryError {
  const { code, responseCode, command, message } = error as { code?: unknown, responseCode?: unknown, command?: unknown, message?: unknown }
  // A socket error while opening the connection (a refused port) is a failure to connect.
  const reason = command === 'CONN' && (code === 'ESOCKET' || code === 'ECONNECTION') ? 'could not connect' : typeof code === 'string' ? REASONS[code] : undefined
  const said = typeof message === 'string' ? message : String(error)
  const text = `SMTP delivery through ${server} failed: ${reason !== undefined ? `${reason} (${said})` : said}`
  return new EmailDeliveryError(scrub(text, secrets), {
    server,
    ...(typeof code === 'string' && { code }),
    ...(typeof responseCode === 'number' && { responseCode }),
    // The command's name only: AUTH commands carry credentials after it.
    ...(typeof command === 'string' && { command: command.split(' ')[0] })
  })
}
