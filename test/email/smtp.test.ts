/**
 * `app.vellum.email` through the SMTP provider (nodemailer) to a real local SMTP server (test/helpers/smtp.ts):
 * what a caller sends arrives, the settings' defaults are applied, and a refusing or absent server gives an
 * error saying what failed, with no credential in it or in any log line.
 */
import t from 'tap'
import Fastify from 'fastify'
import { createServer, type AddressInfo } from 'node:net'
import vellum, { EmailDeliveryError } from '../../lib/index.js'
import { createEmailService } from '../../lib/email/index.js'
import { articleDefinition, buildApp } from '../helpers/app.js'
import { createTestDatabase, databaseOption } from '../helpers/db.js'
import { recordingLogger } from '../helpers/logger.js'
import { startSmtpServer } from '../helpers/smtp.js'

const PASSWORD = 'smtp-password-never-shown'

t.test('app.vellum.email sends through SMTP: from, to, subject, text and html arrive; defaultFrom and defaultReplyTo apply', async (t) => {
  const smtp = await startSmtpServer(t)
  const app = await buildApp(t, {
    email: {
      provider: 'nodemailer',
      providerOptions: smtp.providerOptions,
      settings: { defaultFrom: 'Vellum <no-reply@vellum.test>', defaultReplyTo: 'help@vellum.test' }
    }
  })
  await app.vellum.email.send({ to: 'Ada <ada@example.com>', subject: 'Welcome', text: 'Hello Ada', html: '<p>Hello <b>Ada</b></p>' })
  const { envelope, mail } = await smtp.waitFor('ada@example.com')
  t.same(envelope, { from: 'no-reply@vellum.test', to: ['ada@example.com'] })
  t.equal(mail.subject, 'Welcome')
  t.equal(mail.text?.trim(), 'Hello Ada')
  t.equal(mail.html, '<p>Hello <b>Ada</b></p>')
  t.same(mail.from?.value, [{ address: 'no-reply@vellum.test', name: 'Vellum' }])
  t.same(mail.replyTo?.value, [{ address: 'help@vellum.test', name: '' }])

  await app.vellum.email.send({ to: 'bob@example.com', from: 'owner@vellum.test', replyTo: 'owner@vellum.test', subject: 'Own sender', text: 'x' })
  const own = await smtp.waitFor('bob@example.com')
  t.equal(own.envelope.from, 'owner@vellum.test', 'a message naming its sender keeps it')
  t.same(own.mail.replyTo?.value, [{ address: 'owner@vellum.test', name: '' }])
  t.equal(smtp.messages.length, 2)
})

t.test('an SMTP server requiring authentication: the right credentials deliver', async (t) => {
  const smtp = await startSmtpServer(t, { auth: { user: 'mailer', pass: PASSWORD } })
  const email = await createEmailService({ provider: 'nodemailer', providerOptions: smtp.providerOptions, settings: { defaultFrom: 'a@vellum.test' }, env: {}, log: recordingLogger() })
  t.teardown(() => email.close())
  await email.send({ to: 'c@example.com', subject: 'Authenticated', text: 'ok' })
  t.equal((await smtp.waitFor('c@example.com')).mail.subject, 'Authenticated')
})

t.test('a wrong SMTP password: a clear EmailDeliveryError, no password in it, in its details or in the log', async (t) => {
  const smtp = await startSmtpServer(t, { auth: { user: 'mailer', pass: 'the-right-one' } })
  const lines: string[] = []
  const app = Fastify({ logger: { level: 'trace', stream: { write: (line: string) => { lines.push(line) } } }, pluginTimeout: 120_000 })
  t.teardown(() => app.close())
  await app.register(vellum, {
    contentTypes: [articleDefinition],
    database: databaseOption(await createTestDatabase(t)),
    email: { provider: 'nodemailer', providerOptions: { ...smtp.providerOptions, auth: { user: 'mailer', pass: PASSWORD } }, settings: { defaultFrom: 'a@vellum.test' } }
  })
  await app.ready()
  const error = await app.vellum.email.send({ to: 'd@example.com', subject: 'Refused', text: 'x' }).then(() => undefined, (error: unknown) => error)
  t.ok(error instanceof EmailDeliveryError, 'an EmailDeliveryError')
  const failure = error as EmailDeliveryError
  t.match(failure.message, new RegExp(`^SMTP delivery through 127\\.0\\.0\\.1:${smtp.port} failed: the server refused the credentials`))
  t.match(failure.details, { code: 'EAUTH', server: `127.0.0.1:${smtp.port}` })
  app.log.error({ err: failure }, 'as a route would log it')
  const everything = JSON.stringify({ message: failure.message, stack: failure.stack, details: failure.details, cause: failure.cause }) + lines.join('\n')
  for (const form of [PASSWORD, Buffer.from(PASSWORD).toString('base64'), Buffer.from(`\u0000mailer\u0000${PASSWORD}`).toString('base64')]) {
    t.notOk(everything.includes(form), `no password (${form === PASSWORD ? 'plain' : 'base64'}) in the error or the log`)
  }
  t.equal(smtp.messages.length, 0)
})

t.test('a server that requires authentication and no credentials configured: a clear error', async (t) => {
  const smtp = await startSmtpServer(t, { auth: { user: 'mailer', pass: PASSWORD } })
  const email = await createEmailService({ provider: 'nodemailer', providerOptions: { host: smtp.host, port: smtp.port, secure: false, ignoreTLS: true }, settings: { defaultFrom: 'a@vellum.test' }, env: {}, log: recordingLogger() })
  const error = await email.send({ to: 'e@example.com', subject: 'No auth', text: 'x' }).then(() => undefined, (error: unknown) => error)
  t.ok(error instanceof EmailDeliveryError)
  t.match((error as Error).message, /^SMTP delivery through 127\.0\.0\.1:\d+ failed: .*(authentication|Authentication)/)
  t.equal(smtp.messages.length, 0)
})

t.test('connection refused: a clear error naming the server, no password in it', async (t) => {
  // A port that was free a moment ago: nothing listens there.
  const probe = createServer()
  await new Promise<void>(resolve => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise<void>(resolve => probe.close(() => { resolve() }))
  const url = `smtp://mailer:${PASSWORD}@127.0.0.1:${port}`
  const email = await createEmailService({ provider: 'nodemailer', providerOptions: { url }, settings: { defaultFrom: 'a@vellum.test' }, env: {}, log: recordingLogger() })
  const error = await email.send({ to: 'f@example.com', subject: 'Nobody there', text: 'x' }).then(() => undefined, (error: unknown) => error)
  t.ok(error instanceof EmailDeliveryError)
  const failure = error as EmailDeliveryError
  t.match(failure.message, new RegExp(`^SMTP delivery through 127\\.0\\.0\\.1:${port} failed: could not connect \\(.*ECONNREFUSED`))
  t.notOk(JSON.stringify({ message: failure.message, stack: failure.stack, details: failure.details }).includes(PASSWORD), 'no password')
})
