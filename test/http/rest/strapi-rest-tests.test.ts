/**
 * Behaviours Strapi 5.54's own REST API tests expect (issue 17), each checked against the real Strapi 5.54 peer
 * on the same model (products with one-way relations, repeatable components and zones with `min`, gadgets
 * with required components and zones): one `t.test` a behaviour.
 */
import t from 'tap'
import { buildApp } from '../../helpers/app.js'
import { isError, isInvalidKey, sender } from './helpers.js'

const part = {
  uid: 'rt.part',
  collectionName: 'components_rt_parts',
  info: { displayName: 'Part' },
  attributes: { name: { type: 'string' }, code: { type: 'password' } }
}
const quote = {
  uid: 'rt.quote',
  collectionName: 'components_rt_quotes',
  info: { displayName: 'Quote' },
  attributes: { text: { type: 'text' }, item: { type: 'relation', relation: 'oneToOne', target: 'api::item.item' } }
}
const item = {
  uid: 'api::item.item',
  kind: 'collectionType' as const,
  collectionName: 'items',
  info: { singularName: 'item', pluralName: 'items', displayName: 'Item' },
  options: { draftAndPublish: false },
  attributes: { name: { type: 'string' } }
}
const product = {
  uid: 'api::product.product',
  kind: 'collectionType' as const,
  collectionName: 'products',
  info: { singularName: 'product', pluralName: 'products', displayName: 'Product' },
  options: { draftAndPublish: true },
  attributes: {
    name: { type: 'string' },
    secret: { type: 'password' },
    items: { type: 'relation', relation: 'oneToMany', target: 'api::item.item' },
    item: { type: 'relation', relation: 'oneToOne', target: 'api::item.item' },
    parts: { type: 'component', component: 'rt.part', repeatable: true, min: 2, max: 3 },
    zone: { type: 'dynamiczone', components: ['rt.part', 'rt.quote'], min: 1 },
    part: { type: 'component', component: 'rt.part', repeatable: false }
  }
}
const gadget = {
  uid: 'api::gadget.gadget',
  kind: 'collectionType' as const,
  collectionName: 'gadgets',
  info: { singularName: 'gadget', pluralName: 'gadgets', displayName: 'Gadget' },
  options: { draftAndPublish: true },
  attributes: {
    name: { type: 'string' },
    part: { type: 'component', component: 'rt.part', repeatable: false, required: true },
    parts: { type: 'component', component: 'rt.part', repeatable: true, required: true },
    zone: { type: 'dynamiczone', components: ['rt.part'], required: true }
  }
}

const app = await buildApp(t, { contentTypes: [item, product, gadget], components: [part, quote], permissions: { public: '*' } })
const send = sender(app)

async function create (plural: string, data: Record<string, unknown>, query = ''): Promise<string> {
  const res = await send('POST', `/api/${plural}${query}`, { data })
  if (res.status !== 201) throw new Error(`POST /api/${plural}${query}: ${res.status} ${res.text}`)
  return res.body.data.documentId as string
}

const i1 = await create('items', { name: 'i1' })
const i2 = await create('items', { name: 'i2' })
await create('items', { name: 'i3' })

/** The names a product list answers, sorted. */
async function names (query: string): Promise<string[]> {
  const res = await send('GET', `/api/products?fields[0]=name&sort=name&${query}`)
  if (res.status !== 200) throw new Error(`GET /api/products?${query}: ${res.status} ${res.text}`)
  return (res.body.data as Array<{ name: string }>).map(entry => entry.name)
}

