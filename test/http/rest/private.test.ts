/**
 * Private and password attributes (contract §8, §12, §24.4): unreachable through filters (every operator,
 * $or/$and/$not, through relations and components, inside populate), sort, fields, populate and `_q`, and never
 * in a response — top level, populated relations, components, localizations, write answers.
 */
import t, { type Test } from 'tap'
import { allKeys, blogApp, isInvalidKey, sender } from './helpers.js'
import { seedBlog } from './seed.js'

/** A vault beside the blog: private and password attributes in the type and in its (repeatable) component. */
const box = {
  uid: 'secure.box',
  collectionName: 'components_secure_boxes',
  info: { displayName: 'Box' },
  attributes: {
    label: { type: 'string' },
    pin: { type: 'string', private: true },
    passcode: { type: 'password' }
  }
}
const vault = {
  uid: 'api::vault.vault',
  kind: 'collectionType' as const,
  collectionName: 'vaults',
  info: { singularName: 'vault', pluralName: 'vaults', displayName: 'Vault' },
  options: { draftAndPublish: false },
  attributes: {
    name: { type: 'string' },
    secret: { type: 'string', private: true },
    passphrase: { type: 'password' },
    box: { type: 'component', component: 'secure.box', repeatable: false },
    boxes: { type: 'component', component: 'secure.box', repeatable: true },
    owner: { type: 'relation', relation: 'manyToOne', target: 'api::author.author' }
  }
}

const app = await blogApp(t, { contentTypes: [vault], components: [box] })
const send = sender(app)
const blog = await seedBlog(app)

/** Private or password attribute names of the model, and the values seeded in them (all contain "secret"). */
const PRIVATE = ['internalNotes', 'internalNote', 'password', 'secret', 'passphrase', 'pin', 'passcode']

function noSecrets (t: Test, body: unknown, label: string): void {
  const keys = allKeys(body)
  t.same(PRIVATE.filter(key => keys.has(key)), [], `${label}: no private key`)
  t.notMatch(JSON.stringify(body), /secret/, `${label}: no private value`)
}

const created = await send('POST', '/api/vaults?populate=*', {
  data: {
    name: 'Main vault',
    secret: 'vault-secret',
    passphrase: 'vault-secret-phrase',
    box: { label: 'Box', pin: 'pin-secret', passcode: 'passcode-secret' },
    boxes: [{ label: 'One', pin: 'pin-secret-1' }, { label: 'Two', passcode: 'passcode-secret-2' }],
    owner: blog.ann
  }
})
const vaultId = created.body.data.documentId as string

t.test('private and password attributes are writable, stored, and absent from the write answer', async (t) => {
  t.equal(created.status, 201)
  noSecrets(t, created.body, 'POST ?populate=*')
  t.match(created.body.data, { name: 'Main vault', box: { label: 'Box' }, boxes: [{ label: 'One' }, { label: 'Two' }], owner: { name: 'Ann' } })
  const stored = await app.vellum.documents('api::vault.vault').findOne({ documentId: vaultId, populate: ['box'] })
  t.match(stored, { secret: 'vault-secret', box: { pin: 'pin-secret' } }, 'the Document Service has them')
  const updated = await send('PUT', `/api/vaults/${vaultId}?populate=*`, { data: { secret: 'vault-secret-2', box: { label: 'Box 2', pin: 'pin-secret-2' } } })
  t.equal(updated.status, 200)
  noSecrets(t, updated.body, 'PUT ?populate=*')
  const author = await send('POST', '/api/authors', { data: { name: 'Cid', password: 'cid-secret-password', internalNote: 'cid-secret' } })
  t.equal(author.status, 201)
  noSecrets(t, author.body, 'POST /api/authors')
})

