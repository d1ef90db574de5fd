/**
 * The whole end-user journey with email confirmation on, through a real SMTP server the test starts (issue 15):
 * register → the confirmation mail → its link → login → /users/me → change password → forgot-password → the
 * reset mail → reset-password → login with the new password. Codes are read from the mails as a user would.
 */
import t from 'tap'
import { buildApp } from '../helpers/app.js'
import { startSmtpServer } from '../helpers/smtp.js'
import { isError, sender } from '../http/rest/helpers.js'

const FIRST = 'first-password-1'
const SECOND = 'second-password-2'
const THIRD = 'third-password-3'

t.test('register, confirm by mail, log in, change the password, reset it by mail', async (t) => {
  const smtp = await startSmtpServer(t)
  const app = await buildApp(t, {
    email: { provider: 'nodemailer', providerOptions: smtp.providerOptions, settings: { defaultFrom: 'Site <no-reply@site.test>' } },
    usersPermissions: {
      jwtSecret: 'mail-flow-secret',
      bcryptRounds: 4,
      emailConfirmation: true,
      serverUrl: 'https://cms.site.test',
      emailConfirmationRedirection: 'https://site.test/welcome',
      resetPasswordUrl: 'https://site.test/reset'
    }
  })
  const send = sender(app)

  const registered = await send('POST', '/api/auth/local/register', { username: 'ada', email: 'Ada@Example.com', password: FIRST })
  t.equal(registered.status, 200)
  t.equal(registered.body.jwt, undefined, 'no JWT before the email is confirmed')
  t.match(registered.body.user, { username: 'ada', email: 'ada@example.com', confirmed: false })
  isError(t, await send('POST', '/api/auth/local', { identifier: 'ada', password: FIRST }), 400, 'ApplicationError', 'Your account email is not confirmed')

  const { mail: confirmation } = await smtp.waitFor('ada@example.com')
  t.equal(confirmation.subject, 'Account confirmation')
  t.equal(confirmation.from?.value[0]?.address, 'no-reply@site.test')
  const link = /https:\/\/cms\.site\.test\/api\/auth\/email-confirmation\?confirmation=([\w-]+)/.exec(confirmation.text ?? '')
  t.ok(link, 'the mail carries the confirmation link to this server')
  const confirmed = await app.inject({ url: `/api/auth/email-confirmation?confirmation=${link![1]!}` })
  t.equal(confirmed.statusCode, 302)
  t.equal(confirmed.headers.location, 'https://site.test/welcome')
  isError(t, await send('GET', `/api/auth/email-confirmation?confirmation=${link![1]!}`), 400, 'ValidationError', 'Invalid token')

  const login = await send('POST', '/api/auth/local', { identifier: 'ada@example.com', password: FIRST })
  t.equal(login.status, 200)
  const auth = { authorization: `Bearer ${login.body.jwt as string}` }
  const me = await send('GET', '/api/users/me', undefined, auth)
  t.match(me.body, { username: 'ada', email: 'ada@example.com', confirmed: true })

  const changed = await send('POST', '/api/auth/change-password', { currentPassword: FIRST, password: SECOND, passwordConfirmation: SECOND }, auth)
  t.equal(changed.status, 200)
  t.type(changed.body.jwt, 'string')
  isError(t, await send('POST', '/api/auth/local', { identifier: 'ada', password: FIRST }), 400, 'ValidationError', 'Invalid identifier or password')
  t.equal((await send('POST', '/api/auth/local', { identifier: 'ada', password: SECOND })).status, 200)

  smtp.messages.length = 0 // the next mail to ada is the reset one
  t.same((await send('POST', '/api/auth/forgot-password', { email: 'ada@example.com' })).body, { ok: true })
  const { mail: reset } = await smtp.waitFor('ada@example.com')
  t.equal(reset.subject, 'Reset password')
  const code = /https:\/\/site\.test\/reset\?code=([\w-]+)/.exec(reset.text ?? '')?.[1]
  t.ok(code, 'the mail carries the reset link to the front end')
  const afterReset = await send('POST', '/api/auth/reset-password', { code, password: THIRD, passwordConfirmation: THIRD })
  t.equal(afterReset.status, 200)
  t.match(afterReset.body.user, { username: 'ada' })
  isError(t, await send('POST', '/api/auth/reset-password', { code, password: FIRST, passwordConfirmation: FIRST }), 400, 'ValidationError', 'Incorrect code provided')
  t.equal((await send('POST', '/api/auth/local', { identifier: 'ada', password: THIRD })).status, 200, 'the reset password logs in')
  isError(t, await send('POST', '/api/auth/local', { identifier: 'ada', password: SECOND }), 400, 'ValidationError', 'Invalid identifier or password')
})