t.test('a one-way oneToMany (and oneToOne) keeps a target linked from a second owner linked to the first', async (t) => {
  const p1 = await create('products', { name: 'p1', items: [i1, i2], item: i1 })
  const p2 = await create('products', { name: 'p2', items: [i1], item: i1 })
  for (const status of ['published', 'draft']) {
    const res = await send('GET', `/api/products?status=${status}&filters[name][$in][0]=p1&filters[name][$in][1]=p2&sort=name&fields[0]=name&populate[items][fields][0]=name&populate[item][fields][0]=name`)
    t.match(res.body.data, [
      { documentId: p1, items: [{ name: 'i1' }, { name: 'i2' }], item: { name: 'i1' } },
      { documentId: p2, items: [{ name: 'i1' }], item: { name: 'i1' } }
    ], `${status}: p1 keeps i1`)
  }
  const updated = await send('PUT', `/api/products/${p1}?populate=items`, { data: { items: { connect: [i1] } } })
  t.same(updated.body.data.items.map((i: { name: string }) => i.name), ['i2', 'i1'], 'connecting again moves it within p1 only')
  const again = await send('GET', `/api/products/${p2}?populate=items`)
  t.same(again.body.data.items.map((i: { name: string }) => i.name), ['i1'], 'p2 keeps it too')
})

t.test('null for a repeatable component or a zone is a 400; [] is accepted for a non-required one with min', async (t) => {
  for (const [key, query] of [['parts', ''], ['zone', ''], ['parts', '?status=draft'], ['zone', '?status=draft']] as const) {
    const message = `${key} must be a \`array\` type, but the final value was: \`null\`.`
    isError(t, await send('POST', `/api/products${query}`, { data: { name: 'n', [key]: null } }), 400, 'ValidationError', message, {
      errors: [{ path: [key], message, name: 'ValidationError', value: null }]
    })
  }
  const empty = await send('POST', '/api/products?populate=*', { data: { name: 'e', parts: [], zone: [] } })
  t.equal(empty.status, 201, '[] below min is accepted (published)')
  t.match(empty.body.data, { parts: [], zone: [], part: null })
  const omitted = await send('POST', '/api/products?populate=*', { data: { name: 'o' } })
  t.equal(omitted.status, 201, 'left out: accepted too')
  t.match(omitted.body.data, { parts: [], zone: [] })
  const one = await send('POST', '/api/products', { data: { name: 'n', parts: [{ name: 'a' }] } })
  isError(t, one, 400, 'ValidationError', 'parts field must have at least 2 items')
  const id = await create('products', { name: 'u', parts: [{ name: 'a' }, { name: 'b' }] })
  isError(t, await send('PUT', `/api/products/${id}`, { data: { parts: null } }), 400, 'ValidationError', 'parts must be a `array` type, but the final value was: `null`.')
  const cleared = await send('PUT', `/api/products/${id}?populate=parts`, { data: { parts: [] } })
  t.equal(cleared.status, 200, 'an update to [] is accepted')
  t.same(cleared.body.data.parts, [])
})

t.test('$not over a to-many relation negates each joined row, as Strapi: some linked row (or the NULL row) fails the condition', async (t) => {
  // p1: i1, i2; p2: i1; e: nothing linked (published, from the tests above); only published rows are listed.
  const only = 'filters[name][$in][0]=p1&filters[name][$in][1]=p2&filters[name][$in][2]=e'
  t.same(await names(`${only}&filters[$not][items][name][$eq]=i1`), ['p1'], 'p1 has i2; e has no item to test')
  t.same(await names(`${only}&filters[items][name][$not][$eq]=i1`), ['p1'], 'the same through an attribute $not')
  t.same(await names(`${only}&filters[$not][items][name][$null]=true`), ['p1', 'p2'])
  t.same(await names(`${only}&filters[$not][items][name][$notNull]=true`), ['e'], 'the NULL row of an entry with nothing linked')
  t.same(await names(`${only}&filters[$not][items][id][$notNull]=true`), ['e'])
  t.same(await names(`${only}&filters[$not][items][name][$ne]=i1`), ['p1', 'p2'])
  t.same(await names(`${only}&filters[$not][$or][0][items][name][$eq]=i1&filters[$not][$or][1][name][$eq]=e`), ['p1'], 'De Morgan through $or')
  t.same(await names(`${only}&filters[$not][items][$null]=true`), ['p1', 'p2'], '$not around "nothing linked": something is')
})

