import { sql } from 'drizzle-orm'
import { FILE_UID, FOLDER_UID, type Schema } from '../content-types/index.js'
import type { PhysicalModel } from '../db/physical.js'
import type { Documents } from '../document/index.js'
import { NotFoundError, ValidationError } from '../errors.js'
import type { Events, MediaEventName } from '../events/index.js'
// The events carry a file as the routes answer it; the sanitizer is the HTTP layer's, with no caller to check.
import { sanitizeOutput } from '../http/sanitize/index.js'
import type { Logger } from '../logger.js'
import type { QueryEngine } from '../query/index.js'
import type { StoredObjects, UploadService } from './service.js'
import type { SpooledFile } from './spool.js'
import type { FileInfo, StoredFile } from './types.js'

/** Strapi's folder for content-API uploads. */
const API_FOLDER = 'API Uploads'

/** A row of `plugin::upload.file` as the Document Service returns it. */
export type FileRow = Record<string, unknown> & StoredObjects & { id: number, documentId: string }

/** Where `ref`/`refId`/`field` attach uploaded files: rows of one model and its media attribute. */
export interface AttachTarget {
  uid: string
  field: string
  multiple: boolean
  rowIds: number[]
}

export interface MediaLibraryInput {
  db: QueryEngine
  documents: Documents
  upload: UploadService
  schema: Schema
  physical: PhysicalModel
  events: Events
  log: Logger
}

/**
 * The media library's rows (`plugin::upload.file` in the `files` table) over its storage: what the upload routes,
 * the CLI and project code do with files. Each change is one transaction that also emits its `media.*` event;
 * stored objects are written before it (a failed write removes them) and deleted after it (a failed delete is
 * logged, never a row pointing at nothing).
 */
export interface MediaLibrary {
  /** The file row with that numeric id. */
  findById: (id: number) => Promise<FileRow | undefined>
  /** Resolves `ref`/`refId`/`field` (all three or none; 400/404 in the envelope) for `count` new files. */
  target: (fields: { ref?: unknown, refId?: unknown, field?: unknown }, count: number) => Promise<AttachTarget | undefined>
  /** Stores each file and writes its row (in the API Uploads folder), attached to `target` when given. */
  create: (files: readonly SpooledFile[], infos: readonly FileInfo[], target?: AttachTarget) => Promise<FileRow[]>
  /** Changes a file's info; with `file`, replaces its content under the same hash and URL. */
  update: (existing: FileRow, info: FileInfo, file?: SpooledFile) => Promise<FileRow>
  /** Deletes a file's row (its links go by cascade), then its stored objects; answers the deleted row. */
  remove: (existing: FileRow) => Promise<FileRow>
  /** Files no entry links to (no `files_related_mph` row): what `vellum media prune` removes. */
  unlinked: () => Promise<FileRow[]>
}

