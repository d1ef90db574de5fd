import { randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { once } from 'node:events'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'

/** A received file waiting on disk (never in memory) for its checks, its image work and its provider. */
export interface SpooledFile {
  path: string
  /** Bytes received (at most the size limit + 1 when `tooLarge`). */
  bytes: number
  /** The client's file name, as sent. */
  filename: string
  /** The client's declared MIME type. */
  declaredMime: string | undefined
  /** Over the size limit: nothing of it is kept, the 413 is raised once the whole body was read. */
  tooLarge: boolean
}

/**
 * Writes `source` to a new temp file in `dir`, honouring backpressure. Past `sizeLimit` the file is deleted and
 * the rest of the source is read and dropped, so a multipart body can still be parsed to its end.
 */
export async function spool (source: Readable, { dir, sizeLimit, filename, declaredMime }: { dir: string, sizeLimit: number, filename: string, declaredMime?: string | undefined }): Promise<SpooledFile> {
  const path = join(dir, randomUUID())
  const out = createWriteStream(path, { flags: 'wx', mode: 0o600 })
  let bytes = 0
  let tooLarge = false
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      if (tooLarge) continue
      bytes += chunk.length
      if (bytes > sizeLimit) {
        tooLarge = true
        continue
      }
      if (!out.write(chunk)) await once(out, 'drain')
    }
    out.end()
    await once(out, 'close')
  } catch (error) {
    out.destroy()
    await rm(path, { force: true })
    throw error
  }
  if (tooLarge) await rm(path, { force: true })
  return { path, bytes, filename, declaredMime, tooLarge }
}

/** Removes a spooled file (done with it, or the request failed). */
export async function discard (file: SpooledFile): Promise<void> {
  await rm(file.path, { force: true })
}
