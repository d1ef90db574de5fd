import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from '../logger.js'
import { EmailDeliveryError } from './errors.js'
import { nodemailer } from './nodemailer.js'
import type { EmailProvider } from './types.js'

/**
 * The development default: each message becomes one `.eml` file (RFC 822, which any mail client opens and a
 * person can read) in `folder`, instead of being sent. Messages hold reset and confirmation links, so the log
 * only says where the file is, and the file is readable by its owner only.
 */
export function createFileProvider ({ folder, log }: { folder: string, log: Logger }): EmailProvider {
  // Made on the first message: the development default is in place in every project that sends none.
  let composer: ReturnType<typeof createComposer> | undefined
  return {
    async send (message) {
      composer ??= createComposer()
      const info = await composer.sendMail({ ...message })
      // An ISO time sorts the files in sending order; the random part keeps two messages of one millisecond apart.
      const file = join(folder, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`)
      try {
        await mkdir(folder, { recursive: true })
        await writeFile(file, info.message, { flag: 'wx', mode: 0o600 })
      } catch (error) {
        throw new EmailDeliveryError(`Could not write the email to ${file}: ${(error as Error).message}`, { file })
      }
      log.info({ file }, 'email written to a file, not sent (development default: set email.provider to send)')
    }
  }
}

function createComposer () {
  return nodemailer().createTransport({ streamTransport: true, buffer: true, newline: 'unix' })
}
