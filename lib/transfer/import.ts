import { createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import { extract as createExtract, type Extract } from 'tar-stream'
import { USERS_PERMISSIONS_UIDS, type Attribute } from '../content-types/index.js'
import type { Column, ModelTables, PhysicalModel } from '../db/index.js'
import { VellumError } from '../errors.js'
import type { Vellum } from '../types.js'
import {
  entityLine, isObject, jsonLines, linkLine, TransferError,
  type Json, type JsonObject, type LinkLine, type TransferCounts, type TransferProgress
} from './format.js'
import { checkSchemas } from './schemas.js'
import { insertLinksSql, insertRowsSql, replacedTables, resetSequenceSql, truncateSql } from './sql.js'

export interface ImportOptions {
  /** Called after each batch of rows or links written and after each file. */
  onProgress?: (progress: TransferProgress) => void
  /** What the import leaves out or cannot check (Strapi's internal types, locales the project lacks…). */
  onWarning?: (message: string) => void
}

export interface ImportReport extends TransferCounts {
  /** Rows and links of the archive left out: types the project lacks, virtual or orphaned links. */
  skipped: { entities: number, links: number, assets: number, types: string[] }
}

/** Rows (entities and their components) or links held before one batch is written. */
const BATCH_ROWS = 500

const SYSTEM_FIELDS = ['documentId', 'createdAt', 'updatedAt', 'publishedAt', 'locale'] as const

interface Batch { table: string, columns: Column[], rows: JsonObject[], exists?: Array<{ column: string, table: string }> }

/** The tar bytes of `input`: gunzipped when it starts with gzip's magic number. */
async function tarBytes (input: Readable): Promise<Readable> {
  const iterator = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>
  const first = await iterator.next()
  if (first.done === true) throw new TransferError('the archive is empty')
  const head = Buffer.isBuffer(first.value) ? first.value : Buffer.from(first.value)
  const bytes = Readable.from((async function * () {
    yield head
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) yield next.value
  })())
  if (head[0] !== 0x1f || head[1] !== 0x8b) return bytes
  const gunzip = createGunzip()
  pipeline(bytes, gunzip).catch((error: unknown) => { gunzip.destroy(error as Error) })
  return gunzip
}

type Entry = Extract extends AsyncIterable<infer T> ? T : never

/** An entry's bytes (tar-stream's streams yield Buffers). */
async function * bytesOf (entry: Entry): AsyncGenerator<Buffer> {
  for await (const chunk of entry) yield chunk as Buffer
}

/** Reads an entry to its end (the next one starts after it); answers its size. */
async function drain (entry: Entry): Promise<number> {
  let size = 0
  for await (const chunk of bytesOf(entry)) size += chunk.length
  return size
}

async function readSmall (entry: Entry, name: string, limit = 1024 * 1024): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of bytesOf(entry)) {
    size += chunk.length
    if (size > limit) throw new TransferError(`${name} is larger than ${limit} bytes`)
    chunks.push(chunk)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown
  } catch (error) {
    throw new TransferError(`${name} is not JSON: ${(error as Error).message}`)
  }
}

/** An archive's file name of the upload folder, when it can only land inside it. */
function uploadName (name: string): string | undefined {
  const file = name.slice('assets/uploads/'.length)
  return file !== '' && basename(file) === file && !file.startsWith('.') ? file : undefined
}

