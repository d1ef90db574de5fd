import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import sharp, { type Sharp } from 'sharp'
import { createUploadService, type SpooledFile, type UploadService, type UploadServiceInput, type UploadSettings } from '../../lib/upload/index.js'
import { recordingLogger } from '../helpers/logger.js'
import type { Teardown } from '../helpers/db.js'

export const DEFAULT_SETTINGS: UploadSettings = {
  sizeLimit: 1_000_000_000,
  breakpoints: { large: 1000, medium: 750, small: 500 },
  responsiveDimensions: true,
  sizeOptimization: true,
  autoOrientation: false,
  maxImagePixels: 100_000_000,
  imageConcurrency: 2
}

export async function tempDir (t: Teardown, prefix = 'vellum-upload-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** A real image made by sharp: a gradient-free noise pattern so encoders cannot shrink it to nothing. */
export async function makeImage (width: number, height: number, format: 'jpeg' | 'png' | 'webp' | 'gif', extra?: (image: Sharp) => Sharp): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3)
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7919 + (i >> 5) * 104729) & 0xff
  let image = sharp(pixels, { raw: { width, height, channels: 3 } })
  if (extra !== undefined) image = extra(image)
  return await image.toFormat(format).toBuffer()
}

export async function service (t: Teardown, input: Partial<Omit<UploadServiceInput, 'settings'>> & { settings?: Partial<UploadSettings> } = {}): Promise<UploadService> {
  const upload = await createUploadService({ log: recordingLogger(), ...input, settings: { ...DEFAULT_SETTINGS, ...input.settings } })
  t.teardown(() => upload.close())
  return upload
}

export async function spoolBuffer (upload: UploadService, bytes: Buffer, filename: string, declaredMime?: string): Promise<SpooledFile> {
  return await upload.spool(Readable.from([bytes]), { filename, declaredMime })
}
