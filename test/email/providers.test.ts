/**
 * The other providers behind `app.vellum.email`: the development default writing one `.eml` file per message
 * under `<dir>/.vellum/mail/` (the log says where, never what), a custom provider object or Strapi provider
 * module from the options, and production without a provider (a warning at startup, then a clear refusal).
 */
import t, { type Test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { simpleParser } from 'mailparser'
import vellum, { EmailNotConfiguredError, type EmailSendOptions, type VellumOptions } from '../../lib/index.js'
import { createEmailService } from '../../lib/email/index.js'
import { articleDefinition, buildApp } from '../helpers/app.js'
import { createTestDatabase, databaseOption } from '../helpers/db.js'
import { recordingLogger } from '../helpers/logger.js'

const SECRET_LINK = 'https://site.test/reset?code=reset-code-never-logged'

async function projectDir (t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vellum-email-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** An app whose every log line is kept. */
async function loggedApp (t: Test, options: VellumOptions): Promise<{ app: FastifyInstance, lines: string[] }> {
  const lines: string[] = []
  const app = Fastify({ logger: { level: 'trace', stream: { write: (line: string) => { lines.push(line) } } }, pluginTimeout: 120_000 })
  t.teardown(() => app.close())
  await app.register(vellum, { contentTypes: [articleDefinition], database: databaseOption(await createTestDatabase(t)), ...options })
  await app.ready()
  return { app, lines }
}

t.test('development default: each message is one .eml file under <dir>/.vellum/mail; the log has its path, not its body', async (t) => {
  const dir = await projectDir(t)
  const { app, lines } = await loggedApp(t, { dir, email: { settings: { defaultFrom: 'Site <no-reply@site.test>' } } })
  await app.vellum.email.send({ to: 'ada@example.com', subject: 'Reset your password', text: `Follow ${SECRET_LINK}`, html: `<a href="${SECRET_LINK}">reset</a>` })
  await app.vellum.email.send({ to: 'bob@example.com', subject: 'Second', text: 'two' })
  const folder = join(dir, '.vellum', 'mail')
  const files = (await readdir(folder)).sort()
  t.equal(files.length, 2, 'one file per message')
  t.match(files[0], /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z-[0-9a-f]{8}\.eml$/)
  // Two messages of one millisecond sort by their random part: find the first by its content.
  const raws = await Promise.all(files.map(async file => await readFile(join(folder, file), 'utf8')))
  const index = raws.findIndex(raw => raw.includes('Subject: Reset your password'))
  const first = files[index]!
  const raw = raws[index]!
  const mail = await simpleParser(raw)
  t.equal(mail.subject, 'Reset your password')
  t.same(mail.to && !Array.isArray(mail.to) ? mail.to.value : [], [{ address: 'ada@example.com', name: '' }])
  t.same(mail.from?.value, [{ address: 'no-reply@site.test', name: 'Site' }])
  t.equal(mail.text?.trim(), `Follow ${SECRET_LINK}`)
  t.match(raw, /Subject: Reset your password/, 'readable as text')
  t.equal((await stat(join(folder, first))).mode & 0o777, 0o600, 'readable by its owner only')

  const written = lines.filter(line => line.includes('email written to a file'))
  t.equal(written.length, 2, 'one log line per message')
  t.ok(written.some(line => line.includes(join(folder, first))), 'the line names the file')
  const all = lines.join('\n')
  t.notOk(all.includes('reset-code-never-logged'), 'no body in any log line')
  t.notOk(all.includes('Reset your password'), 'no subject in any log line')
  t.ok(lines.some(line => line.includes('messages are written to files') && line.includes(folder)), 'startup says where mail goes')
})

t.test("provider 'file' without a project folder writes under the system's temp folder", async (t) => {
  const log = recordingLogger()
  const email = await createEmailService({ provider: 'file', settings: { defaultFrom: 'a@site.test' }, env: { NODE_ENV: 'production' }, log })
  await email.send({ to: 'tmp@example.com', subject: 'Temp', text: 'x' })
  const entry = log.entries.find(e => e.msg?.startsWith('email written to a file') === true)
  const file = (entry?.obj as { file?: string } | undefined)?.file ?? ''
  t.ok(file.startsWith(join(tmpdir(), 'vellum-mail')), 'under the temp folder')
  t.teardown(() => rm(file, { force: true }))
  t.equal((await simpleParser(await readFile(file))).subject, 'Temp')
})

t.test('a custom provider object from the options receives the checked message, defaults applied', async (t) => {
  const sent: EmailSendOptions[] = []
  const app = await buildApp(t, {
    email: {
      provider: { async send (options) { sent.push(options) } },
      settings: { defaultFrom: 'from@site.test', defaultReplyTo: 'reply@site.test' }
    }
  })
  const message = { to: 'x@example.com', subject: 'Custom', html: '<p>hi</p>', extra: 'dropped' }
  await app.vellum.email.send(message)
  t.same(sent, [{ to: 'x@example.com', from: 'from@site.test', replyTo: 'reply@site.test', subject: 'Custom', html: '<p>hi</p>' }])
  t.notOk('extra' in sent[0]!, 'only the known fields reach the provider')
})

t.test('a Strapi provider module ({ init(providerOptions, settings) }) is initialized once with the options', async (t) => {
  const calls: unknown[] = []
  const sent: EmailSendOptions[] = []
  const app = await buildApp(t, {
    email: {
      provider: {
        init (providerOptions, settings) {
          calls.push({ providerOptions, settings })
          return { async send (options) { sent.push(options) } }
        }
      },
      providerOptions: { apiKey: 'k' },
      settings: { defaultFrom: 'from@site.test' }
    }
  })
  await app.vellum.email.send({ to: 'y@example.com', subject: 'Module', text: 't' })
  t.same(calls, [{ providerOptions: { apiKey: 'k' }, settings: { defaultFrom: 'from@site.test' } }])
  t.same(sent, [{ to: 'y@example.com', from: 'from@site.test', subject: 'Module', text: 't' }])
})

t.test('production without a provider: one warning at startup, then every message refused with a clear error', async (t) => {
  const log = recordingLogger()
  const email = await createEmailService({ settings: { defaultFrom: 'a@site.test' }, env: { NODE_ENV: 'production' }, log })
  t.equal(email.provider, 'none')
  t.same(log.entries.map(e => e.level), ['warn'], 'one warning, nothing else')
  t.match(log.entries[0]?.msg, /no provider configured in production/)
  await t.rejects(email.send({ to: 'z@example.com', subject: 'Lost', text: 'x' }), {
    name: 'EmailNotConfiguredError',
    code: 'VELLUM_ERR_EMAIL_NOT_CONFIGURED',
    message: /Email is not configured: NODE_ENV is production and no email\.provider is set/
  })
  const error = await email.send({ to: 'z@example.com', subject: 'Lost', text: 'x' }).catch((error: unknown) => error)
  t.ok(error instanceof EmailNotConfiguredError)
  t.equal(log.entries.length, 1, 'no further log line per refused message')
})

t.test('production without a provider, through the plugin: app.vellum.email refuses', async (t) => {
  const previous = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  t.teardown(() => { process.env.NODE_ENV = previous })
  const { app, lines } = await loggedApp(t, { apiToken: { salt: 'production-salt' }, usersPermissions: { jwtSecret: 'production-jwt-secret' } })
  t.equal(lines.filter(line => line.includes('no provider configured in production')).length, 1, 'one warning at startup')
  await t.rejects(app.vellum.email.send({ to: 'z@example.com', from: 'a@site.test', subject: 'Lost', text: 'x' }), { name: 'EmailNotConfiguredError' })
})
