/**
 * Temporal values read back through the Query Engine (inside each row's JSON) keep one wire format whatever
 * their precision and whatever the session TimeZone: datetimes `YYYY-MM-DDTHH:mm:ss.SSSZ`, dates
 * `YYYY-MM-DD`, times `HH:mm:ss.SSS`, at the root and in populated rows.
 */
import { sql } from 'drizzle-orm'
import t from 'tap'
import { loadSchema } from '../../lib/project/index.js'
import { buildPhysicalModel, createDatabase, syncSchema } from '../../lib/db/index.js'
import { silentLogger } from '../../lib/logger.js'
import { createQueryEngine, type Entry } from '../../lib/query/index.js'
import { createTestDatabase } from '../helpers/db.js'
import { ARTICLE, CATEGORY, components, contentTypes } from './fixtures.js'

const schema = await loadSchema({ contentTypes, components })
const physical = buildPhysicalModel(schema)
const target = await createTestDatabase(t)
// One connection, so a SET TIME ZONE holds for every statement that follows.
const database = await createDatabase(target.kind === 'postgres' ? { url: target.url, max: 1 } : { client: target.client }, silentLogger)
t.teardown(() => database.close())
await syncSchema(database, physical, { log: silentLogger })
const engine = createQueryEngine({ database, schema, physical, log: silentLogger })
await engine.ready()

// Stored text (PostgreSQL keeps microseconds) → what the API returns: milliseconds, truncated, in UTC.
const timestamps: Array<[string, string]> = [
  ['2024-05-06 07:08:09+00', '2024-05-06T07:08:09.000Z'],
  ['2024-05-06 07:08:09.1+00', '2024-05-06T07:08:09.100Z'],
  ['2024-05-06 07:08:09.12+00', '2024-05-06T07:08:09.120Z'],
  ['2024-05-06 07:08:09.123+00', '2024-05-06T07:08:09.123Z'],
  ['2024-05-06 07:08:09.123456+00', '2024-05-06T07:08:09.123Z'],
  ['2024-12-31 23:59:59.999999+00', '2024-12-31T23:59:59.999Z'],
  ['2024-01-01 00:30:00+01', '2023-12-31T23:30:00.000Z'],
  // Before standard time zones: sessions outside UTC print local mean time, offsets in seconds (+00:09:21).
  ['1850-01-01 00:00:00+00', '1850-01-01T00:00:00.000Z'],
  ['0099-03-01 12:00:00.5+00', '0099-03-01T12:00:00.500Z'],
  // No ISO form: PostgreSQL's text, as for top-level columns (lib/db/values.ts).
  ['infinity', 'infinity']
]
const times: Array<[string, string]> = [
  ['12:34:56', '12:34:56.000'],
  ['12:34:56.7', '12:34:56.700'],
  ['12:34:56.78', '12:34:56.780'],
  ['12:34:56.789', '12:34:56.789'],
  // time(3): PostgreSQL rounds the stored value.
  ['12:34:56.789623', '12:34:56.790']
]
const rows = Math.max(timestamps.length, times.length)

const category = await engine.query(CATEGORY).create({ data: { name: 'News' } })
for (let i = 0; i < rows; i++) {
  await engine.query(ARTICLE).create({ data: { title: `a${i}`, day: '2024-02-29', ...(i === 0 && { category: category.id }) } })
}
for (const [i, [stored]] of timestamps.entries()) {
  await database.execute(sql`UPDATE articles SET released_at = ${stored}::timestamptz, stamp = ${stored}::timestamptz WHERE id = ${i + 1}`)
}
for (const [i, [stored]] of times.entries()) {
  await database.execute(sql`UPDATE articles SET "at" = ${stored}::time WHERE id = ${i + 1}`)
}
await database.execute(sql`UPDATE categories SET created_at = ${timestamps[4]![0]}::timestamptz`)

async function read (): Promise<Entry[]> {
  return await engine.query(ARTICLE).findMany({
    select: ['title', 'day', 'at', 'releasedAt', 'stamp'],
    populate: { category: { select: ['name', 'createdAt'] } },
    orderBy: 'id'
  })
}

for (const zone of ['UTC', 'America/St_Johns', 'Europe/Paris', 'Asia/Kathmandu']) {
  t.test(`session TimeZone ${zone}`, async (t) => {
    await database.execute(sql.raw(`SET TIME ZONE '${zone}'`))
    const found = await read()
    t.strictSame(found.map(e => e.releasedAt), timestamps.map(([, out]) => out), 'datetime, fractions of 0 to 6 digits')
    t.strictSame(found.map(e => e.stamp), timestamps.map(([, out]) => out), 'timestamp')
    t.strictSame(found.map(e => e.at), [...times.map(([, out]) => out), ...Array<null>(rows - times.length).fill(null)], 'time')
    t.ok(found.every(e => e.day === '2024-02-29'), 'date')
    t.strictSame(found[0]?.category, { id: category.id, documentId: null, name: 'News', createdAt: '2024-05-06T07:08:09.123Z' }, 'a populated row')
  })
}