t.test('a required component missing on a draft & publish create: lists refused in drafts too, a single one when published', async (t) => {
  const lists = {
    errors: [
      { path: ['parts'], message: 'parts must be defined.', name: 'ValidationError', value: null },
      { path: ['zone'], message: 'zone must be defined.', name: 'ValidationError', value: null }
    ]
  }
  isError(t, await send('POST', '/api/gadgets?status=draft', { data: { name: 'g' } }), 400, 'ValidationError', '2 errors occurred', lists)
  isError(t, await send('POST', '/api/gadgets', { data: { name: 'g' } }), 400, 'ValidationError', '2 errors occurred', lists)
  const draft = await send('POST', '/api/gadgets?status=draft', { data: { name: 'g', parts: [], zone: [] } })
  t.equal(draft.status, 201, 'a draft without the single required component is accepted')
  const single = 'part must be a `object` type, but the final value was: `null`.'
  for (const data of [{ name: 'g', parts: [], zone: [] }, { name: 'g', parts: [], zone: [], part: null }]) {
    isError(t, await send('POST', '/api/gadgets', { data }), 400, 'ValidationError', single, {
      errors: [{ path: ['part'], message: single, name: 'ValidationError', value: null }]
    })
  }
  const published = await send('POST', '/api/gadgets', { data: { name: 'g', parts: [], zone: [], part: { name: 'x' } } })
  t.equal(published.status, 201, 'with every required component: published')
  t.ok(published.body.data.publishedAt)
})

t.test('component and zone messages follow Strapi 5.54', async (t) => {
  const data = (zone: unknown[]): unknown => ({ data: { name: 'g', parts: [], zone, part: { name: 'x' } } })
  isError(t, await send('POST', '/api/gadgets', data([{ name: 'x' }])), 400, 'ValidationError', 'zone[0].__component is a required field')
  isError(t, await send('POST', '/api/gadgets', data([null])), 400, 'ValidationError', 'zone[0] must be a `object` type, but the final value was: `null`.')
  isError(t, await send('POST', '/api/gadgets?status=draft', { data: { name: 'g', parts: [], zone: [], part: 'x' } }), 400, 'ValidationError',
    'part must be a `object` type, but the final value was: `"x"`.')
  isError(t, await send('POST', '/api/gadgets?status=draft', { data: { name: 'g', parts: {}, zone: [] } }), 400, 'ValidationError',
    'parts must be a `array` type, but the final value was: `{}`.')
  const id = await create('gadgets', { name: 'g', parts: [], zone: [] }, '?status=draft')
  const publish = await app.vellum.documents('api::gadget.gadget').publish({ documentId: id }).catch((err: unknown) => err)
  t.match(publish, { name: 'ValidationError', message: 'part must be a `object` type, but the final value was: `null`.' }, 'publishing the draft without it')
})

t.test('populate through a zone by a dotted path, and the values t/f (1/0) as true/false', async (t) => {
  const id = await create('products', { name: 'z1', items: [i1], zone: [{ __component: 'rt.part', name: 'pa' }, { __component: 'rt.quote', text: 'q1', item: i2 }] })
  const zone = async (query: string): Promise<unknown> => {
    const res = await send('GET', `/api/products/${id}?fields[0]=name&${query}`)
    t.equal(res.status, 200, query)
    return res.body.data
  }
  t.match(await zone('populate[0]=zone.name'), { zone: [{ __component: 'rt.part', name: 'pa' }, { __component: 'rt.quote', text: 'q1' }] }, 'a field of one component: the zone')
  t.notOk(((await zone('populate[0]=zone.name')) as { zone: Array<Record<string, unknown>> }).zone[1]!.item, 'and nothing more')
  t.match(await zone('populate[0]=zone.item'), { zone: [{ name: 'pa' }, { text: 'q1', item: { name: 'i2' } }] }, 'a relation of one component: populated there')
  t.match(await zone('populate=zone.item'), { zone: [{ name: 'pa' }, { text: 'q1', item: { name: 'i2' } }] })
  isInvalidKey(t, await send('GET', `/api/products/${id}?populate[0]=zone.compo`), 'compo', 'populate', 'zone.compo', 'Invalid key compo at zone.compo')
  const flags = await zone('populate[zone]=t&populate[items]=f&populate[part]=0')
  t.match(flags, { zone: [{ name: 'pa' }, { text: 'q1' }] }, 't is true')
  t.notOk('items' in (flags as object) || 'part' in (flags as object), 'f and 0 are false')
  t.match(await zone('populate[items]=1'), { items: [{ name: 'i1' }] }, '1 is true')
  isError(t, await send('GET', `/api/products/${id}?populate[items]=yes`), 400, 'ValidationError', /populate/)
})

