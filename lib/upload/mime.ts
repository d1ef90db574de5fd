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
