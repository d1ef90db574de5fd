import type { TypeSecurity } from './mime.js'
import type { Readable } from 'node:stream'

/** One stored image size of a file (`formats.thumbnail`, `formats.large`, ...), as Strapi records it. */
export interface FileFormat {
  ext: string
  url: string
  hash: string
  mime: string
  name: string
  path: string | null
  size: number
  width: number
  height: number
  sizeInBytes: number
  provider_metadata?: Record<string, unknown> | null
}

/**
 * What a provider receives, in Strapi's provider shape: it stores the bytes (`getStream()` or `buffer`) under
 * `hash` + `ext` and sets `url` (and may set `provider_metadata`).
 */
export interface ProviderFile {
  name: string
  hash: string
  ext: string
  mime: string
  /** KB, two decimals, as Strapi. */
  size: number
  sizeInBytes: number
  /** Strapi's optional sub-folder of the storage; vellum leaves it unset. */
  path?: string | null
  url?: string
  provider_metadata?: Record<string, unknown> | null
  /** The bytes, for `upload`; providers given a stream read `getStream()` instead. */
  buffer?: Buffer
  stream?: Readable
  getStream: () => Readable
}

/**
 * A storage provider in Strapi's upload-provider shape. `uploadStream` is used when present, else `upload`
 * with the file's `buffer` (read into memory for it). `isPrivate` providers get signed URLs on read.
 */
export interface UploadProvider {
  upload: (file: ProviderFile) => Promise<unknown> | unknown
  uploadStream?: (file: ProviderFile) => Promise<unknown> | unknown
  delete: (file: ProviderFile) => Promise<unknown> | unknown
  checkFileSize?: (file: ProviderFile, options: { sizeLimit: number }) => void
  isPrivate?: () => boolean | Promise<boolean>
  getSignedUrl?: (file: ProviderFile) => Promise<{ url: string }> | { url: string }
  /** Releases connections at shutdown (vellum's addition). */
  close?: () => unknown
}

/** A Strapi provider package's export (`init(providerOptions)` returning a provider), also accepted. */
export interface UploadProviderModule {
  init: (providerOptions: Record<string, unknown>) => UploadProvider | Promise<UploadProvider>
}

/** The upload plugin's settings (Strapi's `config/plugins` `upload.config` plus its stored settings). */
export interface UploadSettings {
  /** Bytes; larger files are refused with 413. */
  sizeLimit: number
  /** Responsive formats by name, each fit inside breakpoint × breakpoint. */
  breakpoints: Record<string, number>
  responsiveDimensions: boolean
  sizeOptimization: boolean
  autoOrientation: boolean
  /** Images with more pixels are refused before sharp decodes them (vellum's bound on image work). */
  maxImagePixels: number
  /** How many images are processed at once; others wait their turn. */
  imageConcurrency: number
  /** MIME types (patterns with `*`) refused, or the only ones accepted; checked on the type read from the content. */
  security?: TypeSecurity | undefined
}

/** The columns of a `plugin::upload.file` row that an upload produces. */
export interface StoredFile {
  name: string
  alternativeText: string | null
  caption: string | null
  focalPoint: { x: number, y: number } | null
  width: number | null
  height: number | null
  formats: Record<string, FileFormat> | null
  hash: string
  ext: string
  mime: string
  size: number
  url: string
  previewUrl: string | null
  provider: string
  provider_metadata: Record<string, unknown> | null
}

/** `fileInfo`: what a client may set on a file. */
export interface FileInfo {
  name?: string | undefined
  alternativeText?: string | null | undefined
  caption?: string | null | undefined
  focalPoint?: { x: number, y: number } | null | undefined
}
