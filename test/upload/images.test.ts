/**
 * The upload service on the local provider with real images made by sharp: names, hashes and URLs (contract
 * §25.4), MIME detection, the formats and their sizes (§25.5), optimization, metadata stripping,
 * auto-orientation, the pixel limit, the concurrency bound, and no orphan object when a store fails.
 */
import t from 'tap'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { ApplicationError, PayloadTooLargeError, ValidationError } from '../../lib/errors.js'
import { createLocalProvider, type UploadProvider } from '../../lib/upload/index.js'
import { makeImage, service, spoolBuffer, tempDir } from './helpers.js'

t.test('a 2000x1500 JPEG: original optimized, four formats fit inside their boxes, named and stored as Strapi', async (t) => {
  const root = await tempDir(t)
  const upload = await service(t, { providerOptions: { root } })
  const bytes = await makeImage(2000, 1500, 'jpeg', image => image.jpeg({ quality: 100 }))
  const file = await upload.store(await spoolBuffer(upload, bytes, 'Été à Paris (1).JPG', 'image/jpeg'), { alternativeText: 'alt', caption: 'cap' })
  t.match(file.hash, /^Ete_a_Paris_1_[0-9a-f]{10}$/)
  t.equal(file.name, 'Été à Paris (1).JPG')
  t.equal(file.ext, '.JPG')
  t.equal(file.mime, 'image/jpeg')
  t.equal(file.url, `/uploads/${file.hash}.JPG`)
  t.equal(file.provider, 'local')
  t.same([file.width, file.height], [2000, 1500])
  t.same([file.alternativeText, file.caption, file.focalPoint, file.previewUrl, file.provider_metadata], ['alt', 'cap', null, null, null])
  const stored = await readFile(join(root, `${file.hash}.JPG`))
  t.ok(stored.length < bytes.length, 'quality 100 re-encoded at 80 is smaller, so that is stored')
  t.equal(file.size, Math.round(stored.length / 10) / 100)
  const sizes = Object.fromEntries(Object.entries(file.formats ?? {}).map(([key, f]) => [key, [f.width, f.height]]))
  t.same(sizes, { thumbnail: [209, 156], large: [1000, 750], medium: [750, 563], small: [500, 375] })
  const thumbnail = file.formats!.thumbnail!
  t.same(Object.keys(thumbnail), ['ext', 'url', 'hash', 'mime', 'name', 'path', 'size', 'width', 'height', 'sizeInBytes'])
  t.equal(thumbnail.hash, `thumbnail_${file.hash}`)
  t.equal(thumbnail.name, 'thumbnail_Été à Paris (1).JPG')
  t.equal(thumbnail.url, `/uploads/thumbnail_${file.hash}.JPG`)
  t.equal(thumbnail.mime, 'image/jpeg')
  t.equal(thumbnail.path, null)
  const onDisk = await readFile(join(root, `thumbnail_${file.hash}.JPG`))
  t.equal(thumbnail.sizeInBytes, onDisk.length)
  t.same(await sharp(onDisk).metadata().then(m => [m.width, m.height]), [209, 156])
  t.same((await readdir(root)).sort(), [`${file.hash}.JPG`, ...['large', 'medium', 'small', 'thumbnail'].map(k => `${k}_${file.hash}.JPG`)].sort())

  await upload.remove(file)
  t.same(await readdir(root), [], 'remove deletes the original and every format')
})

t.test('a PNG: 208x156 thumbnail; a 100x80 image has no formats; breakpoints and responsiveDimensions are settings', async (t) => {
  const root = await tempDir(t)
  const upload = await service(t, { providerOptions: { root }, settings: { breakpoints: { xl: 1800, tiny: 100 } } })
  const png = await upload.store(await spoolBuffer(upload, await makeImage(2000, 1500, 'png'), 'p.png'))
  t.same(Object.fromEntries(Object.entries(png.formats ?? {}).map(([key, f]) => [key, [f.width, f.height]])),
    { thumbnail: [208, 156], xl: [1800, 1350], tiny: [100, 75] })
  const small = await upload.store(await spoolBuffer(upload, await makeImage(100, 80, 'png'), 'small.png'))
  t.same([small.width, small.height, small.formats], [100, 80, null])

  const plain = await service(t, { providerOptions: { root }, settings: { responsiveDimensions: false } })
  const only = await plain.store(await spoolBuffer(plain, await makeImage(1200, 300, 'webp'), 'w.webp'))
  t.same(Object.keys(only.formats ?? {}), ['thumbnail'])
  t.same([only.formats!.thumbnail!.width, only.formats!.thumbnail!.height], [245, 61])
})

