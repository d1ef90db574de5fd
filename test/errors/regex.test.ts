/**
 * A schema `regex` runs on every write of its attribute. One that backtracks catastrophically is refused at
 * boot (naming the attribute) unless the project accepts it, and a pattern only ever sees a value whose length
 * passed, so maxLength bounds its cost.
 */
import t from 'tap'
import { buildApp } from '../helpers/app.js'
import { isError, sender } from '../http/rest/helpers.js'
import { InvalidContentTypeError, type ContentTypeDefinition, type VellumOptions } from '../../lib/index.js'

const CATASTROPHIC = '^(a+)+$'

function codes (attributes: ContentTypeDefinition['attributes']): VellumOptions {
  return {
    contentTypes: [{
      uid: 'api::code.code',
      kind: 'collectionType',
      collectionName: 'codes',
      info: { singularName: 'code', pluralName: 'codes', displayName: 'Code' },
      // No draft & publish: every create is checked with the publish rules, regex included.
      options: { draftAndPublish: false },
      attributes
    }],
    permissions: { public: '*' }
  }
}

t.test('a catastrophic regex is refused at boot, with the attribute named', async (t) => {
  const error = await buildApp(t, codes({ value: { type: 'string', regex: CATASTROPHIC, maxLength: 20 } })).then(() => undefined, (err: unknown) => err)
  t.ok(error instanceof InvalidContentTypeError, 'ready() rejects with InvalidContentTypeError')
  const problems = (error as InvalidContentTypeError).details.problems as Array<{ attribute?: string, message: string }>
  t.match(problems, [{ attribute: 'value', message: /regex "\^\(a\+\)\+\$" may backtrack catastrophically.*allowUnsafeRegex/ }])
})

t.test('a safe regex boots and is compiled once, on the model', async (t) => {
  const app = await buildApp(t, codes({ value: { type: 'string', regex: '^[a-z]+-\\d+$' } }))
  const attribute = app.vellum.contentTypes['api::code.code']?.attributes.value
  t.ok(attribute !== undefined && 'pattern' in attribute && attribute.pattern instanceof RegExp, 'the model holds the compiled pattern')
  const send = sender(app)
  t.equal((await send('POST', '/api/codes', { data: { value: 'abc-12' } })).status, 201)
  isError(t, await send('POST', '/api/codes', { data: { value: 'abc' } }), 400, 'ValidationError', 'value must match the following: "/^[a-z]+-\\d+$/"')
})

t.test('with allowUnsafeRegex, a value over maxLength never reaches the pattern', async (t) => {
  const app = await buildApp(t, { ...codes({ value: { type: 'string', regex: CATASTROPHIC, maxLength: 20 } }), allowUnsafeRegex: true })
  const send = sender(app)
  const started = performance.now()
  // 27 characters: ^(a+)+$ takes seconds on this one.
  const reply = await send('POST', '/api/codes', { data: { value: `${'a'.repeat(26)}!` } })
  const elapsed = performance.now() - started
  isError(t, reply, 400, 'ValidationError', 'value must be at most 20 characters')
  t.ok(elapsed < 1000, `answered in ${Math.round(elapsed)} ms`)
  isError(t, await send('POST', '/api/codes', { data: { value: 'aaab' } }), 400, 'ValidationError', `value must match the following: "/${CATASTROPHIC}/"`)
  t.equal((await send('POST', '/api/codes', { data: { value: 'aaaa' } })).status, 201)
})
