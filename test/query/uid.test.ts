/**
 * The free-suffix search of generated uids (lib/query/uid.ts): which values count as taken, and that the
 * prepared statement's generic plan reads the uid's pattern-ops index (physical.ts) instead of the whole table.
 */
import { sql } from 'drizzle-orm'
import t from 'tap'
import { loadSchema } from '../../lib/project/index.js'
import { createTransactions } from '../../lib/db/index.js'
import { quoteLiteral } from '../../lib/db/ddl.js'
import { silentLogger } from '../../lib/logger.js'
import { compileFreeUid, createCatalog } from '../../lib/query/index.js'
import { ARTICLE, components, contentTypes } from './fixtures.js'
import { setup } from './helpers.js'

const schema = await loadSchema({ contentTypes, components })
const s = await setup(t)
const info = createCatalog(schema, s.physical).get(ARTICLE)
const transactions = createTransactions(s.database.drizzle, silentLogger)

/** Inserts published article rows with these slugs (plain ASCII, no quotes: written as an array literal). */
async function insertSlugs (slugs: string[]): Promise<void> {
  await s.database.execute(sql`INSERT INTO "articles" ("document_id", "title", "slug", "published_at")
    SELECT 'doc-' || x."n", 'title-' || x."n", x."slug", now()
    FROM unnest(${`{${slugs.map(v => `"${v}"`).join(',')}}`}::text[]) WITH ORDINALITY AS x("slug", "n")`)
}

t.test('taken values: the base and base-…, nothing else sharing a prefix', async t => {
  await s.reset()
  await insertSlugs(['a', 'a-1', 'a-2', 'a-x', 'a-', 'a.1', 'a,1', 'ab-1', 'a/1', 'b-3', 'A-4'])
  const pick = async (base: string, skip: string[]): Promise<unknown> =>
    (await transactions.execute(compileFreeUid(info, 'slug', base, { documentId: 'other' }, skip)))[0]?.v
  // Taken: a, a-1, a-2, a-x, a- (5): the first free is a-3, then a-4 and a-5 when the ones before are held.
  t.equal(await pick('a', []), 'a-3')
  t.equal(await pick('a', ['a-3']), 'a-4')
  t.equal(await pick('a', ['a-3', 'a-4', 'a']), 'a-5', 'held values are skipped, taken ones too')
  t.equal(await pick('c', []), 'c', 'a base no row uses is free itself')
  t.equal(await pick('c', ['c']), 'c-1')
})

t.test("the generic plan of the prepared search reads the uid's prefix index", async t => {
  await s.reset()
  const slugs = Array.from({ length: 3000 }, (_, n) => n === 0 ? 'bench-post' : `bench-post-${n}`)
  await insertSlugs([...slugs, ...Array.from({ length: 3000 }, (_, n) => `other-${n}`)])
  await s.database.execute(sql`ANALYZE "articles"`)
  const statement = compileFreeUid(info, 'slug', 'bench-post', { documentId: 'other' }, ['bench-post-3000'])
  const values = statement.params.map(v => quoteLiteral(String(v))).join(', ')
  const plan = await transactions.transaction(async () => {
    await transactions.execute(sql`SET LOCAL plan_cache_mode = force_generic_plan`)
    await transactions.execute(sql.raw(`PREPARE "uid_plan_test" AS ${statement.sql}`))
    try {
      return await transactions.execute<{ 'QUERY PLAN': string }>(sql.raw(`EXPLAIN EXECUTE "uid_plan_test"(${values})`))
    } finally {
      await transactions.execute(sql`DEALLOCATE "uid_plan_test"`)
    }
  })
  const text = plan.map(row => row['QUERY PLAN']).join('\n')
  t.match(text, /(Index|Index Only|Bitmap Index) Scan .*articles_slug_prefix_idx/, 'an index scan on the prefix index')
  t.notMatch(text, /Seq Scan on articles/, 'no full read of the table')
})
