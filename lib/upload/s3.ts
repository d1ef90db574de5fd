import { DeleteObjectCommand, GetObjectCommand, S3Client, type ObjectCannedACL, type S3ClientConfig } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { InvalidOptionsError } from '../errors.js'
import type { ProviderFile, UploadProvider } from './types.js'

/** Strapi's `@strapi/provider-upload-aws-s3` options: `s3Options` are the S3 client's, `params` the bucket's. */
export interface S3ProviderOptions {
  /** Public URL prefix of the objects (a CDN); else the endpoint's (or AWS's) URL of the object. */
  baseUrl?: string
  /** A key prefix inside the bucket. */
  rootPath?: string
  s3Options: S3ClientConfig & {
    params: {
      Bucket: string
      /** `private` makes the bucket private: reads get signed URLs. */
      ACL?: ObjectCannedACL
      /** Seconds a signed URL stays valid (15 minutes by default). */
      signedUrlExpires?: number
    }
  }
}

function invalid (message: string): InvalidOptionsError {
  return new InvalidOptionsError(`Invalid vellum options:\n  /upload/providerOptions${message}`)
}

function checkOptions (options: Record<string, unknown>): S3ProviderOptions {
  const s3Options = options.s3Options as Record<string, unknown> | undefined
  if (s3Options === null || typeof s3Options !== 'object') throw invalid(': expected s3Options (the S3 client options with params.Bucket)')
  const params = s3Options.params as Record<string, unknown> | undefined
  if (typeof params?.Bucket !== 'string' || params.Bucket === '') throw invalid('/s3Options/params/Bucket: expected the bucket name')
  if (options.baseUrl !== undefined && typeof options.baseUrl !== 'string') throw invalid('/baseUrl: expected a string')
  if (options.rootPath !== undefined && typeof options.rootPath !== 'string') throw invalid('/rootPath: expected a string')
  return options as unknown as S3ProviderOptions
}

/**
 * The aws-s3 provider: objects `<rootPath>/<hash><ext>` in `params.Bucket`, written by a streaming multipart
 * upload (@aws-sdk/lib-storage, so a large file never sits in memory whole). Checksums are sent only where S3
 * requires them, which S3-compatible servers (MinIO, R2, s3rver) accept; `s3Options` may say otherwise.
 */
export function createS3Provider (providerOptions: Record<string, unknown>): UploadProvider {
  const { baseUrl, rootPath, s3Options } = checkOptions(providerOptions)
  const { params, ...clientOptions } = s3Options
  const { Bucket, ACL, signedUrlExpires = 15 * 60 } = params
  const client = new S3Client({ requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED', ...clientOptions })
  const prefix = rootPath !== undefined && rootPath !== '' ? `${rootPath.replace(/^\/+|\/+$/g, '')}/` : ''

  const keyOf = (file: ProviderFile): string => `${prefix}${file.path != null && file.path !== '' ? `${file.path}/` : ''}${file.hash}${file.ext}`
  const encodedKey = (key: string): string => key.split('/').map(encodeURIComponent).join('/')

  async function objectUrl (key: string): Promise<string> {
    if (baseUrl !== undefined) return `${baseUrl.replace(/\/+$/, '')}/${encodedKey(key)}`
    const endpoint = clientOptions.endpoint
    if (endpoint !== undefined) {
      const resolved = typeof endpoint === 'string' ? endpoint : typeof endpoint === 'function' ? await endpoint() : endpoint
      const url = new URL(typeof resolved === 'string'
        ? resolved
        : 'url' in resolved ? resolved.url.toString() : `${resolved.protocol}//${resolved.hostname}${resolved.port !== undefined ? `:${resolved.port}` : ''}${resolved.path}`)
      const base = url.toString().replace(/\/+$/, '')
      if (clientOptions.forcePathStyle === true) return `${base}/${Bucket}/${encodedKey(key)}`
      url.hostname = `${Bucket}.${url.hostname}`
      return `${url.toString().replace(/\/+$/, '')}/${encodedKey(key)}`
    }
    const region = typeof clientOptions.region === 'function' ? await clientOptions.region() : clientOptions.region ?? 'us-east-1'
    return `https://${Bucket}.s3.${region}.amazonaws.com/${encodedKey(key)}`
  }

  async function put (file: ProviderFile, body: ProviderFile['buffer'] | ReturnType<ProviderFile['getStream']>): Promise<void> {
    const Key = keyOf(file)
    await new Upload({ client, params: { Bucket, Key, Body: body, ContentType: file.mime, ...(ACL !== undefined && { ACL }) } }).done()
    file.url = await objectUrl(Key)
  }

  return {
    async uploadStream (file) { await put(file, file.getStream()) },
    async upload (file) { await put(file, file.buffer ?? file.getStream()) },
    async delete (file) {
      await client.send(new DeleteObjectCommand({ Bucket, Key: keyOf(file) }))
    },
    isPrivate: () => ACL === 'private',
    async getSignedUrl (file) {
      const url = await getSignedUrl(client, new GetObjectCommand({ Bucket, Key: keyOf(file) }), { expiresIn: signedUrlExpires })
      return { url }
    },
    close () { client.destroy() }
  }
}
