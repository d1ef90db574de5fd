/**
 * What the core services need of the Document Service (Strapi v5's `documents(uid)` API). Kept structural so
 * the HTTP layer depends on the contract, not on the implementation.
 */
import type { FindManyParams, TextAction, TextPlan, TextReadOptions, TextRows } from '../../document/index.js'

export type { TextPlan, TextReadOptions, TextRows }
export type Entry = Record<string, unknown>
export type DocumentParams = Record<string, unknown>

export interface DocumentRepository {
  findMany: (params?: DocumentParams) => Promise<Entry[]>
  findFirst: (params?: DocumentParams) => Promise<Entry | null>
  findOne: (params: DocumentParams & { documentId: string }) => Promise<Entry | null>
  count: (params?: DocumentParams) => Promise<number>
  /** findMany and count of the same params, in one statement when the middlewares leave them alike. */
  findWithCount: (params?: DocumentParams) => Promise<[Entry[], number]>
  create: (params: DocumentParams & { data: Record<string, unknown> }) => Promise<Entry>
  update: (params: DocumentParams & { documentId: string, data: Record<string, unknown> }) => Promise<Entry | null>
  delete: (params: DocumentParams & { documentId: string }) => Promise<{ documentId: string, entries: Entry[] }>
  /** A read planned once for the pass-through, then answered as response JSON text (undefined when entries are needed). */
  planText: (action: TextAction, params: FindManyParams) => TextPlan
  findText: (plan: TextPlan, options: TextReadOptions) => Promise<TextRows | undefined>
}

export type DocumentsAccessor = (uid: string) => DocumentRepository
