import { stat } from 'node:fs/promises'
import type { FormatEnum, Metadata, Sharp } from 'sharp'
import { ValidationError } from '../errors.js'
import type { UploadSettings } from './types.js'

/** sharp (libvips, a native module) loads at the first image, not at every boot. */
let loadedSharp: Promise<typeof import('sharp')['default']> | undefined
async function sharpModule (): Promise<typeof import('sharp')['default']> {
  loadedSharp ??= import('sharp').then(module => module.default)
  return await loadedSharp
}

/** Formats whose width and height are recorded (sharp reports AVIF as `heif`). */
const MEASURED = new Set(['jpeg', 'png', 'webp', 'tiff', 'gif', 'svg', 'heif'])
/** Formats re-encoded smaller with `sizeOptimization`. */
const OPTIMIZED = new Set(['jpeg', 'png', 'webp', 'tiff', 'heif'])
/** Formats responsive sizes are made for (contract §25.5). */
const RESIZED = new Set(['jpeg', 'png', 'webp', 'tiff', 'gif'])

const THUMBNAIL = { width: 245, height: 156 }

export interface ImageInfo {
  format: keyof FormatEnum
  /** As stored: after auto-orientation when it applies. */
  width: number
  height: number
  /** EXIF orientation 5..8 swaps width and height when auto-orientation turns the image. */
  turned: boolean
}

export interface Rendition {
  path: string
  width: number
  height: number
  sizeInBytes: number
}

/** A bound on simultaneous image jobs: sharp runs on libuv's threads, but each job holds decoded pixels. */
export function createLimiter (limit: number): <T>(job: () => Promise<T>) => Promise<T> {
  let active = 0
  const waiting: Array<() => void> = []
  return async function run<T> (job: () => Promise<T>): Promise<T> {
    if (active >= limit) await new Promise<void>(resolve => waiting.push(resolve))
    active++
    try {
      return await job()
    } finally {
      active--
      waiting.shift()?.()
    }
  }
}

function encodeOptions (format: keyof FormatEnum, optimize: boolean): Record<string, unknown> {
  if (!optimize) return {}
  return format === 'png' ? { compressionLevel: 9 } : format === 'jpeg' ? { quality: 80, progressive: true } : format === 'gif' ? {} : { quality: 80 }
}

/**
 * What sharp reads of a file's header: undefined when it is no image sharp knows. An image over
 * `maxImagePixels` is refused here, before any pixel is decoded.
 */
export async function readImageInfo (path: string, name: string, settings: UploadSettings): Promise<ImageInfo | undefined> {
  let metadata: Metadata
  try {
    // Only the header is read here; the pixel bound is checked below, with a message of ours.
    metadata = await (await sharpModule())(path, { limitInputPixels: false }).metadata()
  } catch {
    return undefined
  }
  const { format, width, height } = metadata
  if (!MEASURED.has(format) || width === undefined || height === undefined) return undefined
  if (width * height > settings.maxImagePixels) {
    throw new ValidationError(`${name} exceeds the image limit of ${settings.maxImagePixels} pixels`, { width, height, maxImagePixels: settings.maxImagePixels })
  }
  const turned = settings.autoOrientation && (metadata.orientation ?? 1) >= 5
  return { format: format as keyof FormatEnum, width: turned ? height : width, height: turned ? width : height, turned }
}

async function pipelineFor (path: string, settings: UploadSettings): Promise<Sharp> {
  // sharp writes no metadata unless asked (`keepMetadata`): EXIF, GPS and comments are dropped from its outputs.
  const image = (await sharpModule())(path, { limitInputPixels: settings.maxImagePixels, animated: true })
  return settings.autoOrientation ? image.autoOrient() : image
}

/**
 * The original re-encoded (quality 80, auto-oriented if asked, metadata dropped) into `out`, or undefined when
 * that would not be smaller, or when the format is not re-encoded.
 */
export async function optimizeImage (path: string, out: string, info: ImageInfo, settings: UploadSettings): Promise<Rendition | undefined> {
  if (!settings.sizeOptimization || !OPTIMIZED.has(info.format)) return undefined
  const result = await (await pipelineFor(path, settings)).toFormat(info.format, encodeOptions(info.format, true)).toFile(out)
  const original = (await stat(path)).size
  if (result.size >= original && !info.turned) return undefined
  return { path: out, width: result.width, height: result.height, sizeInBytes: result.size }
}

/** The formats to make for an image of this size: `[key, width, height]` boxes, none that would enlarge it. */
export function formatBoxes (info: ImageInfo, settings: UploadSettings): Array<[string, number, number]> {
  if (!RESIZED.has(info.format)) return []
  const boxes: Array<[string, number, number]> = []
  if (info.width > THUMBNAIL.width || info.height > THUMBNAIL.height) boxes.push(['thumbnail', THUMBNAIL.width, THUMBNAIL.height])
  if (settings.responsiveDimensions) {
    for (const [key, size] of Object.entries(settings.breakpoints)) {
      if (info.width > size || info.height > size) boxes.push([key, size, size])
    }
  }
  return boxes
}

/** One format: the image fit inside width × height, never enlarged, in its own format, into `out`. */
export async function resizeImage (path: string, out: string, info: ImageInfo, [width, height]: [number, number], settings: UploadSettings): Promise<Rendition> {
  const result = await (await pipelineFor(path, settings))
    .resize(width, height, { fit: 'inside', withoutEnlargement: true })
    .toFormat(info.format, encodeOptions(info.format, settings.sizeOptimization))
    .toFile(out)
  return { path: out, width: result.width, height: result.height, sizeInBytes: result.size }
}
