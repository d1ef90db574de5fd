import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { Readable, type Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import { pack as createPack, type Pack } from 'tar-stream'
import { FILE_UID, USERS_PERMISSIONS_UIDS } from '../content-types/index.js'
import type { Vellum } from '../types.js'
import { CHUNK_BYTES, chunkName, isObject, STRAPI_VERSION, type JsonObject, type TransferCounts, type TransferProgress } from './format.js'
import { schemaLine, transferredModels } from './schemas.js'
import { entityPageSql } from './sql.js'
import { quoteIdent as ident } from '../db/index.js'

export interface ExportOptions {
  /** gzip the tar (default true), as `strapi export` does unless `--no-compress`. */
  compress?: boolean
  /** Called after each page of rows or links and after each file. */
  onProgress?: (progress: TransferProgress) => void
  /** A file of the media library missing from the upload folder (left out, as Strapi does). */
  onWarning?: (message: string) => void
  /** Bytes per JSON-lines chunk (CHUNK_BYTES). */
  chunkBytes?: number
}

/** Rows read per statement: memory holds one page, never a whole table. */
const PAGE = 500

/** A tar entry from bytes or a stream, written with the tar's backpressure (pack → gzip → output). */
async function addEntry (pack: Pack, name: string, size: number, body: Readable): Promise<void> {
  let written: () => void = () => {}
  let failed: (error: Error) => void = () => {}
  const done = new Promise<void>((resolve, reject) => { written = resolve; failed = reject })
  const sink = pack.entry({ name, size, mode: 0o644, mtime: new Date() }, (error) => { if (error === null || error === undefined) written(); else failed(error) })
  await pipeline(body, sink)
  await done
}

function * slices (buffer: Buffer): Generator<Buffer> {
  for (let i = 0; i < buffer.length; i += 65_536) yield buffer.subarray(i, i + 65_536)
}

async function addBuffer (pack: Pack, name: string, buffer: Buffer): Promise<void> {
  await addEntry(pack, name, buffer.length, Readable.from(slices(buffer)))
}

/** One stage's JSON lines, closed into a numbered chunk file every `chunkBytes`. */
function chunkWriter (pack: Pack, stage: string, chunkBytes: number): { write: (value: unknown) => Promise<void>, close: () => Promise<void> } {
  let lines: string[] = []
  let bytes = 0
  let index = 0
  const flush = async (): Promise<void> => {
    if (lines.length === 0) return
    const buffer = Buffer.from(lines.join(''))
    lines = []
    bytes = 0
    await addBuffer(pack, chunkName(stage, ++index), buffer)
  }
  return {
    async write (value) {
      const line = `${JSON.stringify(value)}\n`
      lines.push(line)
      bytes += Buffer.byteLength(line)
      if (bytes >= chunkBytes) await flush()
    },
    close: flush
  }
}

type Row = Record<string, unknown>

/** Every row of a statement paged by id after `$1` (at most `$2` a page), in id order. */
async function * pages (vellum: Vellum, sql: string): AsyncGenerator<Row[]> {
  let last = 0
  for (;;) {
    const rows = await vellum.db.execute({ sql, params: [last, PAGE] })
    if (rows.length === 0) return
    yield rows
    last = Number(rows.at(-1)!.id)
    if (rows.length < PAGE) return
  }
}

const position = (value: unknown): number | null => value === null || value === undefined ? null : Number(value)

async function writeLinks (vellum: Vellum, writer: ReturnType<typeof chunkWriter>, progress: (count: number, type: string) => void): Promise<number> {
  let count = 0
  for (const entry of vellum.physical.models.values()) {
    if (USERS_PERMISSIONS_UIDS.has(entry.uid)) continue
    for (const [field, rel] of Object.entries(entry.relations)) {
      // Each link row once, from its owning side, as Strapi writes it; a media side's rows are the file's morph links.
      if (!rel.attribute.owner || rel.morph !== undefined) continue
      const { link } = rel
      const order = rel.orderColumn === undefined ? 'NULL' : `l.${ident(rel.orderColumn)}`
      const inverse = rel.otherOrderColumn === undefined ? 'NULL' : `l.${ident(rel.otherOrderColumn)}`
      const sql = `SELECT l."id" AS id, l.${ident(rel.selfColumn)} AS s, l.${ident(rel.otherColumn)} AS t, ${order} AS o, ${inverse} AS io ` +
        `FROM ${ident(link.name)} l WHERE l."id" > $1 ORDER BY l."id" LIMIT $2`
      const target = rel.attribute.target
      for await (const rows of pages(vellum, sql)) {
        for (const row of rows) {
          await writer.write({
            kind: target === entry.uid ? 'relation.circular' : 'relation.basic',
            relation: rel.attribute.relation,
            left: { type: entry.uid, field, ref: Number(row.s), ...(rel.orderColumn !== undefined && { pos: position(row.o) }) },
            right: { type: target, ...(rel.attribute.inversedBy !== undefined && { field: rel.attribute.inversedBy }), ref: Number(row.t), ...(rel.otherOrderColumn !== undefined && { pos: position(row.io) }) }
          })
        }
        count += rows.length
        progress(count, entry.uid)
      }
    }
    for (const [field, link] of Object.entries(entry.morphLinks)) {
      const attribute = entry.model.attributes[field]
      const sql = `SELECT l."id" AS id, l.${ident(link.sourceColumn)} AS s, l.${ident(link.targetColumn)} AS t, l.${ident(link.typeColumn)} AS type, ` +
        `l.${ident(link.fieldColumn)} AS field, l.${ident(link.orderColumn)} AS o FROM ${ident(link.name)} l WHERE l."id" > $1 ORDER BY l."id" LIMIT $2`
      for await (const rows of pages(vellum, sql)) {
        for (const row of rows) {
          await writer.write({
            kind: 'relation.morph',
            relation: attribute?.type === 'morph' ? attribute.relation : 'morphToMany',
            left: { type: entry.uid, field, ref: Number(row.s) },
            right: { type: String(row.type), ref: Number(row.t), field: String(row.field), pos: position(row.o) }
          })
        }
        count += rows.length
        progress(count, entry.uid)
      }
    }
  }
  return count
}

/** `<hash><ext>` of a file or a format, when it names a file inside the upload folder. */
function storedName (file: JsonObject): string | undefined {
  if (typeof file.hash !== 'string') return undefined
  const name = `${file.hash}${typeof file.ext === 'string' ? file.ext : ''}`
  return basename(name) === name && !name.startsWith('.') ? name : undefined
}

async function writeAssets (vellum: Vellum, pack: Pack, options: ExportOptions, progress: (count: number) => void): Promise<number> {
  const root = vellum.upload.localRoot
  if (root === undefined || vellum.schema.get(FILE_UID) === undefined) return 0
  let count = 0
  const add = async (name: string, metadata: JsonObject): Promise<void> => {
    const path = join(root, name)
    const stats = await stat(path).catch(() => undefined)
    if (stats === undefined || !stats.isFile()) {
      options.onWarning?.(`${name} (file ${String(metadata.id)}) is not in ${root}: left out of the archive`)
      return
    }
    await addBuffer(pack, `assets/metadata/${name}.json`, Buffer.from(JSON.stringify(metadata)))
    await addEntry(pack, `assets/uploads/${name}`, stats.size, createReadStream(path))
    count++
    progress(count)
  }
  for await (const rows of pages(vellum, entityPageSql(vellum.physical, FILE_UID))) {
    for (const row of rows) {
      const file = JSON.parse(String(row.data)) as JsonObject
      if (file.provider !== 'local') continue
      const name = storedName(file)
      if (name === undefined) continue
      await add(name, { id: Number(row.id), ...file })
      for (const [type, format] of Object.entries(isObject(file.formats) ? file.formats : {})) {
        const formatName = isObject(format) ? storedName(format) : undefined
        if (formatName !== undefined && isObject(format)) await add(formatName, { ...format, type, id: Number(row.id), mainHash: file.hash ?? null })
      }
    }
  }
  return count
}

/**
 * Writes the project's content as a Strapi 5 data-transfer archive to `output`: the model's schemas, every row
 * of every content type (drafts, published rows, locales; components inline), every link (relations, media),
 * the local provider's files, then metadata.json. Read in one repeatable-read transaction, a page at a time.
 */
export async function exportArchive (vellum: Vellum, output: Writable, options: ExportOptions = {}): Promise<TransferCounts> {
  const chunkBytes = options.chunkBytes ?? CHUNK_BYTES
  const report = (progress: TransferProgress): void => options.onProgress?.(progress)
  const pack = createPack()
  const written = options.compress === false ? pipeline(pack, output) : pipeline(pack, createGzip(), output)
  const counts: TransferCounts = { schemas: 0, entities: 0, links: 0, assets: 0 }
  try {
    await vellum.db.transaction(async () => {
      await vellum.db.execute({ sql: 'SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY', params: [] })
      const schemas = chunkWriter(pack, 'schemas', chunkBytes)
      const models = transferredModels(vellum.schema)
      for (const model of models) {
        await schemas.write(schemaLine(model))
        counts.schemas++
      }
      await schemas.close()
      report({ stage: 'schemas', count: counts.schemas })

      const entities = chunkWriter(pack, 'entities', chunkBytes)
      for (const { uid } of models.filter(model => model.kind !== 'component')) {
        for await (const rows of pages(vellum, entityPageSql(vellum.physical, uid))) {
          for (const row of rows) await entities.write({ type: uid, id: Number(row.id), data: JSON.parse(String(row.data)) as JsonObject })
          counts.entities += rows.length
          report({ stage: 'entities', count: counts.entities, type: uid })
        }
      }
      await entities.close()

      counts.assets = await writeAssets(vellum, pack, options, (count) => report({ stage: 'assets', count }))

      const links = chunkWriter(pack, 'links', chunkBytes)
      counts.links = await writeLinks(vellum, links, (count, type) => report({ stage: 'links', count, type }))
      await links.close()
    })
    await addBuffer(pack, 'metadata.json', Buffer.from(JSON.stringify({ createdAt: new Date().toISOString(), strapi: { version: STRAPI_VERSION } }, null, 2)))
    pack.finalize()
  } catch (error) {
    pack.destroy(error as Error)
    await written.catch(() => {})
    throw error
  }
  await written
  return counts
}
