/**
 * An import that cannot be done writes nothing: a schema that does not match (the differences listed), a
 * truncated or foreign file, a row the database refuses halfway through, an archive without its metadata.
 * The project's rows stay as they were and no file of the archive is left in the upload folder.
 */
import t from 'tap'
import { createReadStream } from 'node:fs'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip, gzipSync } from 'node:zlib'
import { extract, pack } from 'tar-stream'
import { importArchive, TransferError } from '../../lib/transfer/index.js'
import { allRows, referenceApp, referenceProject, strapiArchive, type ReferenceApp } from './helpers.js'

/** The fixture's entries, each passed through `edit` (undefined drops it), packed again and gzipped. */
async function edited (edit: (name: string, text: Buffer) => Buffer | undefined): Promise<Buffer> {
  const reader = extract()
  const fed = pipeline(createReadStream(strapiArchive), createGunzip(), reader)
  const writer = pack()
  const chunks: Buffer[] = []
  writer.on('data', (chunk) => chunks.push(chunk as Buffer))
  const ended = new Promise<void>(resolve => writer.on('end', () => { resolve() }))
  for await (const entry of reader) {
    const parts: Buffer[] = []
    for await (const chunk of entry) parts.push(chunk as Buffer)
    const body = edit(entry.header.name, Buffer.concat(parts))
    if (body !== undefined) writer.entry({ name: entry.header.name, size: body.length }, body)
  }
  await fed
  writer.finalize()
  await ended
  return gzipSync(Buffer.concat(chunks))
}

/** A project holding entries of its own, to see that a failed import leaves them. */
async function withContent (t: Parameters<typeof referenceApp>[0], dir?: string): Promise<ReferenceApp & { before: Record<string, unknown[]> }> {
  const reference = await referenceApp(t, dir)
  await reference.app.vellum.documents('api::tag.tag').create({ data: { name: 'kept' } })
  await reference.app.vellum.documents('api::article.article').create({ locale: 'en', data: { title: 'Kept', seo: { metaTitle: 'kept' } } })
  return { ...reference, before: await allRows(reference.app) }
}

async function uploads (dir: string): Promise<string[]> {
  return await readdir(join(dir, 'public', 'uploads')).catch(() => [])
}

t.test('schemas that do not match: the differences listed, nothing written', async (t) => {
  const dir = await referenceProject(t)
  const file = join(dir, 'src/api/article/content-types/article/schema.json')
  const schema = JSON.parse(await readFile(file, 'utf8')) as { attributes: Record<string, Record<string, unknown>> }
  schema.attributes.subtitle = { type: 'string' }
  schema.attributes.views = { type: 'string' }
  delete schema.attributes.rating
  await writeFile(file, JSON.stringify(schema))
  const { app, before } = await withContent(t, dir)
  const error = await importArchive(app.vellum, createReadStream(strapiArchive)).catch((caught: unknown) => caught)
  t.ok(error instanceof TransferError)
  t.equal((error as Error).message, [
    'the archive\'s schemas do not match the project\'s (nothing was imported):',
    '- api::article.article:',
    '  - attributes.views.type: "integer" in the archive, "string" in the project',
    '  - attributes.rating exists in the archive but not in the project',
    '  - attributes.subtitle exists in the project but not in the archive'
  ].join('\n'))
  t.same(await allRows(app), before, 'the project\'s rows are as they were')
  t.same(await uploads(dir), [], 'no file written')
})

t.test('a truncated archive, a file that is not one, and an empty one fail cleanly', async (t) => {
  const { app, dir, before } = await withContent(t)
  const whole = await readFile(strapiArchive)
  for (const [what, bytes] of [['truncated gzip', whole.subarray(0, Math.floor(whole.length * 0.6))], ['random bytes (an encrypted export)', Buffer.from('Salted__0123456789abcdef'.repeat(40))]] as const) {
    const error = await importArchive(app.vellum, Readable.from([bytes])).catch((caught: unknown) => caught)
    t.ok(error instanceof TransferError, what)
    t.match((error as Error).message, /^the archive cannot be read \(nothing was imported\): .+ Expected a Strapi 5 data-transfer archive \(\.tar or \.tar\.gz\); an encrypted one \(\.enc\) must be exported with --no-encrypt$/, what)
    t.same(await allRows(app), before, `${what}: the rows are as they were`)
    t.same(await uploads(dir), [], `${what}: no file left`)
  }
  await t.rejects(importArchive(app.vellum, Readable.from([])), { message: 'the archive is empty' })
})

t.test('a row the database refuses after others were written: everything rolled back, the staged file removed', async (t) => {
  const { app, dir, before } = await withContent(t)
  const archive = await edited((name, body) => name.startsWith('entities/')
    ? Buffer.from(body.toString('utf8').replace('"title":"Draft article"', '"title":"Draft article","views":"many"').replace(/"views":0,/, ''))
    : body)
  const error = await importArchive(app.vellum, Readable.from([archive])).catch((caught: unknown) => caught)
  t.ok(error instanceof TransferError)
  t.match((error as Error).message, /^the archive's entities cannot be written to articles: invalid input syntax for type integer: "many"/)
  t.same(await allRows(app), before)
  t.same(await uploads(dir), [], 'the file staged before the failure is gone')
})

t.test('bad lines and a missing metadata.json fail cleanly', async (t) => {
  const { app, before } = await withContent(t)
  const cases: Array<[string, (name: string, body: Buffer) => Buffer | undefined, RegExp]> = [
    ['no metadata.json', (name, body) => name === 'metadata.json' ? undefined : body, /^the archive has no metadata\.json: not a Strapi data-transfer archive$/],
    ['a line that is not JSON', (name, body) => name.startsWith('links/') ? Buffer.concat([body, Buffer.from('\n{"kind":\n')]) : body, /^links\/links_00001\.jsonl line 113 is not JSON: /],
    ['an entity without an id', (name, body) => name.startsWith('entities/') ? Buffer.from(body.toString('utf8').replace('"id":3,', '')) : body, /^entities\/entities_00001\.jsonl: an entity line is not { type, id, data } with a positive integer id$/],
    ['a zone item of another component', (name, body) => name.startsWith('entities/') ? Buffer.from(body.toString('utf8').replace('"__component":"shared.quote"', '"__component":"shared.seo"')) : body, /: an item of the zone blocks has __component "shared\.seo", not one of shared\.quote, shared\.rich-text$/],
    ['no schemas', (name, body) => name.startsWith('schemas/') ? undefined : body, /^the archive has no schemas before its entities and links/],
    ['a Strapi 4 archive', (name, body) => name === 'metadata.json' ? Buffer.from('{"strapi":{"version":"4.25.0"}}') : body, /^the archive was written by Strapi 4\.25\.0: only Strapi 5 archives can be imported$/]
  ]
  for (const [what, edit, message] of cases) {
    const error = await importArchive(app.vellum, Readable.from([await edited(edit)])).catch((caught: unknown) => caught)
    t.ok(error instanceof TransferError, what)
    t.match((error as Error).message, message, what)
    t.same(await allRows(app), before, `${what}: the rows are as they were`)
  }
})
