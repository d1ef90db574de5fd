import { randomBytes } from 'node:crypto'
import { extname } from 'node:path'
import slugify from '@sindresorhus/slugify'
import mime from 'mime-types'
import { ApplicationError } from '../errors.js'

// Path separators, characters Windows forbids, and control characters (contract §25.4).
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const INVALID_NAME = /[/\\<>:"|?*\u0000-\u001f\u007f]/

/** Refuses a client file name Strapi refuses: 400 "File name contains invalid characters". */
export function checkFileName (name: string): void {
  if (name === '' || INVALID_NAME.test(name)) throw new ApplicationError('File name contains invalid characters', { name })
}

/** The extension as the client wrote it (case kept), else the MIME type's, else ''. */
export function extensionOf (name: string, mimeType: string): string {
  const ext = extname(name)
  if (ext !== '' && ext !== name) return ext
  const derived = mime.extension(mimeType)
  return derived === false ? '' : `.${derived}`
}

/**
 * `<slug>_<10 hex>`: the name minus its extension transliterated to ASCII (case kept, `&` → `and`, other runs
 * → `_`), then a random suffix so two files of one name never share a storage key.
 */
export function fileHash (name: string): string {
  const ext = extname(name)
  const base = ext !== '' && ext !== name ? name.slice(0, -ext.length) : name
  const slug = slugify(base, { separator: '_', lowercase: false })
  return `${slug}_${randomBytes(5).toString('hex')}`
}

/** Bytes as KB with two decimals, as Strapi records `size` (12 bytes → 0.01). */
export function kilobytes (bytes: number): number {
  return Math.round((bytes / 1000) * 100) / 100
}

/** Strapi's size wording in the 413 message: decimal units, rounded (55 MiB → "58 MB"). */
export function humanSize (bytes: number): string {
  const units = ['Bytes', 'KB', 'MB', 'GB', 'TB']
  const i = bytes <= 0 ? 0 : Math.min(units.length - 1, Math.floor(Math.log(bytes) / Math.log(1000)))
  return `${Math.round(bytes / 1000 ** i)} ${units[i]!}`
}
