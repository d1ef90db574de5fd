/**
 * A real SMTP server for tests (smtp-server), on 127.0.0.1 and an ephemeral port, that parses every message it
 * accepts (mailparser) and keeps it. `waitFor(address)` resolves with the first message whose envelope names
 * that recipient, already arrived or still to come. With `auth`, the server requires those credentials.
 *
 *   const smtp = await startSmtpServer(t)
 *   await app.register(vellum, { email: { provider: 'nodemailer', providerOptions: smtp.providerOptions } })
 *   const mail = await smtp.waitFor('ada@example.com')   // mail.subject, mail.text, mail.html, mail.from
 */
import type { AddressInfo } from 'node:net'
import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer } from 'smtp-server'
import type { Teardown } from './db.js'

export interface ReceivedMail {
  /** The SMTP envelope: MAIL FROM and RCPT TO addresses, lower-cased. */
  envelope: { from: string, to: string[] }
  /** The parsed message: `subject`, `text`, `html`, `from.value[0].address`, `to`, `replyTo`, `headers`. */
  mail: ParsedMail
}

export interface TestSmtpServer {
  host: string
  port: number
  /** nodemailer options that reach this server (vellum's `email.providerOptions`). */
  providerOptions: { host: string, port: number, secure: false, ignoreTLS: true, auth?: { user: string, pass: string } }
  /** Every message received so far, in order. */
  messages: ReceivedMail[]
  /** The first message to `address` (case-insensitive), waiting up to `timeoutMs` for it to arrive. */
  waitFor: (address: string, timeoutMs?: number) => Promise<ReceivedMail>
  close: () => Promise<void>
}

export interface SmtpServerOptions {
  /** Require AUTH with these credentials (else no authentication is offered). */
  auth?: { user: string, pass: string }
}

/** Starts the server; it is closed on the test's teardown. */
export async function startSmtpServer (t: Teardown, { auth }: SmtpServerOptions = {}): Promise<TestSmtpServer> {
  const messages: ReceivedMail[] = []
  const waiters = new Set<{ address: string, resolve: (mail: ReceivedMail) => void }>()
  const server = new SMTPServer({
    secure: false,
    // Plain text on loopback: no STARTTLS (its built-in certificate is for testing only, and it warns).
    disabledCommands: auth === undefined ? ['STARTTLS', 'AUTH'] : ['STARTTLS'],
    authOptional: auth === undefined,
    allowInsecureAuth: true,
    logger: false,
    onAuth (given, _session, callback) {
      if (auth !== undefined && given.username === auth.user && given.password === auth.pass) callback(null, { user: given.username })
      else callback(new Error('Invalid username or password'))
    },
    onData (stream, session, callback) {
      simpleParser(stream).then(mail => {
        const envelope = {
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address.toLowerCase(),
          to: session.envelope.rcptTo.map(rcpt => rcpt.address.toLowerCase())
        }
        const received = { envelope, mail }
        messages.push(received)
        for (const waiter of waiters) {
          if (envelope.to.includes(waiter.address)) {
            waiters.delete(waiter)
            waiter.resolve(received)
          }
        }
        callback()
      }, (error: Error) => { callback(error) })
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => { server.off('error', reject); resolve() })
  })
  const { port } = server.server.address() as AddressInfo
  let closed = false
  const close = async (): Promise<void> => {
    if (closed) return
    closed = true
    await new Promise<void>(resolve => { server.close(() => { resolve() }) })
  }
  t.teardown(close)
  return {
    host: '127.0.0.1',
    port,
    providerOptions: { host: '127.0.0.1', port, secure: false, ignoreTLS: true, ...(auth !== undefined && { auth: { ...auth } }) },
    messages,
    async waitFor (address, timeoutMs = 10_000) {
      const wanted = address.toLowerCase()
      const arrived = messages.find(message => message.envelope.to.includes(wanted))
      if (arrived !== undefined) return arrived
      return await new Promise<ReceivedMail>((resolve, reject) => {
        const waiter = {
          address: wanted,
          resolve: (mail: ReceivedMail) => { clearTimeout(timer); resolve(mail) }
        }
        const timer = setTimeout(() => {
          waiters.delete(waiter)
          reject(new Error(`no email to ${address} within ${timeoutMs} ms (received: ${messages.map(m => m.envelope.to.join(',')).join('; ') || 'none'})`))
        }, timeoutMs)
        waiters.add(waiter)
      })
    },
    close
  }
}
