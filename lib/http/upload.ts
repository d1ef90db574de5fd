import { mkdir } from 'node:fs/promises'
import type { FastifyInstance } from 'fastify'
import multipart from '@fastify/multipart'
import fastifyStatic from '@fastify/static'
import { FILE_UID } from '../content-types/index.js'
import { NotFoundError, ValidationError } from '../errors.js'
import type { RequestContext } from '../hooks/index.js'
import type { Vellum } from '../types.js'
import type { FileInfo, FileRow, SpooledFile, StoredObjects } from '../upload/index.js'
import { handleNotFound } from './errors.js'
import { readableOf } from './permissions.js'
import { sanitizeQuery, validateQuery } from './query/index.js'
import { sanitizeOutput } from './sanitize/index.js'
import type { RouteDefinition, Router } from './types.js'

/**
 * The upload plugin's content API (contract §25.3): `POST /upload` (create, `?id=` update or replace), the
 * file reads and the delete, each behind its `plugin::upload.content-api.*` action like any route. Bodies
 * are multipart (@fastify/multipart), each file spooled to a temp file and handed on by lib/upload.
 */

const ACTION = 'plugin::upload.content-api'
/** The actions a role may be given for the upload routes. */
export const UPLOAD_ACTIONS = ['upload', 'find', 'findOne', 'findPage', 'destroy'].map(name => `${ACTION}.${name}`)
const scope = (name: string): { auth: { scope: string[] } } => ({ auth: { scope: [`${ACTION}.${name}`] } })

type Row = Record<string, unknown> & { id: number, documentId: string }

/** Where an upload's multipart body is read: @fastify/multipart, bounded by the upload settings. */
export async function registerMultipart (api: FastifyInstance, vellum: Vellum): Promise<void> {
  const { sizeLimit, maxFiles } = vellum.config.upload
  // busboy stops storing a file at sizeLimit (the rest is read and dropped) and marks it truncated: the 413
  // comes once the body is read, with nothing stored.
  await api.register(multipart, { throwFileSizeLimit: false, limits: { fileSize: sizeLimit, files: maxFiles, fields: 50, fieldSize: 1_000_000, parts: maxFiles + 50 } })
}

/** `/uploads` for the local provider: the stored files with caching headers; a missing one → 404 envelope. */
export async function registerUploadsStatic (app: FastifyInstance, vellum: Vellum): Promise<void> {
  const root = vellum.upload.localRoot
  if (root === undefined) return
  // Strapi refuses to boot without it; here it is made, so a fresh project serves its first upload.
  await mkdir(root, { recursive: true })
  // A scope of its own prefix: its 404 handler cannot clash with the one a host or the standalone server set at '/'.
  await app.register(async function uploads (scope) {
    scope.setNotFoundHandler(handleNotFound)
    await scope.register(fastifyStatic, {
      root,
      prefix: '/',
      decorateReply: false,
      index: false,
      dotfiles: 'deny',
      // Uploaded content is the public's: it must never run as a page of this origin.
      setHeaders (res) {
        res.setHeader('X-Content-Type-Options', 'nosniff')
        res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox")
      }
    })
  }, { prefix: '/uploads' })
}

function invalid (message: string, details: Record<string, unknown> = {}): ValidationError {
  return new ValidationError(message, details)
}

function optionalText (info: Record<string, unknown>, key: string): string | null | undefined {
  const value = info[key]
  if (value === undefined || value === null || typeof value === 'string') return value
  throw invalid(`fileInfo.${key} must be a string`, { key })
}