t.test('MIME: content first, then extension, then declared; the extension follows the name, else the type', async (t) => {
  const root = await tempDir(t)
  const upload = await service(t, { providerOptions: { root } })
  const fake = await upload.store(await spoolBuffer(upload, Buffer.from('just text'), 'fake.png', 'image/png'))
  t.same([fake.mime, fake.ext, fake.width, fake.formats], ['image/png', '.png', null, null], 'nothing detected: the extension decides, no dimensions')
  const real = await upload.store(await spoolBuffer(upload, await makeImage(50, 40, 'png'), 'real.txt', 'text/plain'))
  t.same([real.mime, real.ext, real.width, real.height], ['image/png', '.txt', 50, 40], 'the content wins over name and declared type')
  const bare = await upload.store(await spoolBuffer(upload, await makeImage(50, 40, 'png'), 'noext'))
  t.same([bare.mime, bare.ext], ['image/png', '.png'])
  t.match(bare.hash, /^noext_[0-9a-f]{10}$/)
  const declared = await upload.store(await spoolBuffer(upload, Buffer.from('x'), 'data', 'application/x-custom'))
  t.same([declared.mime, declared.ext, declared.size], ['application/x-custom', '', 0])
  const twelve = await upload.store(await spoolBuffer(upload, Buffer.from('twelve bytes'), 'a&b.txt'), { name: 'Big picture' })
  t.same([twelve.name, twelve.size, twelve.mime], ['Big picture', 0.01, 'text/plain'])
  t.match(twelve.hash, /^Big_picture_[0-9a-f]{10}$/)
  const and = await upload.store(await spoolBuffer(upload, Buffer.from('x'), 'Tom & Jerry.txt'))
  t.match(and.hash, /^Tom_and_Jerry_[0-9a-f]{10}$/)
})

t.test('a file name with a path separator, reserved or control characters → 400 ApplicationError, nothing stored', async (t) => {
  const root = await tempDir(t)
  const upload = await service(t, { providerOptions: { root } })
  for (const name of ['../evil.txt', 'a\\b.txt', 'a<b>.txt', 'what?.txt', 'tab\there.txt', 'a:b.txt']) {
    const spooled = await spoolBuffer(upload, Buffer.from('x'), name)
    await t.rejects(upload.store(spooled), new ApplicationError('File name contains invalid characters'), name)
    await upload.discard(spooled)
  }
  t.same(await readdir(root).catch(() => []), [])
})

t.test('metadata is stripped from what sharp writes; autoOrientation turns EXIF-rotated images', async (t) => {
  const root = await tempDir(t)
  const withExif = await makeImage(600, 400, 'jpeg', image => image.jpeg({ quality: 100 }).withMetadata({ orientation: 6 }).withExif({ IFD0: { Copyright: 'secret owner', Artist: 'someone' } }))
  t.ok((await sharp(withExif).metadata()).exif, 'the input carries EXIF')
  const upload = await service(t, { providerOptions: { root } })
  const kept = await upload.store(await spoolBuffer(upload, withExif, 'exif.jpg'))
  t.same([kept.width, kept.height], [600, 400], 'without autoOrientation the stored pixels are as sent')
  for (const name of [`${kept.hash}.jpg`, `thumbnail_${kept.hash}.jpg`, `small_${kept.hash}.jpg`]) {
    const meta = await sharp(await readFile(join(root, name))).metadata()
    t.equal(meta.exif, undefined, `${name} has no EXIF`)
  }
  const turning = await service(t, { providerOptions: { root }, settings: { autoOrientation: true } })
  const turned = await turning.store(await spoolBuffer(turning, withExif, 'exif.jpg'))
  t.same([turned.width, turned.height], [400, 600])
  const original = await sharp(await readFile(join(root, `${turned.hash}.jpg`))).metadata()
  t.same([original.width, original.height, original.orientation ?? 1], [400, 600, 1])
  t.same([turned.formats!.small!.width, turned.formats!.small!.height], [333, 500])
})

