/**
 * The aws-s3 provider against a real S3-compatible server (s3rver from npm, started here): streaming multipart
 * uploads, image formats stored beside the original, public URLs (path style, or a base URL), a private bucket
 * read through signed URLs, and deletes.
 */
import t, { type Test } from 'tap'
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import S3rver from 's3rver'
import { InvalidOptionsError } from '../../lib/errors.js'
import { makeImage, service, spoolBuffer, tempDir } from './helpers.js'

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }

async function startS3 (t: Test): Promise<{ endpoint: string, bucket: (name: string) => Promise<string>, keys: (bucket: string) => Promise<string[]> }> {
  const server = new S3rver({ port: 0, address: '127.0.0.1', directory: await tempDir(t, 'vellum-s3rver-'), silent: true })
  const { port } = await server.run()
  const endpoint = `http://127.0.0.1:${port}`
  const client = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials })
  t.teardown(async () => {
    client.destroy()
    await server.close()
  })
  return {
    endpoint,
    async bucket (name) {
      await client.send(new CreateBucketCommand({ Bucket: name }))
      return name
    },
    async keys (bucket) {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }))
      return (listed.Contents ?? []).map(object => object.Key!).sort()
    }
  }
}

t.test('public bucket: an image and its formats stored by key, fetched back by URL, deleted', async (t) => {
  const s3 = await startS3(t)
  const Bucket = await s3.bucket('media-public')
  const upload = await service(t, {
    provider: 'aws-s3',
    providerOptions: { rootPath: 'site', s3Options: { credentials, region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, params: { Bucket, ACL: 'public-read' } } }
  })
  t.equal(upload.provider, 'aws-s3')
  const bytes = await makeImage(1200, 900, 'png')
  const file = await upload.store(await spoolBuffer(upload, bytes, 'photo.png'))
  t.equal(file.url, `${s3.endpoint}/${Bucket}/site/${file.hash}.png`)
  t.same(Object.keys(file.formats ?? {}).sort(), ['large', 'medium', 'small', 'thumbnail'])
  t.same(await s3.keys(Bucket), [file.hash, ...['large', 'medium', 'small', 'thumbnail'].map(k => `${k}_${file.hash}`)].map(h => `site/${h}.png`).sort())
  const fetched = await fetch(file.formats!.small!.url)
  t.equal(fetched.status, 200)
  t.equal(fetched.headers.get('content-type'), 'image/png')
  t.equal((await fetched.arrayBuffer()).byteLength, file.formats!.small!.sizeInBytes)
  const unsigned = await upload.sign(file)
  t.equal(unsigned.isUrlSigned, false)
  t.equal(unsigned.url, file.url)

  await upload.remove(file)
  t.same(await s3.keys(Bucket), [])
})

t.test('a 12 MB file goes up as a streamed multipart upload and comes back byte for byte; baseUrl sets the URLs', async (t) => {
  const s3 = await startS3(t)
  const Bucket = await s3.bucket('media-big')
  const upload = await service(t, {
    provider: 'aws-s3',
    providerOptions: { baseUrl: 'https://cdn.example.com/media/', s3Options: { credentials, region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, params: { Bucket } } }
  })
  const bytes = Buffer.alloc(12 * 1024 * 1024)
  for (let i = 0; i < bytes.length; i += 4096) bytes.writeUInt32LE(i, i)
  const spooled = await upload.spool(Readable.from((function * () { for (let i = 0; i < bytes.length; i += 65536) yield bytes.subarray(i, i + 65536) })()), { filename: 'archive.bin' })
  const file = await upload.store(spooled)
  t.equal(file.url, `https://cdn.example.com/media/${file.hash}.bin`)
  t.equal(file.mime, 'application/octet-stream')
  t.equal(file.size, 12582.91)
  const back = Buffer.from(await (await fetch(`${s3.endpoint}/${Bucket}/${file.hash}.bin`)).arrayBuffer())
  t.equal(createHash('sha256').update(back).digest('hex'), createHash('sha256').update(bytes).digest('hex'))
})

t.test('private bucket (ACL private): reads get signed URLs for the original and each format', async (t) => {
  const s3 = await startS3(t)
  const Bucket = await s3.bucket('media-private')
  const upload = await service(t, {
    provider: 'aws-s3',
    providerOptions: { s3Options: { credentials, region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, params: { Bucket, ACL: 'private', signedUrlExpires: 120 } } }
  })
  const file = await upload.store(await spoolBuffer(upload, await makeImage(600, 400, 'jpeg'), 'secret.jpg'))
  const signed = await upload.sign(file)
  t.equal(signed.isUrlSigned, true)
  for (const url of [signed.url, signed.formats!.thumbnail!.url, signed.formats!.small!.url]) {
    const parsed = new URL(url)
    t.equal(parsed.searchParams.get('X-Amz-Expires'), '120')
    t.ok(parsed.searchParams.get('X-Amz-Signature'))
    const answer = await fetch(url)
    t.equal(answer.status, 200, `${parsed.pathname} is readable through its signed URL`)
    await answer.arrayBuffer()
  }
  t.equal(file.url, `${s3.endpoint}/${Bucket}/${file.hash}.jpg`, 'the stored URL is the unsigned one')
  const bytes = Buffer.from(await (await fetch(signed.url)).arrayBuffer())
  t.equal(Math.round(bytes.length / 10) / 100, file.size, 'size is the stored bytes in KB')
})

t.test('aws-s3 without a bucket is refused at startup', async (t) => {
  await t.rejects(service(t, { provider: 'aws-s3', providerOptions: { s3Options: { region: 'us-east-1' } } }), InvalidOptionsError)
  await t.rejects(service(t, { provider: 'aws-s3', providerOptions: {} }), /s3Options/)
})
