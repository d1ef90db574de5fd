/**
 * Both drivers return the same JS values for every column type (lib/db/values.ts), through Drizzle's query
 * builder on the runtime tables and through raw `execute`, whatever the session time zone.
 */
import t from 'tap'
import { eq, getTableColumns, sql } from 'drizzle-orm'
import postgres from 'postgres'
import { buildPhysicalModel, buildTables, createDatabase, syncSchema, type Database } from '../../lib/db/index.js'
import { silentLogger } from '../../lib/logger.js'
import { createPGlite, createPostgresDatabase } from '../helpers/db.js'
import { contentType, makeSchema, scalar } from './helpers.js'

// Compares the two drivers, so PostgreSQL is needed even without DATABASE_URL: the machine's local server.

const schema = makeSchema(contentType('sample', 'samples', [
  scalar('aString', 'string'),
  scalar('aText', 'text'),
  scalar('aRichtext', 'richtext'),
  scalar('aBlocks', 'blocks'),
  scalar('anEmail', 'email'),
  scalar('aPassword', 'password'),
  scalar('aUid', 'uid'),
  scalar('anInteger', 'integer'),
  scalar('aBiginteger', 'biginteger'),
  scalar('aFloat', 'float'),
  scalar('aDecimal', 'decimal'),
  scalar('aBoolean', 'boolean'),
  scalar('aDate', 'date'),
  scalar('aTime', 'time'),
  scalar('aDatetime', 'datetime'),
  scalar('aTimestamp', 'timestamp'),
  scalar('anEnumeration', 'enumeration', { enum: ['a', 'b'] }),
  scalar('aJson', 'json')
]))
const physical = buildPhysicalModel(schema)
const samples = buildTables(physical).get('samples')!

const input = {
  documentId: 'doc1',
  aString: 'string',
  aText: 'text',
  aRichtext: '# rich',
  aBlocks: [{ type: 'paragraph', children: [{ type: 'text', text: 'hi' }] }],
  anEmail: 'a@b.c',
  aPassword: 'hash',
  aUid: 'a-uid',
  anInteger: 2147483647,
  // Beyond 2^53: a JS number would round it.
  aBiginteger: '9007199254740993',
  aFloat: 0.1,
  aDecimal: '12345678.9',
  aBoolean: true,
  aDate: '2024-02-29',
  aTime: '12:34:56.7',
  // Microseconds are stored; JS dates keep milliseconds.
  aDatetime: '2024-05-06T07:08:09.123456Z',
  aTimestamp: new Date('2024-05-06T07:08:09.123Z'),
  anEnumeration: 'b',
  aJson: { nested: [1, 'two', null, { three: true }], empty: {} }
}

const expected = {
  id: 1,
  documentId: 'doc1',
  createdAt: null,
  updatedAt: null,
  publishedAt: '1999-12-31T23:30:00.000Z',
  locale: null,
  aString: 'string',
  aText: 'text',
  aRichtext: '# rich',
  aBlocks: [{ type: 'paragraph', children: [{ type: 'text', text: 'hi' }] }],
  anEmail: 'a@b.c',
  aPassword: 'hash',
  aUid: 'a-uid',
  anInteger: 2147483647,
  aBiginteger: '9007199254740993',
  aFloat: 0.1,
  aDecimal: '12345678.90',
  aBoolean: true,
  aDate: '2024-02-29',
  aTime: '12:34:56.700',
  aDatetime: '2024-05-06T07:08:09.123Z',
  aTimestamp: '2024-05-06T07:08:09.123Z',
  anEnumeration: 'b',
  aJson: { nested: [1, 'two', null, { three: true }], empty: {} }
}

interface Readings { drizzle: unknown, raw: unknown, expressions: unknown }

async function readEverything (database: Database): Promise<Readings> {
  await syncSchema(database, physical, { log: silentLogger })
  // publishedAt written with an offset: read back in UTC whatever the session time zone.
  await database.drizzle.insert(samples).values({ ...input, publishedAt: '2000-01-01 05:00:00+05:30' })
  await database.drizzle.insert(samples).values({ documentId: 'nulls' })
  const [viaDrizzle] = await database.drizzle.select().from(samples).where(eq(getTableColumns(samples).documentId!, 'doc1'))
  const raw = await database.execute(sql`
    select id, a_biginteger, a_decimal, a_date, a_time, a_datetime, a_timestamp, a_json, a_blocks, an_integer, a_float, a_boolean
    from samples order by id`)
  const [expressions] = await database.execute(sql`
    select count(*) as "count", 1.50::numeric as "numeric", 42::bigint as "small_bigint",
           '2024-01-01 00:00:00.5+05:30'::timestamptz as "timestamptz", '2024-01-01 12:00:00'::timestamp as "timestamp",
           '{1,9007199254740993}'::bigint[] as "bigints", null::int as "nothing", 'null'::jsonb as "json_null",
           true as "yes", 2.5::float8 as "float8", 3::smallint as "int2"
    from samples`)
  return { drizzle: viaDrizzle, raw, expressions }
}

const expectedRaw = [
  {
    id: 1,
    a_biginteger: '9007199254740993',
    a_decimal: '12345678.90',
    a_date: '2024-02-29',
    a_time: '12:34:56.700',
    a_datetime: '2024-05-06T07:08:09.123Z',
    a_timestamp: '2024-05-06T07:08:09.123Z',
    a_json: input.aJson,
    a_blocks: input.aBlocks,
    an_integer: 2147483647,
    a_float: 0.1,
    a_boolean: true
  },
  {
    id: 2,
    a_biginteger: null,
    a_decimal: null,
    a_date: null,
    a_time: null,
    a_datetime: null,
    a_timestamp: null,
    a_json: null,
    a_blocks: null,
    an_integer: null,
    a_float: null,
    a_boolean: null
  }
]

const expectedExpressions = {
  count: '2',
  numeric: '1.50',
  small_bigint: '42',
  timestamptz: '2023-12-31T18:30:00.500Z',
  timestamp: '2024-01-01T12:00:00.000Z',
  bigints: ['1', '9007199254740993'],
  nothing: null,
  json_null: null,
  yes: true,
  float8: 2.5,
  int2: 3
}

t.test('PGlite and PostgreSQL return identical values for every column type', async t => {
  // Non-UTC session time zones (with half-hour offsets) on both sides: the results must not depend on them.
  const pglite = await createPGlite(t)
  await pglite.exec("set time zone 'America/St_Johns'")
  const onPglite = await readEverything(await createDatabase({ client: pglite }, silentLogger))

  const { url } = await createPostgresDatabase(t)
  const client = postgres(url, { max: 1, onnotice: () => {}, connection: { TimeZone: 'Asia/Kolkata' } })
  t.teardown(() => client.end({ timeout: 5 }))
  const onPostgres = await readEverything(await createDatabase({ client }, silentLogger))

  t.strictSame(onPglite.drizzle, expected, 'PGlite through Drizzle')
  t.strictSame(onPostgres.drizzle, expected, 'PostgreSQL through Drizzle')
  t.strictSame(onPglite.raw, expectedRaw, 'PGlite raw')
  t.strictSame(onPostgres.raw, expectedRaw, 'PostgreSQL raw')
  t.strictSame(onPglite.expressions, expectedExpressions, 'PGlite expressions')
  t.strictSame(onPostgres.expressions, expectedExpressions, 'PostgreSQL expressions')
  // t.same is loose about types; require the exact same JS types too.
  t.strictSame(onPglite, onPostgres, 'the drivers agree exactly')
})