t.test('filters inside a zone\'s on fragment keep only the items of that component that match', async (t) => {
  const id = await create('products', {
    name: 'z2',
    zone: [
      { __component: 'rt.part', name: 'keep' }, { __component: 'rt.quote', text: 'q1' }, { __component: 'rt.part', name: 'drop' }, { __component: 'rt.quote', text: 'q2' }
    ]
  })
  const res = await send('GET', `/api/products/${id}?fields[0]=name&populate[zone][on][rt.part][filters][name][$eq]=keep&populate[zone][on][rt.quote]=true`)
  t.equal(res.status, 200)
  t.match(res.body.data, { zone: [{ __component: 'rt.part', name: 'keep' }, { __component: 'rt.quote', text: 'q1' }, { __component: 'rt.quote', text: 'q2' }] }, 'the other parts left out, in order')
  t.equal((res.body.data as { zone: unknown[] }).zone.length, 3)
  const none = await send('GET', `/api/products/${id}?populate[zone][on][rt.quote][filters][text][$eq]=nothing`)
  t.same((none.body.data as { zone: unknown[] }).zone, [], 'no match, no item (the other uids not asked for)')
  isInvalidKey(t, await send('GET', `/api/products/${id}?populate[zone][on][rt.part][filters][bogus]=1`), 'bogus', 'populate', null)
})

t.test('fields naming * selects every field; a password attribute is an invalid key', async (t) => {
  for (const query of ['fields=*', 'fields[0]=*', 'fields[0]=name&fields[1]=*']) {
    const res = await send('GET', `/api/products?${query}&filters[name]=p2`)
    t.equal(res.status, 200, query)
    t.same(Object.keys(res.body.data[0]).sort(), ['createdAt', 'documentId', 'id', 'name', 'publishedAt', 'updatedAt'], `${query}: every field, the password left out`)
  }
  isInvalidKey(t, await send('GET', '/api/products?fields[0]=secret'), 'secret', 'fields')
  isInvalidKey(t, await send('GET', '/api/products?fields[0]=name&fields[1]=secret'), 'secret', 'fields')
  isInvalidKey(t, await send('GET', '/api/products?fields=name,secret'), 'secret', 'fields')
})

t.test('details.path is null for an unknown key at the root of filters, sort and fields', async (t) => {
  const nullPath = (key: string, param: string): Record<string, unknown> => ({ key, path: null, source: 'query', param })
  isError(t, await send('GET', '/api/products?filters[bogus]=1'), 400, 'ValidationError', 'Invalid key bogus', nullPath('bogus', 'filters'))
  isError(t, await send('GET', '/api/products?filters[$bogus]=1'), 400, 'ValidationError', 'Invalid key $bogus', nullPath('$bogus', 'filters'))
  isError(t, await send('GET', '/api/products?sort=bogus'), 400, 'ValidationError', 'Invalid key bogus', nullPath('bogus', 'sort'))
  isError(t, await send('GET', '/api/products?fields[0]=bogus'), 400, 'ValidationError', 'Invalid key bogus', nullPath('bogus', 'fields'))
  // An attribute that may not be used there keeps its name as the path, and populate keeps its paths.
  isInvalidKey(t, await send('GET', '/api/products?filters[secret]=1'), 'secret', 'filters')
  isInvalidKey(t, await send('GET', '/api/products?sort=secret'), 'secret', 'sort')
  isInvalidKey(t, await send('GET', '/api/products?sort=items'), 'items', 'sort')
  isInvalidKey(t, await send('GET', '/api/products?populate=bogus'), 'bogus', 'populate')
  const strict = await buildApp(t, { contentTypes: [item], rest: { strictParams: true }, permissions: { public: '*' } })
  const res = await strict.inject({ method: 'GET', url: '/api/items?t=123' })
  t.same(JSON.parse(res.body).error.details, { key: 't', path: null, source: 'query', param: 't' }, 'strictParams: path null')
})
