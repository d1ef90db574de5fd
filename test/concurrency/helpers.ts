/**
 * Helpers of the concurrency tests: two app instances on one PostgreSQL database (as two processes would be),
 * requests spread over both, and the invariants of issue 14 checked in SQL on the tables themselves.
 */
import type { Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import postgres from 'postgres'
import { createPostgresDatabase } from '../helpers/db.js'
import { blogApp, type Reply, sender, type Send } from '../http/rest/helpers.js'

export interface Cluster {
  apps: [FastifyInstance, FastifyInstance]
  /** Request i goes to app i % 2. */
  send: (i: number) => Send
  sql: postgres.Sql
}

export async function twoApps (t: Test): Promise<Cluster> {
  const { url } = await createPostgresDatabase(t)
  const first = await blogApp(t, { database: { url } })
  const second = await blogApp(t, { database: { url } })
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  t.teardown(() => sql.end({ timeout: 5 }))
  const senders = [sender(first), sender(second)]
  return { apps: [first, second], send: i => senders[i % 2]!, sql }
}

/** `n` requests at once, alternating between the two apps. */
export async function concurrently (cluster: Cluster, n: number, request: (send: Send, i: number) => Promise<Reply>): Promise<Reply[]> {
  return await Promise.all(Array.from({ length: n }, async (_, i) => await request(cluster.send(i), i)))
}

/** Statuses of the replies, as counts: `{ '200': 19, '404': 1 }`. */
export function statuses (replies: Reply[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const reply of replies) counts[reply.status] = (counts[reply.status] ?? 0) + 1
  return counts
}

/**
 * Issue 14's invariants on a draft & publish table whose `required` column may never be NULL: per
 * (documentId, locale) at most one draft and one published row, no published row without its draft.
 */
export async function checkInvariants (t: Test, sql: postgres.Sql, table: string, required: string): Promise<void> {
  const duplicates = await sql`SELECT document_id, locale, published_at IS NULL AS draft, count(*)::int AS n FROM ${sql(table)} GROUP BY 1, 2, 3 HAVING count(*) > 1`
  t.same([...duplicates], [], `${table}: at most one draft and one published row per document and locale`)
  const orphans = await sql`SELECT p.id, p.document_id, p.locale FROM ${sql(table)} p WHERE p.published_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${sql(table)} d WHERE d.document_id = p.document_id AND d.locale IS NOT DISTINCT FROM p.locale AND d.published_at IS NULL)`
  t.same([...orphans], [], `${table}: no published row without its draft`)
  const missing = await sql`SELECT id FROM ${sql(table)} WHERE ${sql(required)} IS NULL`
  t.same([...missing], [], `${table}: no row without its required ${required}`)
}
