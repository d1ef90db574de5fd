import type { Statement } from '../db/index.js'
import type { ContentType } from '../content-types/index.js'
import { ValidationError } from '../errors.js'
import type { ServiceContext } from './context.js'

/**
 * Per-document serialization of writes (issue 14): every write action on an existing document first waits
 * for, then holds until its transaction ends, the document's advisory lock, so concurrent actions from any
 * process apply one after the other, each reading what the previous one committed. A single type has one lock
 * for the type, since its one document may not exist yet. A brand-new document needs none: nobody else knows
 * its documentId. The two-key form keeps these keys apart from the one-key uid locks (lib/query/uid.ts), which
 * are always taken after this one, never before; an action locks one document only, so two actions never
 * wait for each other's documents in opposite orders.
 */
const LOCK_TEXT = 'SELECT pg_advisory_xact_lock(hashtext($1::text), hashtext($2::text))'

/** Waits for the document's lock in the action's transaction (see above). */
export async function lockDocument (ctx: ServiceContext, model: ContentType, documentId: string): Promise<void> {
  // PostgreSQL text cannot hold NUL, so no document has one; the lock's cast would fail as a 500.
  if (documentId.includes('\u0000')) {
    throw ValidationError.fromItems([{ path: ['documentId'], message: 'A documentId cannot contain a NUL (\\u0000) character', name: 'ValidationError', value: null }])
  }
  const statement: Statement = { sql: LOCK_TEXT, params: [model.uid, model.kind === 'singleType' ? '' : documentId], prepare: true }
  await ctx.db.execute(statement)
}