t.test('never in a read: top level, populated relations (any depth, both sides), components, zones, localizations, single types', async (t) => {
  const urls = [
    '/api/articles', '/api/articles?populate=*', '/api/articles?status=draft&populate=*', '/api/articles?locale=*&populate=*',
    `/api/articles/${blog.alpha}?populate[author][populate]=*&populate[reviewer][populate]=*&populate[localizations][populate]=*`,
    `/api/articles/${blog.beta}?populate[reviewer][populate][articles][populate]=*`,
    '/api/authors', '/api/authors?populate=*', `/api/authors/${blog.bob}?populate[mentor][populate]=*&populate[following][populate]=*`,
    '/api/categories?populate[articles][populate]=*', '/api/tags?populate[articles][populate][author]=true',
    '/api/homepage?populate[hero][populate][article][populate]=*&populate[highlight][populate]=*&populate[featuredArticles][populate]=*',
    '/api/vaults', '/api/vaults?populate=*', `/api/vaults/${vaultId}?populate[owner][populate]=*&populate[box]=true&populate[boxes]=true`,
    '/api/vaults?populate[owner][populate][articles][populate][author]=true&populate[owner][populate][socialLinks]=true'
  ]
  for (const url of urls) {
    const res = await send('GET', url)
    t.equal(res.status, 200, url)
    noSecrets(t, res.body, url)
  }
})

t.test('filters on a private or password attribute: 400 "Invalid key" for every operator, whatever the value', async (t) => {
  const operators = ['', '[$eq]', '[$eqi]', '[$ne]', '[$nei]', '[$lt]', '[$lte]', '[$gt]', '[$gte]', '[$in][0]', '[$notIn][0]',
    '[$contains]', '[$notContains]', '[$containsi]', '[$notContainsi]', '[$startsWith]', '[$startsWithi]', '[$endsWith]',
    '[$endsWithi]', '[$null]', '[$notNull]', '[$between][0]', '[$not][$eq]']
  for (const operator of operators) {
    for (const value of ['alpha-secret', 'a', 'true']) {
      isInvalidKey(t, await send('GET', `/api/articles?filters[internalNotes]${operator}=${value}`), 'internalNotes', 'filters')
    }
    isInvalidKey(t, await send('GET', `/api/authors?filters[password]${operator}=x`), 'password', 'filters')
    isInvalidKey(t, await send('GET', `/api/vaults?filters[passphrase]${operator}=x`), 'passphrase', 'filters')
  }
})

t.test('filters: private attributes inside $or, $and, $not, at any depth', async (t) => {
  for (const query of [
    'filters[$or][0][title]=Alpha news&filters[$or][1][internalNotes]=alpha-secret',
    'filters[$and][0][views][$gt]=0&filters[$and][1][internalNotes][$startsWith]=a',
    'filters[$not][internalNotes][$null]=true',
    'filters[$or][0][$and][0][$not][internalNotes][$contains]=secret',
    'filters[views][$gt]=0&filters[internalNotes][$notNull]=true'
  ]) {
    isInvalidKey(t, await send('GET', `/api/articles?${query}`), 'internalNotes', 'filters')
  }
})

t.test('filters: private attributes through relations and components', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['/api/articles?filters[author][password][$startsWith]=a', 'password', 'author.password'],
    ['/api/articles?filters[author][internalNote][$eq]=ann-secret-note', 'internalNote', 'author.internalNote'],
    ['/api/articles?filters[reviewer][password][$null]=false', 'password', 'reviewer.password'],
    ['/api/articles?filters[$or][0][author][internalNote][$contains]=secret', 'internalNote', 'author.internalNote'],
    ['/api/articles?filters[category][articles][internalNotes][$contains]=a', 'internalNotes', 'category.articles.internalNotes'],
    ['/api/categories?filters[articles][internalNotes][$contains]=secret', 'internalNotes', 'articles.internalNotes'],
    ['/api/authors?filters[following][password][$notNull]=true', 'password', 'following.password'],
    ['/api/authors?filters[articles][author][internalNote]=x', 'internalNote', 'articles.author.internalNote'],
    ['/api/vaults?filters[box][pin][$eq]=pin-secret', 'pin', 'box.pin'],
    ['/api/vaults?filters[boxes][passcode][$startsWith]=p', 'passcode', 'boxes.passcode'],
    ['/api/vaults?filters[owner][password][$contains]=secret', 'password', 'owner.password']
  ]
  for (const [url, key, path] of cases) {
    isInvalidKey(t, await send('GET', url), key, 'filters', path, `Invalid key ${key} at ${path}`)
  }
})

