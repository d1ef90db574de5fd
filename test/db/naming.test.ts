import t from 'tap'
import { readFile } from 'node:fs/promises'
import { buildPhysicalModel, columnName, indexName, linkTableName, MAX_IDENTIFIER_LENGTH, physicalName } from '../../lib/db/index.js'
import { loadSchema } from '../../lib/project/index.js'
import { referenceModel } from '../content-types/helpers.js'
import { contentType, makeSchema, relation, scalar } from './helpers.js'
import { fixture } from '../helpers/paths.js'

/** What Strapi 5.54 created for the reference model (read from its catalog; its admin-user columns and keys left out). */
interface CatalogTable { columns: string[], indexes: Record<string, string[]>, foreignKeys: Record<string, string> }
const strapiCatalog = JSON.parse(await readFile(fixture('strapi-layout', 'reference-catalog.json'), 'utf8')) as Record<string, CatalogTable>

t.test('long names are shortened as Strapi 5 does: 55 characters, kept start plus 5 hex digits of SHAKE-256', async t => {
  // The three names contract §28.5 observed on tables Strapi created.
  t.equal(columnName('descriptionOfTheSurroundingNeighbourhoodAndItsAmenities2'), 'description_of_the_surrounding_neighbourhood_and_id8c26')
  const link = linkTableName('real_estate_listings', 'nearbyPointsOfInterestForTheNeighbourhood')
  t.equal(link, 'real_estate_listings_nearby_points_of_interest5d2d6_lnk')
  t.equal(indexName(link, 'fk'), 'real_estate_listings_nearby_points_of_interest59581b_fk')
  // Names that fit are joined as they are; fixed tokens are never shortened; shorter parts give their room to longer ones.
  t.equal(physicalName(['articles', 'tags'], { suffix: 'lnk' }), 'articles_tags_lnk')
  const two = physicalName(['a'.repeat(40), 'b'.repeat(10)], { prefix: 'inv', suffix: 'ord' })
  t.equal(two.length, MAX_IDENTIFIER_LENGTH)
  t.match(two, /^inv_a{31}[0-9a-f]{5}_b{10}_ord$/)
  t.not(physicalName(['x'.repeat(60) + '1']), physicalName(['x'.repeat(60) + '2']), 'two long names sharing a start still differ')
})

t.test('the reference model gets the tables, columns, indexes and foreign keys Strapi 5 created for it', async t => {
  const physical = buildPhysicalModel(await loadSchema({ dir: referenceModel }))
  const tables = new Map(physical.tables.map(table => [table.name, table]))
  t.same([...tables.keys()].sort(), Object.keys(strapiCatalog).sort())
  for (const [name, strapi] of Object.entries(strapiCatalog)) {
    const table = tables.get(name)!
    t.same(table.columns.map(c => c.name).sort(), [...strapi.columns].sort(), `${name}: columns`)
    // vellum's own additions (a database-enforced unique attribute, a uid's prefix index) have names Strapi never uses.
    const indexes = table.indexes.filter(i => !/_(unique|prefix_idx)$/.test(i.name))
    t.same(Object.fromEntries(indexes.map(i => [i.name, i.columns])), strapi.indexes, `${name}: indexes`)
    t.same(Object.fromEntries(table.foreignKeys.map(f => [f.name, `${f.column} -> ${f.foreignTable}`])), strapi.foreignKeys, `${name}: foreign keys`)
  }
})

t.test('order columns as Strapi keeps them: none for the unused side of a unidirectional relation, inv_ for a self manyToMany', async t => {
  const physical = buildPhysicalModel(makeSchema(
    contentType('post', 'posts', [
      relation('writer', 'manyToOne', 'api::person.person'),
      relation('labels', 'manyToMany', 'api::person.person'),
      relation('related', 'manyToMany', 'api::post.post', { inversedBy: 'relatedFrom' }),
      relation('relatedFrom', 'manyToMany', 'api::post.post', { mappedBy: 'related' }),
      relation('similar', 'manyToMany', 'api::post.post')
    ]),
    contentType('person', 'people', [scalar('name', 'string')])
  ))
  const columns = (name: string): string[] => physical.tables.find(table => table.name === name)!.columns.map(c => c.name)
  t.same(columns('posts_writer_lnk'), ['id', 'post_id', 'person_id'])
  t.same(columns('posts_labels_lnk'), ['id', 'post_id', 'person_id', 'person_ord'])
  t.same(columns('posts_related_lnk'), ['id', 'post_id', 'inv_post_id', 'post_ord', 'inv_post_ord'])
  t.same(columns('posts_similar_lnk'), ['id', 'post_id', 'inv_post_id', 'post_ord'])
})
