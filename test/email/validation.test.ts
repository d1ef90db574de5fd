/**
 * What `app.vellum.email.send` refuses before any provider sees it (ValidationError, Strapi's name, with
 * `details.errors` per field), and the email options refused at boot.
 */
import t from 'tap'
import Fastify from 'fastify'
import vellum, { ValidationError, type EmailMessage, type EmailSendOptions } from '../../lib/index.js'
import { createEmailService } from '../../lib/email/index.js'
import { articleDefinition, buildApp } from '../helpers/app.js'
import { recordingLogger } from '../helpers/logger.js'

t.test('bad messages are ValidationErrors naming each field; the provider is never called', async (t) => {
  const sent: EmailSendOptions[] = []
  const app = await buildApp(t, { email: { provider: { async send (options) { sent.push(options) } } } })
  const send = async (message: unknown): Promise<unknown> => await app.vellum.email.send(message as EmailMessage).then(() => undefined, (error: unknown) => error)
  const cases: Array<{ name: string, message: unknown, errors: Array<{ path: string[], message: RegExp }> }> = [
    { name: 'missing to', message: { from: 'a@site.test', subject: 's' }, errors: [{ path: ['to'], message: /^to is a required field$/ }] },
    { name: 'missing subject', message: { from: 'a@site.test', to: 'b@example.com' }, errors: [{ path: ['subject'], message: /^subject is a required field$/ }] },
    { name: 'empty subject', message: { from: 'a@site.test', to: 'b@example.com', subject: '  ' }, errors: [{ path: ['subject'], message: /required/ }] },
    { name: 'no from and no defaultFrom', message: { to: 'b@example.com', subject: 's' }, errors: [{ path: ['from'], message: /^from is a required field \(or set email\.settings\.defaultFrom\)$/ }] },
    { name: 'a bad to', message: { from: 'a@site.test', to: 'not an address', subject: 's' }, errors: [{ path: ['to'], message: /^to must be a valid email$/ }] },
    { name: 'one bad address in a list', message: { from: 'a@site.test', to: 'b@example.com, nope', subject: 's' }, errors: [{ path: ['to'], message: /valid email/ }] },
    { name: 'a bad from', message: { from: 'a@', to: 'b@example.com', subject: 's' }, errors: [{ path: ['from'], message: /^from must be a valid email$/ }] },
    { name: 'a bad replyTo', message: { from: 'a@site.test', replyTo: 'x', to: 'b@example.com', subject: 's' }, errors: [{ path: ['replyTo'], message: /valid email/ }] },
    { name: 'header injection in to', message: { from: 'a@site.test', to: 'b@example.com\r\nBcc: all@example.com', subject: 's' }, errors: [{ path: ['to'], message: /line breaks/ }] },
    { name: 'header injection in subject', message: { from: 'a@site.test', to: 'b@example.com', subject: 'hi\nBcc: all@example.com' }, errors: [{ path: ['subject'], message: /line breaks/ }] },
    { name: 'a non-string body', message: { from: 'a@site.test', to: 'b@example.com', subject: 's', html: 42 }, errors: [{ path: ['html'], message: /^html must be a string$/ }] },
    { name: 'to of the wrong type', message: { from: 'a@site.test', to: ['b@example.com'], subject: 's' }, errors: [{ path: ['to'], message: /valid email/ }] },
    { name: 'several problems at once', message: { from: 'a@site.test' }, errors: [{ path: ['to'], message: /required/ }, { path: ['subject'], message: /required/ }] }
  ]
  for (const { name, message, errors } of cases) {
    const error = await send(message)
    t.ok(error instanceof ValidationError, `${name}: a ValidationError`)
    t.match(error, { name: 'ValidationError', statusCode: 400, details: { errors } }, name)
    t.equal((error as ValidationError).details.errors instanceof Array && ((error as ValidationError).details.errors as unknown[]).length, errors.length, `${name}: ${errors.length} error(s)`)
  }
  const notAnObject = await send('to@example.com')
  t.match(notAnObject, { name: 'ValidationError', message: /must be an object/ })
  t.same(sent, [], 'the provider saw nothing')
})

t.test('settings with a bad default address are refused at startup', async (t) => {
  await t.rejects(createEmailService({ provider: 'file', settings: { defaultFrom: 'nope' }, env: {}, log: recordingLogger() }), {
    name: 'InvalidOptionsError',
    message: /\/email\/settings\/defaultFrom: defaultFrom must be a valid email/
  })
})

t.test('bad email options make ready() reject with the option path', async (t) => {
  const cases: Array<{ name: string, email: unknown, message: RegExp }> = [
    { name: 'an unknown provider name', email: { provider: 'sendmail' }, message: /\/email\/provider: expected "nodemailer", "file", or a provider object/ },
    { name: 'a provider object without send or init', email: { provider: { deliver () {} } }, message: /\/email\/provider: expected "nodemailer", "file", an object with a send function/ },
    { name: 'an unknown key', email: { providr: 'nodemailer' }, message: /\/email\/providr: expected one of provider, providerOptions, settings/ },
    { name: 'an unknown setting', email: { settings: { from: 'a@site.test' } }, message: /\/email\/settings\/from/ },
    { name: 'providerOptions not an object', email: { provider: 'nodemailer', providerOptions: 'smtp://x' }, message: /\/email\/providerOptions/ },
    { name: 'init returning no provider', email: { provider: { init: () => ({}) } }, message: /\/email\/provider: init\(\) must return an object with a send function/ }
  ]
  for (const { name, email, message } of cases) {
    const app = Fastify({ logger: false, pluginTimeout: 120_000 })
    t.teardown(() => app.close())
    // Options are checked before the database opens: this closed port is never dialled.
    await t.rejects(async () => {
      await app.register(vellum, { contentTypes: [articleDefinition], database: { url: 'postgres://127.0.0.1:1/none' }, email } as never)
      await app.ready()
    }, { message }, name)
  }
})