t.test('sort on a private attribute, directly or through a relation or component: 400', async (t) => {
  isInvalidKey(t, await send('GET', '/api/articles?sort=internalNotes'), 'internalNotes', 'sort')
  isInvalidKey(t, await send('GET', '/api/articles?sort=title,internalNotes:desc'), 'internalNotes', 'sort')
  isInvalidKey(t, await send('GET', '/api/authors?sort[0][password]=asc'), 'password', 'sort')
  isInvalidKey(t, await send('GET', '/api/articles?sort=author.password'), 'password', 'sort', 'author.password', 'Invalid key password at author.password')
  isInvalidKey(t, await send('GET', '/api/articles?sort[author][internalNote]=desc'), 'internalNote', 'sort', 'author.internalNote', 'Invalid key internalNote at author.internalNote')
  isInvalidKey(t, await send('GET', '/api/vaults?sort=box.pin'), 'pin', 'sort', 'box.pin', 'Invalid key pin at box.pin')
})

t.test('fields naming a private attribute: 400, at the root and inside populate', async (t) => {
  isInvalidKey(t, await send('GET', '/api/articles?fields=title,internalNotes'), 'internalNotes', 'fields')
  isInvalidKey(t, await send('GET', `/api/authors/${blog.ann}?fields[0]=password`), 'password', 'fields')
  isInvalidKey(t, await send('GET', '/api/vaults?fields=secret'), 'secret', 'fields')
  isInvalidKey(t, await send('POST', '/api/vaults?fields=passphrase', { data: { name: 'x' } }), 'passphrase', 'fields')
  // A populated relation's own fields, filters and sort are checked from its root, as Strapi does.
  isInvalidKey(t, await send('GET', '/api/articles?populate[author][fields][0]=password'), 'password', 'populate')
  isInvalidKey(t, await send('GET', '/api/vaults?populate[box][fields][0]=pin'), 'pin', 'populate')
  t.equal((await send('GET', '/api/vaults?fields=*')).status, 200, '* stays allowed and still hides them')
  noSecrets(t, (await send('GET', '/api/vaults?fields=*')).body, 'fields=*')
})

t.test('populate: a private attribute is not populatable; populate filters and sort cannot reach private attributes', async (t) => {
  isInvalidKey(t, await send('GET', '/api/articles?populate=internalNotes'), 'internalNotes', 'populate')
  // Checked from the populated model's root, as Strapi checks them.
  isInvalidKey(t, await send('GET', '/api/articles?populate[author][filters][password][$startsWith]=a'), 'password', 'populate')
  isInvalidKey(t, await send('GET', '/api/articles?populate[author][filters][$or][0][internalNote]=x'), 'internalNote', 'populate')
  isInvalidKey(t, await send('GET', '/api/categories?populate[articles][filters][internalNotes][$null]=true'), 'internalNotes', 'populate')
  isInvalidKey(t, await send('GET', '/api/articles?populate[author][sort]=internalNote'), 'internalNote', 'populate')
  const deep = await send('GET', '/api/categories?populate[articles][populate][author][filters][password][$eq]=x')
  isInvalidKey(t, deep, 'password', 'populate')
})

t.test('_q never matches a private or password attribute', async (t) => {
  for (const [url, text] of [['/api/articles', 'alpha-secret'], ['/api/articles', 'secret'], ['/api/authors', 'ann-secret'],
    ['/api/authors', 'secret-password'], ['/api/vaults', 'vault-secret']]) {
    const res = await send('GET', `${url as string}?_q=${text as string}`)
    t.equal(res.status, 200)
    t.same(res.body.data, [], `${url as string} _q=${text as string}`)
  }
  t.equal((await send('GET', '/api/vaults?_q=main')).body.data.length, 1, 'public attributes are still searched')
})
