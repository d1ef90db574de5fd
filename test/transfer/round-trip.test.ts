/**
 * vellum's export imports back into vellum identically: every row of every table (ids, documentIds,
 * timestamps to the microsecond, components, links with their positions, media links), the same REST answers
 * and the same files, from the gzip archive and from the plain tar alike. A second export is the same archive.
 */
import t from 'tap'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import { extract } from 'tar-stream'
import { exportArchive, importArchive } from '../../lib/transfer/index.js'
import type { Teardown } from '../helpers/db.js'
import { allRows, EXPECTED_READS, referenceApp, strapiArchive, type ReferenceApp } from './helpers.js'

async function tempFile (t: Teardown, name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vellum-archive-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return join(dir, name)
}

/** The archive's entries: name → text (JSON-lines files and metadata; files' bytes as text too). */
async function entries (file: string, gzip: boolean): Promise<Map<string, string>> {
  const result = new Map<string, string>()
  const reader = extract()
  const source = createReadStream(file)
  const fed = gzip ? pipeline(source, createGunzip(), reader) : pipeline(source, reader)
  for await (const entry of reader) {
    const chunks: Buffer[] = []
    for await (const chunk of entry) chunks.push(chunk as Buffer)
    result.set(entry.header.name, Buffer.concat(chunks).toString('utf8'))
  }
  await fed
  return result
}

/** A project with content of every kind: Strapi's archive, then more written through vellum (microsecond timestamps, a media link). */
async function source (t: Teardown): Promise<ReferenceApp> {
  const reference = await referenceApp(t)
  const { app } = reference
  await importArchive(app.vellum, createReadStream(strapiArchive))
  const tags = app.vellum.documents('api::tag.tag')
  const delta = await tags.create({ data: { name: 'delta' } })
  const articles = app.vellum.documents('api::article.article')
  const made = await articles.create({
    locale: 'en',
    data: {
      title: 'Made by vellum',
      slug: 'made-by-vellum',
      views: 3,
      rating: 1.25,
      metadata: { deep: [{ a: 1 }] },
      seo: { metaTitle: 'Made' },
      blocks: [{ __component: 'shared.rich-text', body: 'one' }, { __component: 'shared.quote', text: 'two' }, { __component: 'shared.rich-text', body: 'three' }],
      tags: [delta.documentId]
    }
  })
  await articles.publish({ documentId: made.documentId, locale: 'en' })
  // A media link: the fixture's file attached to an article's row through files_related_mph.
  const file = app.vellum.physical.get('plugin::upload.file').morphLinks.related!
  await app.vellum.db.execute({ sql: `INSERT INTO "${file.name}" ("file_id", "related_id", "related_type", "field", "order") VALUES (1, 1, 'api::article.article', 'cover', 1)`, params: [] })
  return reference
}

t.test('export → import into a fresh database gives the same rows, REST answers and files', async (t) => {
  const a = await source(t)
  const archive = await tempFile(t, 'backup.tar.gz')
  const progress: string[] = []
  const counts = await exportArchive(a.app.vellum, createWriteStream(archive), { onProgress: ({ stage }) => progress.push(stage) })
  t.match(counts, { schemas: 10, entities: 21, assets: 1 })
  t.ok(counts.links >= 21, `${counts.links} links`)
  t.ok(progress.includes('entities') && progress.includes('links'), 'progress is reported')

  const written = await entries(archive, true)
  t.same([...written.keys()], [
    'schemas/schemas_00001.jsonl', 'entities/entities_00001.jsonl', 'assets/metadata/hello_8af39c7bd0.txt.json',
    'assets/uploads/hello_8af39c7bd0.txt', 'links/links_00001.jsonl', 'metadata.json'
  ], 'Strapi\'s layout and order')
  t.match(JSON.parse(written.get('metadata.json')!), { strapi: { version: '5.54.0' } })
  const firstArticle = written.get('entities/entities_00001.jsonl')!.split('\n').map(line => line === '' ? undefined : JSON.parse(line) as { type: string, id: number, data: Record<string, unknown> })
    .find(line => line?.type === 'api::article.article' && line.id === 2)
  t.match(firstArticle?.data, {
    documentId: 'fx0r96mwn8ncxoc5wptzkzdn',
    createdAt: '2026-12-07T14:42:46.458Z',
    seo: { id: 2, metaTitle: 'First | Blog' },
    blocks: [{ id: 2, __component: 'shared.quote', text: 'To be.' }, { id: 2, __component: 'shared.rich-text' }]
  }, 'an entity as Strapi writes it: components inline with their ids')
  t.match(written.get('links/links_00001.jsonl'), /{"kind":"relation\.basic","relation":"manyToMany","left":{"type":"api::article\.article","field":"tags","ref":1,"pos":\d+},"right":{"type":"api::tag\.tag","field":"articles","ref":1,"pos":\d+}}/)
  t.match(written.get('links/links_00001.jsonl'), '{"kind":"relation.morph","relation":"morphToMany","left":{"type":"plugin::upload.file","field":"related","ref":1},"right":{"type":"api::article.article","ref":1,"field":"cover","pos":1}}')

  const b = await referenceApp(t)
  const report = await importArchive(b.app.vellum, createReadStream(archive))
  t.match(report, { entities: 21, links: counts.links, assets: 1, skipped: { entities: 0, links: 0 } })
  t.same(await allRows(b.app), await allRows(a.app), 'every row of every table')
  for (const [name, url] of Object.entries(EXPECTED_READS)) t.same(await b.get(url), await a.get(url), `${name}: ${url}`)
  t.same(await readdir(join(b.dir, 'public', 'uploads')), ['hello_8af39c7bd0.txt'])

  const again = await tempFile(t, 'again.tar.gz')
  await exportArchive(b.app.vellum, createWriteStream(again))
  const rewritten = await entries(again, true)
  for (const name of written.keys()) if (name !== 'metadata.json') t.equal(rewritten.get(name), written.get(name), `${name}: the same on a second export`)
})

t.test('the plain tar (--no-compress) and small chunks import the same', async (t) => {
  const a = await source(t)
  const archive = await tempFile(t, 'backup.tar')
  await exportArchive(a.app.vellum, createWriteStream(archive), { compress: false, chunkBytes: 2048 })
  const names = [...(await entries(archive, false)).keys()]
  t.ok(names.includes('entities/entities_00002.jsonl'), 'entities split in chunks')
  t.equal((await readFile(archive)).subarray(257, 262).toString(), 'ustar', 'a tar, not gzipped')
  const b = await referenceApp(t)
  await importArchive(b.app.vellum, createReadStream(archive))
  t.same(await allRows(b.app), await allRows(a.app))
})

t.test('an import replaces what the project held', async (t) => {
  const a = await source(t)
  const archive = await tempFile(t, 'backup.tar.gz')
  await exportArchive(a.app.vellum, createWriteStream(archive))
  const b = await referenceApp(t)
  await b.app.vellum.documents('api::tag.tag').create({ data: { name: 'only in b' } })
  await b.app.vellum.documents('api::category.category').create({ data: { name: 'B' } })
  const user = await b.app.vellum.auth.users.create({ username: 'kept', email: 'kept@example.com', password: 'kept-password-1' })
  await importArchive(b.app.vellum, createReadStream(archive))
  t.same(await allRows(b.app), await allRows(a.app), 'nothing of the project\'s own content is left')
  t.match(await b.app.vellum.auth.users.get(user.id), { username: 'kept' }, 'its users, roles and grants are not content: kept')
})