/** One `fileInfo` object: known keys checked, unknown ones ignored (as Strapi). */
function fileInfoOf (value: unknown): FileInfo {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid('fileInfo must be an object')
  const info = value as Record<string, unknown>
  const name = optionalText(info, 'name')
  const focal = info.focalPoint
  if (focal !== undefined && focal !== null) {
    const { x, y } = focal as { x?: unknown, y?: unknown }
    const inRange = (n: unknown): boolean => typeof n === 'number' && n >= 0 && n <= 100
    if (typeof focal !== 'object' || !inRange(x) || !inRange(y)) throw invalid('fileInfo.focalPoint must be { x, y } between 0 and 100')
  }
  const result: FileInfo = {}
  if (typeof name === 'string' && name !== '') result.name = name
  for (const key of ['alternativeText', 'caption'] as const) {
    const text = optionalText(info, key)
    if (text !== undefined) result[key] = text
  }
  if (focal !== undefined) result.focalPoint = focal as FileInfo['focalPoint']
  return result
}

/** `fileInfo` as sent: JSON text in a multipart field, or a value in a JSON body. */
function parseFileInfo (raw: unknown): unknown {
  if (typeof raw !== 'string') return raw
  try {
    return JSON.parse(raw)
  } catch {
    throw invalid('fileInfo must be valid JSON')
  }
}

/** The `fileInfo` of each file: an object for one file, an array matched by index for several. */
function fileInfos (raw: unknown, count: number): FileInfo[] {
  const parsed = parseFileInfo(raw)
  if (Array.isArray(parsed)) return Array.from({ length: count }, (_, i) => fileInfoOf(parsed[i]))
  return Array.from({ length: count }, (_, i) => i === 0 || count === 1 ? fileInfoOf(parsed) : {})
}

interface Received {
  files: SpooledFile[]
  fields: Record<string, unknown>
}

/** Reads the whole body: files spooled to temp files, the other fields kept; a JSON body has fields only. */
async function receive (ctx: RequestContext, vellum: Vellum): Promise<Received> {
  const request = ctx.request
  const received: Received = { files: [], fields: {} }
  if (!request.isMultipart()) {
    const body = request.body
    if (body !== null && typeof body === 'object' && !Array.isArray(body)) received.fields = { ...body as Record<string, unknown> }
    return received
  }
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'files') {
          part.file.resume()
          continue
        }
        const spooled = await vellum.upload.spool(part.file, { filename: part.filename, declaredMime: part.mimetype })
        if (part.file.truncated) spooled.tooLarge = true
        received.files.push(spooled)
      } else {
        received.fields[part.fieldname] = part.value
      }
    }
  } catch (error) {
    await Promise.all(received.files.map(vellum.upload.discard))
    throw error
  }
  return received
}

/** A file row as the upload routes answer it: private fields out, URLs signed for a private provider. */
async function present (ctx: RequestContext, vellum: Vellum, row: Row): Promise<unknown> {
  const canRead = readableOf(ctx)
  const clean = sanitizeOutput(row, FILE_UID, { schema: vellum.schema, ...(canRead !== undefined && { canRead }) }) as Row & StoredObjects
  return await vellum.upload.sign(clean)
}

function numericId (value: unknown): number {
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value)) throw invalid('Invalid id: expected a numeric file id', { id: value })
  return Number(value)
}

/** The file a route's `:id` or `?id=` names; 404 with `message` when there is none. */
async function existingFile (vellum: Vellum, id: unknown, message: string): Promise<FileRow> {
  const row = await vellum.media.findById(numericId(id))
  if (row === undefined) throw new NotFoundError(message)
  return row
}

async function uploadAction (ctx: RequestContext, vellum: Vellum): Promise<unknown> {
  const { files, fields } = await receive(ctx, vellum)
  try {
    vellum.upload.checkSizes(files)
    const id = ctx.query.id
    if (id !== undefined) {
      const existing = await existingFile(vellum, id, 'Entity not found')
      if (files.length > 1) throw invalid('Only one file can be sent to replace a file')
      const [info] = fileInfos(fields.fileInfo, 1)
      const row = await vellum.media.update(existing, info ?? {}, files[0])
      ctx.status = 200
      return await present(ctx, vellum, row)
    }
    if (files.length === 0) throw invalid('Files are empty')
    // Checked before anything is stored: a wrong target stores nothing.
    const target = await vellum.media.target(fields, files.length)
    const rows = await vellum.media.create(files, fileInfos(fields.fileInfo, files.length), target)
    ctx.status = 201
    return await Promise.all(rows.map(async row => await present(ctx, vellum, row)))
  } finally {
    await Promise.all(files.map(vellum.upload.discard))
  }
}

