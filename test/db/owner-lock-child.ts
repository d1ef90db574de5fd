/**
 * Child of owner-lock.test.ts: waits until the given instant, tries to take the lock, prints `won` or
 * `held <pid>`, then keeps what it got for a while (a winner must not exit before the others tried).
 */
import { acquireOwnerLock, LockHeldError } from '../../lib/db/owner-lock.js'
import { silentLogger } from '../../lib/logger.js'

const [file = '', startAt = '0', holdMs = '3000'] = process.argv.slice(2)
while (Date.now() < Number(startAt)) await new Promise(resolve => setTimeout(resolve, 1))
try {
  await acquireOwnerLock(file, silentLogger)
  process.stdout.write('won\n')
} catch (err) {
  if (!(err instanceof LockHeldError)) throw err
  process.stdout.write(`held ${err.owner.pid}\n`)
}
await new Promise(resolve => setTimeout(resolve, Number(holdMs)))
