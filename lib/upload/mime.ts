import { open } from 'node:fs/promises'
import mime from 'mime-types'

/** file-type reads at most this much of a file's start. */
const SNIFF_BYTES = 4100

/**
 * A file's MIME type as Strapi decides it (contract §25.5): from its content (file-type), else from the
 * name's extension, else the type the client declared, else `application/octet-stream`.
 */
export async function detectMime (path: string, name: string, declared: string | undefined): Promise<string> {
  const handle = await open(path, 'r')
  let head: Buffer
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES)
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0)
    head = buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
  const sniffed = await (await import('file-type')).fileTypeFromBuffer(head)
  if (sniffed !== undefined) return sniffed.mime
  const byName = mime.lookup(name)
  if (byName !== false) return byName
  return declared !== undefined && declared !== '' ? declared : 'application/octet-stream'
}

/** Strapi's `upload.config.security`: MIME patterns (`image/*`, `*`, `application/pdf`) a file must match or must not. */
export interface TypeSecurity {
  allowedTypes?: string[] | undefined
  deniedTypes?: string[] | undefined
}

function matches (type: string, pattern: string): boolean {
  const wanted = pattern.toLowerCase()
  if (wanted === '*' || wanted === '*/*') return true
  return wanted.endsWith('/*') ? type.startsWith(wanted.slice(0, -1)) : type === wanted
}

/** Whether a detected type passes the security settings: not denied, and allowed when a list of allowed types is set. */
export function typeAllowed (type: string, { allowedTypes, deniedTypes }: TypeSecurity): boolean {
  const lower = type.toLowerCase()
  if (deniedTypes?.some(pattern => matches(lower, pattern)) === true) return false
  return allowedTypes === undefined || allowedTypes.some(pattern => matches(lower, pattern))
}
