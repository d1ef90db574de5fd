/**
 * No secret in the standalone server's log lines (issue 15): passwords, JWTs, Authorization headers and the codes
 * that travel in URLs (`?confirmation=`) are in no line, at the trace level, through a whole end-user journey.
 */
import t from 'tap'
import { startServer } from '../errors/helpers.js'

const PASSWORD = 'log-secrets-password-1'
const NEW_PASSWORD = 'log-secrets-password-2'
const CODE = 'confirmationcodethatmustnotbelogged'

t.test('register, login, /users/me, change password, a confirmation link: nothing secret logged', async (t) => {
  const { port, lines } = await startServer(t, 'trace')
  const base = `http://127.0.0.1:${port}/api`
  const post = async (path: string, body: object, headers: Record<string, string> = {}): Promise<Response> =>
    await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
  const registered = await post('/auth/local/register', { username: 'lee', email: 'lee@example.com', password: PASSWORD })
  t.equal(registered.status, 200)
  const { jwt } = await registered.json() as { jwt: string }
  const auth = { authorization: `Bearer ${jwt}` }
  t.equal((await fetch(`${base}/users/me`, { headers: auth })).status, 200)
  t.equal((await post('/auth/change-password', { currentPassword: PASSWORD, password: NEW_PASSWORD, passwordConfirmation: NEW_PASSWORD }, auth)).status, 200)
  t.equal((await post('/auth/local', { identifier: 'lee', password: 'a-wrong-password' })).status, 400)
  t.equal((await fetch(`${base}/auth/email-confirmation?confirmation=${CODE}`)).status, 400)

  const log = lines.join('\n')
  t.ok(lines.length > 5, 'the journey was logged')
  for (const [name, secret] of [['password', PASSWORD], ['new password', NEW_PASSWORD], ['wrong password', 'a-wrong-password'], ['JWT', jwt], ['confirmation code', CODE]]) {
    t.notOk(log.includes(secret!), `no ${name} in any log line`)
  }
  t.match(log, /GET \/api\/auth\/email-confirmation\?confirmation=\[Redacted\] \(\d+ ms\) 400/, 'the access line shows the URL with its code redacted')
})
