import { createReadStream } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import type { Readable } from 'node:stream'
import { InvalidOptionsError, PayloadTooLargeError, ValidationError } from '../errors.js'
import type { Logger } from '../logger.js'
import { createLimiter, formatBoxes, optimizeImage, readImageInfo, resizeImage, type ImageInfo } from './image.js'
import { createLocalProvider } from './local.js'
import { detectMime, typeAllowed } from './mime.js'
import { checkFileName, extensionOf, fileHash, humanSize, kilobytes } from './names.js'
import { discard, spool, type SpooledFile } from './spool.js'
import type { FileFormat, FileInfo, ProviderFile, StoredFile, UploadProvider, UploadProviderModule, UploadSettings } from './types.js'

export type UploadProviderOption = 'local' | 'aws-s3' | UploadProvider | UploadProviderModule

export interface UploadServiceInput {
  provider?: UploadProviderOption | undefined
  providerOptions?: Record<string, unknown> | undefined
  settings: UploadSettings
  /** The project folder: the local provider writes to `<dir>/public/uploads`. */
  dir?: string | undefined
  log: Logger
}

/** The stored objects of a file: what `remove` and `sign` need of a row. */
export type StoredObjects = Pick<StoredFile, 'name' | 'hash' | 'ext' | 'mime' | 'size' | 'url' | 'formats' | 'provider_metadata'>

export interface UploadService {
  readonly settings: UploadSettings
  /** `local`, `aws-s3` or `custom`: the value of the rows' `provider` column. */
  readonly provider: string
  /** The local provider's folder, served under `/uploads`; undefined for other providers. */
  readonly localRoot: string | undefined
  /** Receives a stream into a temp file (bounded by `sizeLimit`). */
  spool: (source: Readable, file: { filename: string, declaredMime?: string | undefined }) => Promise<SpooledFile>
  /** 413 PayloadTooLargeError for the first spooled file over the limit. */
  checkSizes: (files: readonly SpooledFile[]) => void
  /**
   * Checks, measures and stores a spooled file (and its image formats): the row's columns. `keep` stores it
   * under an existing file's hash and extension (replacing that file). On failure nothing stays stored.
   */
  store: (file: SpooledFile, info?: FileInfo, keep?: Pick<StoredFile, 'hash' | 'ext'>) => Promise<StoredFile>
  /** Deletes a file's stored objects: the original and every format. */
  remove: (file: StoredObjects) => Promise<void>
  /** For a private provider, the file with signed URLs (and `isUrlSigned`); else the file as it is. */
  sign: <T extends StoredObjects>(file: T) => Promise<T & { isUrlSigned: boolean }>
  discard: (file: SpooledFile) => Promise<void>
  close: () => Promise<void>
}

async function chooseProvider ({ provider = 'local', providerOptions = {}, dir }: UploadServiceInput): Promise<{ name: string, storage: UploadProvider, localRoot?: string }> {
  if (provider === 'local') {
    const root = typeof providerOptions.root === 'string' ? providerOptions.root : join(dir ?? process.cwd(), 'public', 'uploads')
    return { name: 'local', storage: createLocalProvider({ root }), localRoot: root }
  }
  // The AWS SDK (a third of a second to import) loads only for a project that stores in S3.
  if (provider === 'aws-s3') return { name: 'aws-s3', storage: (await import('./s3.js')).createS3Provider(providerOptions) }
  const custom = await ('init' in provider && typeof provider.init === 'function' ? provider.init(providerOptions) : provider)
  const { upload, uploadStream, delete: remove } = custom as Partial<UploadProvider>
  if ((typeof upload !== 'function' && typeof uploadStream !== 'function') || typeof remove !== 'function') {
    throw new InvalidOptionsError('Invalid vellum options:\n  /upload/provider: expected "local", "aws-s3", a provider object with upload and delete functions or a provider module with init')
  }
  return { name: 'custom', storage: custom as UploadProvider }
}

/**
 * The upload plugin's Fastify-free core: files are spooled to temp files, typed from their content, measured
 * and resized by sharp (bounded in pixels and in concurrency), then handed to the provider as streams.
 */
