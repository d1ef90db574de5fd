/**
 * Write statements rendered for the driver (lib/query/prepared.ts): exactly the text and parameters of the
 * dialect's renderer, for the chunks its own path renders and for those it leaves to the dialect.
 */
import { sql, type SQL } from 'drizzle-orm'
import { integer, pgTable, text } from 'drizzle-orm/pg-core'
import t from 'tap'
import { prepared, renderSql } from '../../lib/query/prepared.js'

const table = pgTable('things', { id: integer('id'), name: text('name') })
const upper = { mapToDriverValue: (value: unknown) => String(value).toUpperCase() }
const when = new Date('2026-01-02T03:04:05.000Z')

const cases: Array<[string, SQL]> = [
  ['text only', sql`SELECT 1`],
  ['empty', sql``],
  ['identifiers with quotes', sql`SELECT ${sql.identifier('a"b')} FROM ${sql.identifier('t')}`],
  ['values of every kind', sql`SELECT ${'x'}::text, ${42}::integer, ${1.5}, ${true}, ${null}, ${when}, ${Buffer.from('ab')}, ${10n}`],
  ['nested and joined SQL', sql`WITH ${sql.join([sql`"a" AS (SELECT ${1})`, sql`"b" AS (SELECT ${'two'}, ${sql.raw('now()')})`], sql`, `)} SELECT ${sql`${3} + ${4}`}`],
  ['parameters, with an encoder', sql`SELECT ${sql.param([1, 2, 3])}::integer[], ${sql.param('abc', upper)}, ${sql.param(null, upper)}`],
  ['a list of values', sql`SELECT * FROM "t" WHERE "id" IN ${[1, 2, sql`${3}`]}`],
  ['undefined chunk', sql`SELECT ${undefined}1`],
  ['a table and a column (left to the dialect)', sql`SELECT ${table.name} FROM ${table} WHERE ${table.id} = ${5}`],
  ['a placeholder (left to the dialect)', sql`SELECT ${sql.placeholder('p')}, ${6}`],
  ['an object value (left to the dialect)', sql`SELECT ${{ a: 1 }}::jsonb, ${sql.param({ b: 2 })}::jsonb`],
  ['inlined parameters (left to the dialect)', sql`SELECT ${sql`${"it's"}`.inlineParams()}, ${7}`]
]

for (const [name, query] of cases) {
  t.test(name, async t => {
    const expected = renderSql(query)
    const statement = prepared(query)
    t.equal(statement.sql, expected.sql)
    t.same(statement.params, expected.params)
    t.strictSame(statement.params.map(p => typeof p), expected.params.map(p => typeof p))
    t.equal(statement.prepare, true)
  })
}
