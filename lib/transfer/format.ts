import { VellumError } from '../errors.js'

/**
 * Strapi 5's data-transfer archive (`strapi export` / `strapi import`), as its 5.54.0 export writes it: a tar
 * (gzip-compressed unless `--no-compress`) of JSON-lines files split in numbered chunks, one folder per stage.
 *
 * - `schemas/schemas_00001.jsonl`: one content type or component per line (`uid`, `modelType`, `attributes`…)
 * - `entities/entities_00001.jsonl`: `{ type, id, data }` per row: draft and published rows and each locale
 *   apart, components inline with their ids (a zone's items with `__component`), no relations
 * - `links/links_00001.jsonl`: `{ kind, relation, left: { type, field, ref, pos? }, right: { type, field?, ref,
 *   pos? } }` per link row, from the owning side (`relation.basic`, `relation.circular`, `relation.morph`)
 * - `assets/uploads/<hash><ext>` with `assets/metadata/<hash><ext>.json`: the local provider's files
 * - `configuration/configuration_00001.jsonl`: core-store rows and webhooks
 * - `metadata.json`: `{ createdAt, strapi: { version } }` (written last)
 */

/** The Strapi version vellum's archives say they were written for (the contract's). */
export const STRAPI_VERSION = '5.54.0'

/** A JSON-lines chunk is closed once it holds this many bytes (Strapi splits its files the same way). */
export const CHUNK_BYTES = 8 * 1024 * 1024

/** The longest line an import accepts: one entry with its components, as JSON. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024

/** An archive that cannot be read or does not fit the project: the import wrote nothing. */
export class TransferError extends VellumError {
  constructor (message: string, options: { details?: Record<string, unknown>, cause?: unknown } = {}) {
    super(message, { code: 'VELLUM_ERR_TRANSFER', statusCode: 400, ...options })
    this.name = 'TransferError'
  }
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
export type JsonObject = { [key: string]: Json }

export function isObject (value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export interface EntityLine { type: string, id: number, data: JsonObject }

export interface LinkEnd { type: string, field?: string, ref: number | string, pos?: number | null }
export interface LinkLine { kind: string, relation: string, left: LinkEnd, right: LinkEnd }

/** `entities/entities_00002.jsonl` */
export function chunkName (stage: string, index: number): string {
  return `${stage}/${stage}_${String(index).padStart(5, '0')}.jsonl`
}

/** What a stage has done so far, for progress reports (`entities`, 1200 rows, the last of api::article.article). */
export interface TransferProgress {
  stage: 'schemas' | 'entities' | 'links' | 'assets'
  count: number
  type?: string
}

/** What an export wrote or an import read, by stage; `skipped` counts what an import left out. */
export interface TransferCounts {
  schemas: number
  entities: number
  links: number
  assets: number
}

/**
 * The JSON values of one JSON-lines entry, line by line, without holding more than one line: a line over
 * MAX_LINE_BYTES or one that is not JSON is a TransferError naming the file and line.
 */
export async function * jsonLines (source: AsyncIterable<Buffer>, name: string): AsyncGenerator<unknown> {
  let pending: Buffer[] = []
  let pendingBytes = 0
  let line = 0
  const parse = (bytes: Buffer): unknown => {
    line++
    const text = bytes.toString('utf8').trim()
    if (text === '') return undefined
    try {
      return JSON.parse(text) as unknown
    } catch (error) {
      throw new TransferError(`${name} line ${line} is not JSON: ${(error as Error).message}`)
    }
  }
  for await (const chunk of source) {
    let start = 0
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, start)) {
      pending.push(chunk.subarray(start, newline))
      const value = parse(Buffer.concat(pending))
      pending = []
      pendingBytes = 0
      start = newline + 1
      if (value !== undefined) yield value
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start))
      pendingBytes += chunk.length - start
      if (pendingBytes > MAX_LINE_BYTES) throw new TransferError(`${name} line ${line + 1} is longer than ${MAX_LINE_BYTES} bytes`)
    }
  }
  if (pending.length > 0) {
    const value = parse(Buffer.concat(pending))
    if (value !== undefined) yield value
  }
}

export function entityLine (value: unknown, name: string): EntityLine {
  if (!isObject(value) || typeof value.type !== 'string' || !Number.isSafeInteger(value.id) || (value.id as number) < 1 || !isObject(value.data)) {
    throw new TransferError(`${name}: an entity line is not { type, id, data } with a positive integer id`)
  }
  return { type: value.type, id: value.id as number, data: value.data }
}

function linkEnd (value: unknown): LinkEnd | undefined {
  if (!isObject(value) || typeof value.type !== 'string') return undefined
  const { ref, field, pos } = value
  if (typeof ref !== 'number' && typeof ref !== 'string') return undefined
  if (field !== undefined && field !== null && typeof field !== 'string') return undefined
  if (pos !== undefined && pos !== null && typeof pos !== 'number') return undefined
  return { type: value.type, ref, ...(typeof field === 'string' && { field }), ...(typeof pos === 'number' && { pos }) }
}

export function linkLine (value: unknown, name: string): LinkLine {
  const left = isObject(value) ? linkEnd(value.left) : undefined
  const right = isObject(value) ? linkEnd(value.right) : undefined
  if (!isObject(value) || typeof value.kind !== 'string' || typeof value.relation !== 'string' || left === undefined || right === undefined) {
    throw new TransferError(`${name}: a link line is not { kind, relation, left: { type, ref }, right: { type, ref } }`)
  }
  return { kind: value.kind, relation: value.relation, left, right }
}