export async function createUploadService (input: UploadServiceInput): Promise<UploadService> {
  const { settings, log } = input
  const { name: providerName, storage, localRoot } = await chooseProvider(input)
  const limit = createLimiter(settings.imageConcurrency)
  let tmpRoot: Promise<string> | undefined
  const tempDir = async (): Promise<string> => await (tmpRoot ??= mkdtemp(join(tmpdir(), 'vellum-upload-')))

  async function put (file: ProviderFile): Promise<void> {
    storage.checkFileSize?.(file, { sizeLimit: settings.sizeLimit })
    if (typeof storage.uploadStream === 'function') {
      await storage.uploadStream(file)
    } else {
      // A provider without streams gets the bytes: one file in memory at a time, bounded by the size limit.
      file.buffer = await readFile(fileOf(file))
      await storage.upload(file)
    }
  }
  const paths = new WeakMap<ProviderFile, string>()
  const fileOf = (file: ProviderFile): string => paths.get(file)!
  function providerFile (path: string, fields: Omit<ProviderFile, 'getStream' | 'size'>): ProviderFile {
    const file: ProviderFile = { ...fields, size: kilobytes(fields.sizeInBytes), getStream: () => createReadStream(path) }
    paths.set(file, path)
    return file
  }

  let warnedOpen = false
  async function store (spooled: SpooledFile, info: FileInfo = {}, keep?: Pick<StoredFile, 'hash' | 'ext'>): Promise<StoredFile> {
    checkFileName(spooled.filename)
    const mime = await detectMime(spooled.path, spooled.filename, spooled.declaredMime)
    const { security } = settings
    if (security === undefined && !warnedOpen) {
      warnedOpen = true
      log.warn('upload: no upload.security.allowedTypes or deniedTypes set, so files of every type are accepted')
    }
    if (security !== undefined && !typeAllowed(mime, security)) {
      throw new ValidationError(`File type ${mime} is not allowed`, { name: spooled.filename, mime })
    }
    const ext = keep?.ext ?? extensionOf(spooled.filename, mime)
    const name = info.name ?? spooled.filename
    const hash = keep?.hash ?? fileHash(`${basename(name, extensionOf(spooled.filename, mime))}${ext}`)
    const stored: ProviderFile[] = []
    const renditions: string[] = []
    try {
      return await limit(async () => {
        const image = await readImageInfo(spooled.path, spooled.filename, settings)
        const work = await tempDir()
        let source = spooled.path
        let width = image?.width ?? null
        let height = image?.height ?? null
        let bytes = spooled.bytes
        if (image !== undefined) {
          const out = join(work, `${basename(spooled.path)}-original`)
          renditions.push(out)
          const optimized = await optimizeImage(spooled.path, out, image, settings)
          if (optimized !== undefined) ({ path: source, width, height, sizeInBytes: bytes } = optimized)
        }
        const original = providerFile(source, { name, hash, ext, mime, sizeInBytes: bytes, path: null })
        await put(original)
        stored.push(original)
        const formats = image === undefined ? null : await makeFormats(spooled, image, { name, hash, ext, mime }, work, stored, renditions)
        return {
          name,
          alternativeText: info.alternativeText ?? null,
          caption: info.caption ?? null,
          focalPoint: info.focalPoint ?? null,
          width,
          height,
          formats,
          hash,
          ext,
          mime,
          size: kilobytes(bytes),
          url: original.url ?? '',
          previewUrl: null,
          provider: providerName,
          provider_metadata: original.provider_metadata ?? null
        }
      })
    } catch (error) {
      // Nothing of a failed upload stays stored.
      await Promise.all(stored.map(async file => { await deleteQuietly(file) }))
      throw error
    } finally {
      await Promise.all(renditions.map(async path => { await rm(path, { force: true }) }))
    }
  }

  async function makeFormats (
    spooled: SpooledFile, image: ImageInfo, base: { name: string, hash: string, ext: string, mime: string }, work: string, stored: ProviderFile[], renditions: string[]
  ): Promise<Record<string, FileFormat> | null> {
    const formats: Record<string, FileFormat> = {}
    for (const [key, width, height] of formatBoxes(image, settings)) {
      const out = join(work, `${basename(spooled.path)}-${key}`)
      renditions.push(out)
      const made = await resizeImage(spooled.path, out, image, [width, height], settings)
      const file = providerFile(made.path, { name: `${key}_${base.name}`, hash: `${key}_${base.hash}`, ext: base.ext, mime: base.mime, sizeInBytes: made.sizeInBytes, path: null })
      await put(file)
      stored.push(file)
      formats[key] = {
        ext: file.ext,
        url: file.url ?? '',
        hash: file.hash,
        mime: file.mime,
        name: file.name,
        path: null,
        size: file.size,
        width: made.width,
        height: made.height,
        sizeInBytes: made.sizeInBytes,
        ...(file.provider_metadata != null && { provider_metadata: file.provider_metadata })
      }
    }
    return Object.keys(formats).length > 0 ? formats : null
  }

  async function deleteQuietly (file: ProviderFile): Promise<void> {
    try {
      await storage.delete(file)
    } catch (error) {
      log.error({ err: error, hash: file.hash }, 'upload: could not delete a stored object')
    }
  }

  function objectsOf (file: StoredObjects): ProviderFile[] {
    const asProviderFile = (f: Pick<FileFormat, 'name' | 'hash' | 'ext' | 'mime' | 'size' | 'url'> & { provider_metadata?: Record<string, unknown> | null }): ProviderFile => ({
      name: f.name,
      hash: f.hash,
      ext: f.ext,
      mime: f.mime,
      size: Number(f.size),
      sizeInBytes: Math.round(Number(f.size) * 1000),
      url: f.url,
      path: null,
      provider_metadata: f.provider_metadata ?? null,
      getStream: () => { throw new Error('no content: a stored object') }
    })
    return [asProviderFile(file), ...Object.values(file.formats ?? {}).map(asProviderFile)]
  }

  return {
    settings,
    provider: providerName,
    localRoot,
    async spool (source, file) {
      return await spool(source, { dir: await tempDir(), sizeLimit: settings.sizeLimit, ...file })
    },
    checkSizes (files) {
      const over = files.find(file => file.tooLarge)
      if (over !== undefined) throw new PayloadTooLargeError(`${over.filename} exceeds size limit of ${humanSize(settings.sizeLimit)}.`)
    },
    store,
    async remove (file) {
      await Promise.all(objectsOf(file).map(async object => { await storage.delete(object) }))
    },
    async sign (file) {
      if (storage.getSignedUrl === undefined || await storage.isPrivate?.() !== true) return { ...file, isUrlSigned: false }
      const [original, ...formats] = objectsOf(file)
      const signed = async (object: ProviderFile): Promise<string> => (await storage.getSignedUrl!(object)).url
      const keys = Object.keys(file.formats ?? {})
      const urls = await Promise.all(formats.map(signed))
      return {
        ...file,
        url: await signed(original!),
        formats: file.formats === null ? null : Object.fromEntries(keys.map((key, i) => [key, { ...file.formats![key]!, url: urls[i]! }])),
        isUrlSigned: true
      }
    },
    discard,
    async close () {
      await storage.close?.()
      if (tmpRoot !== undefined) await rm(await tmpRoot, { recursive: true, force: true })
    }
  }
}
