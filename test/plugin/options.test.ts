import t from 'tap'
import Fastify from 'fastify'
import vellum, { InvalidContentTypeError, InvalidOptionsError } from '../../lib/index.js'
import { articleDefinition } from '../helpers/app.js'

/** ready() of an app registering vellum with these options; no database is ever opened for bad options. */
async function readyWith (options: Record<string, unknown>): Promise<void> {
  const app = Fastify({ logger: false, pluginTimeout: 120_000 })
  try {
    await app.register(vellum, options)
    await app.ready()
  } finally {
    await app.close()
  }
}

const cases: Array<{ name: string, options: Record<string, unknown>, message: RegExp }> = [
  { name: 'an unknown option', options: { databse: { url: 'x' } }, message: /\/databse: expected one of database, dir, .*\(unknown option\)/ },
  { name: 'a database option of no known form', options: { database: { host: 'x' } }, message: /\/database: expected \{ url \}, \{ pglite: "<dir>" \| "memory" \} or \{ client \}/ },
  { name: 'a database url that is not a string', options: { database: { url: 5 } }, message: /\/database\/url: expected string/ },
  { name: 'a database client that is no client', options: { database: { client: { hello: true } } }, message: /\/database\/client: expected a postgres\.js client or a PGlite instance/ },
  { name: 'a maxLimit below 1', options: { rest: { maxLimit: 0 } }, message: /\/rest\/maxLimit: expected integer >= 1/ },
  { name: 'a defaultLimit above maxLimit', options: { rest: { defaultLimit: 200, maxLimit: 100 } }, message: /\/rest\/defaultLimit: expected at most \/rest\/maxLimit \(100\), got 200/ },
  { name: 'a rest prefix without a leading slash', options: { rest: { prefix: 'api' } }, message: /\/rest\/prefix: expected a path like \/api, or empty/ },
  { name: 'an unknown rest option', options: { rest: { maxlimit: 5 } }, message: /\/rest\/maxlimit: expected one of prefix, defaultLimit, maxLimit/ },
  { name: 'an empty locale list', options: { i18n: { locales: [] } }, message: /\/i18n\/locales: expected array at least 1 items/ },
  { name: 'a malformed locale code', options: { i18n: { locales: ['en', 'not a locale'] } }, message: /\/i18n\/locales\/1: expected a BCP-47-like locale code/ },
  { name: 'a default locale outside the list', options: { i18n: { locales: ['en', 'fr'], defaultLocale: 'de' } }, message: /\/i18n\/defaultLocale: expected one of \/i18n\/locales \(en, fr\), got de/ },
  { name: 'public permissions of the wrong form', options: { permissions: { public: 'everything' } }, message: /\/permissions\/public: expected "\*" or array/ },
  { name: 'a public action that is no action', options: { permissions: { public: ['find'] } }, message: /\/permissions\/public\/0: expected an action such as 'api::article\.article\.find'/ },
  { name: 'a decorator that is no identifier', options: { decorator: 'my cms' }, message: /\/decorator: expected string matching/ },
  { name: 'a sync option of the wrong type', options: { sync: 'yes' }, message: /\/sync: expected boolean or object/ },
  { name: 'routes that are not a list', options: { routes: { path: '/x' } }, message: /\/routes: expected array, got object/ },
  { name: 'policies that are not functions', options: { policies: { 'is-owner': true } }, message: /\/policies: expected object whose values are functions, got object/ },
  { name: 'a bootstrap that is not a function', options: { bootstrap: 'start' }, message: /\/bootstrap: expected function, got string/ },
  { name: 'contentTypes that is not a list', options: { contentTypes: { a: 1 } }, message: /\/contentTypes: expected array, got object/ }
]

for (const { name, options, message } of cases) {
  t.test(`ready() rejects ${name}`, async (t) => {
    const error = await readyWith(options).then(() => undefined, (e: unknown) => e)
    t.type(error, InvalidOptionsError)
    t.match((error as Error).message, message)
  })
}

t.test('the user options object is never mutated', async (t) => {
  const options = { contentTypes: [articleDefinition], rest: { maxLimit: 50 }, database: { pglite: 'memory' } }
  const before = JSON.stringify(options)
  await readyWith(options)
  t.equal(JSON.stringify(options), before)
})

t.test('ready() rejects a bad content type with the loader\'s message', async (t) => {
  const bad = { ...articleDefinition, attributes: { title: { type: 'strng' } } }
  const error = await readyWith({ contentTypes: [bad], database: { pglite: 'memory' } }).then(() => undefined, (e: unknown) => e)
  t.type(error, InvalidContentTypeError)
  t.match((error as Error).message, /title/)
  t.match((error as Error).message, /did you mean "string"/i)
})