t.test('an image over maxImagePixels → 400 ValidationError before decoding, nothing stored', async (t) => {
  const root = await tempDir(t)
  const upload = await service(t, { providerOptions: { root }, settings: { maxImagePixels: 1_000_000 } })
  const spooled = await spoolBuffer(upload, await makeImage(1500, 1000, 'png'), 'big.png')
  const error = await upload.store(spooled).catch((e: unknown) => e)
  t.type(error, ValidationError)
  t.equal((error as ValidationError).message, 'big.png exceeds the image limit of 1000000 pixels')
  t.same(await readdir(root).catch(() => []), [])
})

t.test('sizeLimit: a larger stream is read to its end but not kept; checkSizes raises 413 in Strapi words', async (t) => {
  const upload = await service(t, { providerOptions: { root: await tempDir(t) }, settings: { sizeLimit: 57_671_680 } })
  const big = await spoolBuffer(upload, Buffer.alloc(57_671_681), 'big.bin')
  t.equal(big.tooLarge, true)
  await t.rejects(readFile(big.path), { code: 'ENOENT' }, 'the spooled bytes are gone')
  const error = (() => { try { upload.checkSizes([big]) } catch (e) { return e } })()
  t.type(error, PayloadTooLargeError)
  t.equal((error as PayloadTooLargeError).message, 'big.bin exceeds size limit of 58 MB.')
  t.equal((error as PayloadTooLargeError).statusCode, 413)
})

t.test('a provider failing on one format: the objects already stored are deleted, the error surfaces', async (t) => {
  const root = await tempDir(t)
  const local = createLocalProvider({ root })
  const failing: UploadProvider = {
    ...local,
    async uploadStream (file) {
      if (file.hash.startsWith('small_')) throw new Error('storage full')
      await local.uploadStream!(file)
    }
  }
  const upload = await service(t, { provider: failing })
  t.equal(upload.provider, 'custom')
  await t.rejects(upload.store(await spoolBuffer(upload, await makeImage(1200, 900, 'jpeg'), 'x.jpg')), /storage full/)
  t.same(await readdir(root), [], 'neither the original nor the formats made before stay')
})

t.test('image work is bounded: at most imageConcurrency files in flight, and the event loop keeps turning', async (t) => {
  const root = await tempDir(t)
  const local = createLocalProvider({ root })
  let active = 0
  let peak = 0
  const counting: UploadProvider = {
    ...local,
    async uploadStream (file) {
      if (!file.hash.includes('_')) return
      active++
      peak = Math.max(peak, active)
      await new Promise(resolve => setTimeout(resolve, 20))
      await local.uploadStream!(file)
      active--
    }
  }
  // Counts files in flight by their original's upload (the first one of each store).
  const upload = await service(t, { provider: { ...counting, uploadStream: async (file) => { await counting.uploadStream!(file) } }, settings: { imageConcurrency: 1 } })
  const image = await makeImage(2400, 1800, 'jpeg')
  let ticks = 0
  const timer = setInterval(() => { ticks++ }, 5)
  const started = Date.now()
  await Promise.all([1, 2, 3].map(async i => await upload.store(await spoolBuffer(upload, image, `i${i}.jpg`))))
  clearInterval(timer)
  t.equal(peak, 1, 'one image at a time with imageConcurrency 1')
  t.ok(ticks >= (Date.now() - started) / 5 / 4, `the event loop ran timers while sharp worked (${ticks} ticks)`)
})