/** The import of one archive, inside the transaction: schema check, then rows, then links. */
function createImporter (vellum: Vellum, options: ImportOptions) {
  const physical: PhysicalModel = vellum.physical
  const schemas = new Map<string, JsonObject>()
  const counts: ImportReport = { schemas: 0, entities: 0, links: 0, assets: 0, skipped: { entities: 0, links: 0, assets: 0, types: [] } }
  const skippedTypes = new Set<string>()
  const locales = new Set<string>()
  let stage: 'schemas' | 'entities' | 'links' = 'schemas'
  let metadata: JsonObject | undefined
  let rows = new Map<string, Batch>()
  let joins = new Map<string, Batch>()
  let pendingRows = 0
  let links = new Map<string, Batch>()
  let pendingLinks = 0

  const report = (progress: TransferProgress): void => options.onProgress?.(progress)

  async function write (batch: Batch, what: string): Promise<number> {
    if (batch.rows.length === 0) return 0
    try {
      const params = [JSON.stringify(batch.rows)]
      if (batch.exists === undefined) {
        await vellum.db.execute({ sql: insertRowsSql(batch.table, batch.columns), params })
        return batch.rows.length
      }
      const [result] = await vellum.db.execute({ sql: insertLinksSql(batch.table, batch.columns, batch.exists), params })
      return Number(result?.n ?? 0)
    } catch (error) {
      if (error instanceof TransferError) throw error
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error
      throw new TransferError(`the archive's ${what} cannot be written to ${batch.table}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause: error })
    }
  }

  function add (batches: Map<string, Batch>, key: string, init: () => Omit<Batch, 'rows'>, row: JsonObject): void {
    let batch = batches.get(key)
    if (batch === undefined) batches.set(key, batch = { ...init(), rows: [] })
    batch.rows.push(row)
  }

  async function flushRows (): Promise<void> {
    // Rows first, then the component join rows that point at them.
    for (const batch of [...rows.values(), ...joins.values()]) await write(batch, 'entities')
    rows = new Map()
    joins = new Map()
    pendingRows = 0
  }

  async function flushLinks (): Promise<void> {
    for (const batch of links.values()) {
      const written = await write(batch, 'links')
      counts.links += written
      counts.skipped.links += batch.rows.length - written
    }
    links = new Map()
    pendingLinks = 0
    report({ stage: 'links', count: counts.links })
  }

  /** The schema check, then every table of the model emptied (as Strapi's import deletes first). */
  async function begin (): Promise<void> {
    if (stage !== 'schemas') return
    if (schemas.size === 0) throw new TransferError('the archive has no schemas before its entities and links: not a Strapi data-transfer archive')
    const check = checkSchemas(schemas, vellum.schema)
    if (check.differences.length > 0) {
      throw new TransferError(`the archive's schemas do not match the project's (nothing was imported):\n${check.differences.join('\n')}`, { details: { differences: check.differences } })
    }
    counts.skipped.types = check.skipped
    if (check.skipped.length > 0) options.onWarning?.(`left out (not part of the project's content model): ${check.skipped.join(', ')}`)
    await vellum.db.execute({ sql: truncateSql(physical), params: [] })
    stage = 'entities'
  }

  function componentRows (owner: ModelTables, ownerId: number, attribute: Attribute, value: Json | undefined, where: string): void {
    const join = owner.componentJoin
    if (join === undefined) return
    const one = (uid: string, item: Json, order: number | null): void => {
      if (!isObject(item) || !Number.isSafeInteger(item.id) || (item.id as number) < 1) {
        throw new TransferError(`${where}: an item of ${attribute.name} has no positive integer id`)
      }
      const entry = physical.get(uid)
      const id = item.id as number
      const row: JsonObject = { id }
      fill(entry, id, row, item, `${where} ${attribute.name}`)
      add(rows, entry.table.name, () => ({ table: entry.table.name, columns: entry.table.columns }), row)
      add(joins, join.name, () => ({ table: join.name, columns: join.columns.filter(column => column.name !== 'id') }), {
        [join.entityColumn]: ownerId, [join.componentIdColumn]: id, [join.componentTypeColumn]: uid, [join.fieldColumn]: attribute.name, [join.orderColumn]: order
      })
      pendingRows += 2
    }
    if (attribute.type === 'component') {
      if (attribute.repeatable) (Array.isArray(value) ? value : []).forEach((item, i) => { one(attribute.component, item, i + 1) })
      else if (isObject(value)) one(attribute.component, value, null)
    } else if (attribute.type === 'dynamiczone') {
      (Array.isArray(value) ? value : []).forEach((item, i) => {
        const uid = isObject(item) ? item.__component : undefined
        if (typeof uid !== 'string' || !attribute.components.includes(uid)) {
          throw new TransferError(`${where}: an item of the zone ${attribute.name} has __component ${JSON.stringify(uid ?? null)}, not one of ${attribute.components.join(', ')}`)
        }
        one(uid, item, i + 1)
      })
    }
  }

  /** A row's columns from `data` (missing fields are NULL), and its components' rows. */
  function fill (entry: ModelTables, id: number, row: JsonObject, data: JsonObject, where: string): void {
    for (const attribute of Object.values(entry.model.attributes)) {
      const column = entry.columns[attribute.name]
      if (column !== undefined && column.field === attribute.name) row[column.name] = data[attribute.name] ?? null
      else componentRows(entry, id, attribute, data[attribute.name], where)
    }
  }

  return {
    counts,
    schema (value: unknown, name: string): void {
      if (stage !== 'schemas') throw new TransferError(`${name} comes after the archive's entities: not in the order Strapi writes`)
      if (!isObject(value) || typeof value.uid !== 'string' || !isObject(value.attributes)) throw new TransferError(`${name}: a schema line has no uid or attributes`)
      schemas.set(value.uid, value)
      counts.schemas++
    },
    async entity (value: unknown, name: string): Promise<void> {
      await begin()
      if (stage !== 'entities') throw new TransferError(`${name} comes after the archive's links: not in the order Strapi writes`)
      const { type, id, data } = entityLine(value, name)
      const entry = physical.models.get(type)
      if (entry === undefined || entry.model.kind === 'component' || USERS_PERMISSIONS_UIDS.has(type)) {
        counts.skipped.entities++
        skippedTypes.add(type)
        return
      }
      const row: JsonObject = { id }
      for (const field of SYSTEM_FIELDS) {
        const column = entry.columns[field]
        if (column !== undefined) row[column.name] = data[field] ?? null
      }
      if (entry.model.localized && typeof data.locale === 'string') locales.add(data.locale)
      fill(entry, id, row, data, `${type} ${id}`)
      add(rows, entry.table.name, () => ({ table: entry.table.name, columns: entry.table.columns }), row)
      counts.entities++
      if (++pendingRows >= BATCH_ROWS) {
        await flushRows()
        report({ stage: 'entities', count: counts.entities, type })
      }
    },
    async link (value: unknown, name: string): Promise<void> {
      await begin()
      if (stage === 'entities') {
        await flushRows()
        report({ stage: 'entities', count: counts.entities })
        stage = 'links'
      }
      const link: LinkLine = linkLine(value, name)
      const { left, right } = link
      const owner = physical.models.get(left.type)
      const target = physical.models.get(right.type)
      // Only links between rows of the model, by row id: Strapi's virtual `localizations` (by documentId),
      // links to admin users (createdBy) and Strapi's internal types are left out.
      if (owner === undefined || target === undefined || typeof left.ref !== 'number' || typeof right.ref !== 'number' || left.field === undefined || USERS_PERMISSIONS_UIDS.has(left.type)) {
        counts.skipped.links++
        return
      }
      if (link.kind === 'relation.morph') {
        const morph = owner.morphLinks[left.field]
        if (morph === undefined) {
          counts.skipped.links++
          return
        }
        add(links, `${morph.name} ${right.type}`, () => ({
          table: morph.name,
          columns: morph.columns.filter(column => column.name !== 'id'),
          exists: [{ column: morph.sourceColumn, table: owner.table.name }, { column: morph.targetColumn, table: target.table.name }]
        }), {
          [morph.sourceColumn]: left.ref, [morph.targetColumn]: right.ref, [morph.typeColumn]: right.type, [morph.fieldColumn]: right.field ?? null, [morph.orderColumn]: right.pos ?? null
        })
      } else {
        const rel = owner.relations[left.field]
        if (rel === undefined || !rel.attribute.owner || rel.morph !== undefined || rel.attribute.target !== right.type) {
          counts.skipped.links++
          return
        }
        const row: JsonObject = { [rel.selfColumn]: left.ref, [rel.otherColumn]: right.ref }
        if (rel.orderColumn !== undefined) row[rel.orderColumn] = left.pos ?? null
        if (rel.otherOrderColumn !== undefined) row[rel.otherOrderColumn] = right.pos ?? null
        add(links, rel.link.name, () => ({
          table: rel.link.name,
          columns: rel.link.columns.filter(column => column.name !== 'id'),
          exists: [{ column: rel.selfColumn, table: owner.table.name }, { column: rel.otherColumn, table: target.table.name }]
        }), row)
      }
      if (++pendingLinks >= BATCH_ROWS) await flushLinks()
    },
    metadata (value: unknown): void {
      if (!isObject(value)) throw new TransferError('metadata.json is not an object')
      const strapi = isObject(value.strapi) ? value.strapi : {}
      const version = typeof strapi.version === 'string' ? strapi.version : ''
      if (/^[0-4]\./.test(version)) throw new TransferError(`the archive was written by Strapi ${version}: only Strapi 5 archives can be imported`)
      metadata = value
    },
    async finish (): Promise<void> {
      await begin()
      await flushRows()
      await flushLinks()
      for (const table of replacedTables(physical)) await vellum.db.execute({ sql: resetSequenceSql(table.name), params: [] })
      if (metadata === undefined) throw new TransferError('the archive has no metadata.json: not a Strapi data-transfer archive')
      if (skippedTypes.size > 0) counts.skipped.types = [...new Set([...counts.skipped.types, ...skippedTypes])]
      const missing = [...locales].filter(locale => !vellum.config.i18n.locales.includes(locale))
      if (missing.length > 0) {
        options.onWarning?.(`entries in locale${missing.length === 1 ? '' : 's'} ${missing.join(', ')} were imported, but the project's i18n.locales (${vellum.config.i18n.locales.join(', ')}) lack${missing.length === 1 ? 's it' : ' them'}: add ${missing.length === 1 ? 'it' : 'them'} to read those entries`)
      }
    }
  }
}

/**
 * Reads a Strapi 5 data-transfer archive (Strapi's export or vellum's; tar, gzip-compressed or not) from
 * `input` into the project's database, as `strapi import` does: the schemas must match the project's, every
 * table of the content model is emptied, then every row is written with its id and documentId kept (so links
 * point at the same ids), the links after them. One transaction: any failure leaves the database as it was.
 * The local provider's files are written to a folder beside the upload folder's files and moved in once the
 * transaction has committed (removed on failure). The archive is read once, a batch at a time.
 */
export async function importArchive (vellum: Vellum, input: Readable, options: ImportOptions = {}): Promise<ImportReport> {
  const root = vellum.upload.localRoot
  let staging: string | undefined
  const importer = createImporter(vellum, options)
  const { counts } = importer
  try {
    const bytes = await tarBytes(input)
    await vellum.db.transaction(async () => {
      // Fed only once the loop below is reading: tar-stream hands an entry to whoever listens when it is parsed.
      const extract = createExtract()
      const fed = pipeline(bytes, extract).catch((error: unknown) => { extract.destroy(error as Error) })
      for await (const entry of extract) {
        const name = entry.header.name.replace(/^\.\//, '')
        if (entry.header.type !== 'file') {
          await drain(entry)
        } else if (name === 'metadata.json') {
          importer.metadata(await readSmall(entry, name))
        } else if (/^schemas\/[^/]+\.jsonl$/.test(name)) {
          for await (const value of jsonLines(bytesOf(entry), name)) importer.schema(value, name)
        } else if (/^entities\/[^/]+\.jsonl$/.test(name)) {
          for await (const value of jsonLines(bytesOf(entry), name)) await importer.entity(value, name)
        } else if (/^links\/[^/]+\.jsonl$/.test(name)) {
          for await (const value of jsonLines(bytesOf(entry), name)) await importer.link(value, name)
        } else if (name.startsWith('assets/uploads/')) {
          const file = uploadName(name)
          if (file === undefined || root === undefined) {
            if (root === undefined && counts.skipped.assets === 0) options.onWarning?.('the archive\'s files are left out: the project\'s upload provider is not local')
            counts.skipped.assets++
            await drain(entry)
            continue
          }
          if (staging === undefined) {
            await mkdir(root, { recursive: true })
            staging = await mkdtemp(join(root, '.vellum-import-'))
          }
          await pipeline(bytesOf(entry), createWriteStream(join(staging, file)))
          counts.assets++
          options.onProgress?.({ stage: 'assets', count: counts.assets })
        } else {
          // assets/metadata (the rows carry the same), configuration (Strapi's core store), anything else.
          await drain(entry)
        }
      }
      await fed
      await importer.finish()
    }, { whole: true })
  } catch (error) {
    if (staging !== undefined) await rm(staging, { recursive: true, force: true })
    if (error instanceof VellumError) throw error
    throw new TransferError(`the archive cannot be read (nothing was imported): ${(error as Error).message}. ` +
      'Expected a Strapi 5 data-transfer archive (.tar or .tar.gz); an encrypted one (.enc) must be exported with --no-encrypt', { cause: error })
  }
  if (staging !== undefined && root !== undefined) {
    for (const file of await readdir(staging)) await rename(join(staging, file), join(root, file))
    await rm(staging, { recursive: true, force: true })
  }
  return counts
}