/** The query checked and cleaned as the core `find` checks it, for the files' own model. */
function readQuery (ctx: RequestContext, vellum: Vellum, action: 'find' | 'findOne'): Record<string, unknown> {
  const { pagination: _pagination, page: _page, pageSize: _pageSize, id: _id, ...query } = ctx.query
  const canRead = readableOf(ctx)
  validateQuery(query, FILE_UID, {
    catalog: vellum.db.catalog, rest: vellum.config.rest, action, kind: 'collectionType', canRead: canRead ?? (() => true), locales: vellum.config.i18n.locales
  })
  return sanitizeQuery(query, FILE_UID, { schema: vellum.schema, ...(canRead !== undefined && { canRead }) })
}

function pageParam (value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'string' || !/^\d{1,6}$/.test(value) || Number(value) < 1) throw invalid(`Invalid ${name}: expected a positive integer`, { [name]: value })
  return Number(value)
}

/** The upload routes, as one router of the content API. */
export function uploadRouter (vellum: Vellum): Router {
  const files = (): ReturnType<Vellum['documents']> => vellum.documents(FILE_UID)
  const routes: RouteDefinition[] = [
    { method: 'POST', path: '/upload', handler: async (ctx) => await uploadAction(ctx, vellum), config: scope('upload'), multipart: true },
    {
      method: 'GET',
      path: '/upload/files',
      handler: async (ctx) => {
        // Pagination parameters are ignored (contract §25.3): every file.
        const rows = await files().findMany(readQuery(ctx, vellum, 'find')) as Row[]
        return await Promise.all(rows.map(async row => await present(ctx, vellum, row)))
      },
      config: scope('find')
    },
    {
      method: 'GET',
      path: '/upload/files/page',
      handler: async (ctx) => {
        const pagination = (ctx.query.pagination ?? {}) as Record<string, unknown>
        const page = pageParam(pagination.page ?? ctx.query.page, 'page', 1)
        const pageSize = Math.min(pageParam(pagination.pageSize ?? ctx.query.pageSize, 'pageSize', 10), vellum.config.rest.maxLimit)
        const query = readQuery(ctx, vellum, 'find')
        const [rows, total] = await Promise.all([
          files().findMany({ ...query, limit: pageSize, start: (page - 1) * pageSize }) as Promise<Row[]>,
          files().count({ ...(query.filters !== undefined && { filters: query.filters }) })
        ])
        const data = await Promise.all(rows.map(async row => await present(ctx, vellum, row)))
        return { data, meta: { pagination: { page, pageSize, pageCount: Math.ceil(total / pageSize), total } } }
      },
      config: scope('findPage')
    },
    {
      method: 'GET',
      path: '/upload/files/:id',
      handler: async (ctx) => {
        const existing = await existingFile(vellum, ctx.params.id, 'file.notFound')
        const row = await files().findOne({ ...readQuery(ctx, vellum, 'findOne'), documentId: existing.documentId }) as Row | null
        if (row === null) throw new NotFoundError('file.notFound')
        return await present(ctx, vellum, row)
      },
      config: scope('findOne')
    },
    {
      method: 'DELETE',
      path: '/upload/files/:id',
      handler: async (ctx) => {
        const existing = await existingFile(vellum, ctx.params.id, 'file.notFound')
        return await present(ctx, vellum, await vellum.media.remove(existing))
      },
      config: scope('destroy')
    }
  ]
  return { routes }
}