export function createMediaLibrary ({ db, documents, upload, schema, physical, events, log }: MediaLibraryInput): MediaLibrary {
  const files = (): ReturnType<Documents> => documents(FILE_UID)
  const emit = async (event: MediaEventName, row: FileRow): Promise<void> => {
    await events.emit({ event, media: sanitizeOutput(row, FILE_UID, { schema }) })
  }

  async function findById (id: number): Promise<FileRow | undefined> {
    const row = await db.query(FILE_UID).findOne({ where: { id } }) as FileRow | null | undefined
    return row ?? undefined
  }

  /** The API Uploads folder (`/1` on a fresh database), made by the first upload. */
  async function apiFolder (): Promise<{ id: number, path: string }> {
    const folders = db.query(FOLDER_UID)
    const find = async (): Promise<{ id: number, path: string } | undefined> =>
      await folders.findOne({ where: { name: API_FOLDER, parent: { id: { $null: true } } }, orderBy: { id: 'asc' } }) as { id: number, path: string } | undefined
    const existing = await find()
    if (existing !== undefined && existing !== null) return existing
    const [last] = await folders.findMany({ orderBy: { pathId: 'desc' }, limit: 1 }) as unknown as Array<{ pathId: number }>
    const pathId = (last?.pathId ?? 0) + 1
    try {
      const made = await documents(FOLDER_UID).create({ data: { name: API_FOLDER, pathId, path: `/${pathId}` } }) as unknown as { id: number, path: string }
      return { id: made.id, path: made.path }
    } catch (error) {
      // Another upload made it meanwhile (unique path).
      const again = await find()
      if (again !== undefined && again !== null) return again
      throw error
    }
  }

  /**
   * `ref` (a content type or component uid), `refId` and `field` (one of its media attributes). `refId` is the
   * row id as in Strapi, or a documentId (beyond Strapi, which answers 500); an entry's draft and published rows
   * (in the row's locale) are linked together, so the upload shows in both.
   */
  async function target ({ ref, refId, field }: { ref?: unknown, refId?: unknown, field?: unknown }, count: number): Promise<AttachTarget | undefined> {
    if (ref === undefined && refId === undefined && field === undefined) return undefined
    if (typeof ref !== 'string' || typeof refId !== 'string' || typeof field !== 'string') throw new ValidationError('ref, refId and field must be given together')
    const model = schema.get(ref)
    if (model === undefined || ref.startsWith('plugin::upload.')) throw new ValidationError(`Unknown ref ${ref}`, { ref })
    const attribute = model.attributes[field]
    const media = attribute?.type === 'relation' ? attribute.media : undefined
    if (media === undefined) throw new ValidationError(`${field} is not a media attribute of ${ref}`, { ref, field })
    if (!media.multiple && count > 1) throw new ValidationError(`${field} holds one file: upload one file to attach it`, { ref, field })
    const query = db.query(ref)
    const numeric = /^\d{1,9}$/.test(refId)
    const found = await query.findOne({ where: numeric ? { id: Number(refId) } : { documentId: refId } }) as Record<string, unknown> | null
    if (found === null || found === undefined) throw new NotFoundError(`No ${ref} with id ${refId}`, { ref, refId })
    let rowIds = [found.id as number]
    if (typeof found.documentId === 'string' && 'publishedAt' in found) {
      const siblings = await query.findMany({ where: { documentId: found.documentId, ...('locale' in found && { locale: found.locale }) } }) as Array<{ id: number }>
      rowIds = siblings.map(row => row.id)
    }
    return { uid: ref, field, multiple: media.multiple, rowIds }
  }

  async function create (spooled: readonly SpooledFile[], infos: readonly FileInfo[], into?: AttachTarget): Promise<FileRow[]> {
    const folder = await apiFolder()
    const stored: StoredFile[] = []
    try {
      for (const [i, file] of spooled.entries()) stored.push(await upload.store(file, infos[i]))
      return await db.transaction(async () => {
        const rows: FileRow[] = []
        for (const file of stored) rows.push(await files().create({ data: { ...file, folder: folder.id, folderPath: folder.path } }) as FileRow)
        if (into !== undefined) {
          // Appended to a multiple field, replacing a single one's file.
          const ids = rows.map(row => row.id)
          for (const id of into.rowIds) {
            await db.query(into.uid).update({ where: { id }, data: { [into.field]: into.multiple ? { connect: ids } : { set: ids } } })
          }
        }
        for (const row of rows) await emit('media.create', row)
        return rows
      })
    } catch (error) {
      // Nothing of a failed upload stays: its rows rolled back, its objects go.
      for (const file of stored) await upload.remove(file).catch((err: unknown) => { log.error({ err, hash: file.hash }, 'upload: could not delete a stored object') })
      throw error
    }
  }

  async function update (existing: FileRow, info: FileInfo, file?: SpooledFile): Promise<FileRow> {
    let data: Record<string, unknown> = { ...info }
    if (file !== undefined) {
      // Replace: same hash and extension (so the same URL), everything else from the new content.
      await upload.remove(existing)
      data = {
        ...await upload.store(file, {
          alternativeText: existing.alternativeText as string | null,
          caption: existing.caption as string | null,
          focalPoint: existing.focalPoint as FileInfo['focalPoint'],
          ...info
        }, { hash: existing.hash, ext: existing.ext })
      }
    }
    return await db.transaction(async () => {
      const row = await files().update({ documentId: existing.documentId, data }) as FileRow
      await emit('media.update', row)
      return row
    })
  }

  async function remove (existing: FileRow): Promise<FileRow> {
    const row = await db.transaction(async () => {
      const found = await files().findOne({ documentId: existing.documentId }) as FileRow | null
      if (found === null) throw new NotFoundError('file.notFound')
      await files().delete({ documentId: existing.documentId })
      await emit('media.delete', found)
      return found
    })
    try {
      await upload.remove(existing)
    } catch (error) {
      log.error({ err: error, hash: existing.hash }, 'upload: the file row is deleted but its stored objects could not be')
    }
    return row
  }

  async function unlinked (): Promise<FileRow[]> {
    // Polymorphic relations are not filterable: the link table is asked directly.
    const model = physical.get(FILE_UID)
    const link = model.morphLinks.related
    if (link === undefined) throw new Error(`${FILE_UID} has no related link table`)
    const ids = await db.execute(sql`select f.id from ${sql.identifier(model.table.name)} f where not exists (select 1 from ${sql.identifier(link.name)} l where l.${sql.identifier(link.sourceColumn)} = f.id)`)
    if (ids.length === 0) return []
    return await db.query(FILE_UID).findMany({ where: { id: { $in: ids.map(row => Number(row.id)) } }, orderBy: { id: 'asc' } }) as FileRow[]
  }

  return { findById, target, create, update, remove, unlinked }
}
