/**
 * The media library's storage (issue 16): Strapi's upload providers (`local`, `aws-s3`, custom objects or
 * modules), spooling, MIME detection, names and hashes, and image formats with sharp. Fastify-free: the HTTP
 * glue (multipart, `/uploads`, the upload routes) lives in lib/http.
 */
export { createMediaLibrary, type AttachTarget, type FileRow, type MediaLibrary, type MediaLibraryInput } from './library.js'
export { createLocalProvider, type LocalProviderOptions } from './local.js'
export type { S3ProviderOptions } from './s3.js'
export { createUploadService, type StoredObjects, type UploadProviderOption, type UploadService, type UploadServiceInput } from './service.js'
export { checkFileName, fileHash, humanSize, kilobytes } from './names.js'
export type { SpooledFile } from './spool.js'
export type { FileFormat, FileInfo, ProviderFile, StoredFile, UploadProvider, UploadProviderModule, UploadSettings } from './types.js'
