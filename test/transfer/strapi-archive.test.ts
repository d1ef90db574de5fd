/**
 * An archive written by real Strapi 5.54.0 (`strapi export --no-encrypt`, test/fixtures/strapi-export) imports
 * into vellum: its REST then answers what Strapi's answered for the same data (ids and documentIds kept), the
 * Document Service finds the drafts, published rows and locales, and the uploaded file is back in the folder.
 */
import t from 'tap'
import { createReadStream } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { importArchive } from '../../lib/transfer/index.js'
import { buildApp } from '../helpers/app.js'
import { EXPECTED_READS, referenceApp, referenceProject, strapiArchive, strapiExpected } from './helpers.js'

const expected = JSON.parse(await readFile(strapiExpected, 'utf8')) as Record<string, unknown>

t.test('Strapi\'s own export imports, and vellum answers what Strapi answered', async (t) => {
  const { app, dir, get } = await referenceApp(t)
  const warnings: string[] = []
  const report = await importArchive(app.vellum, createReadStream(strapiArchive), { onWarning: (message) => warnings.push(message) })
  t.match(report, { schemas: 26, entities: 18, links: 18, assets: 1 }, 'every row of the model, its links and its file')
  t.equal(report.skipped.entities, 40, 'Strapi\'s internal rows (locales, users & permissions) are left out')
  t.ok(report.skipped.types.includes('plugin::users-permissions.role') && report.skipped.types.includes('admin::user'))
  t.match(warnings, [/left out \(not part of the project's content model\): plugin::i18n\.locale, /])

  for (const [name, url] of Object.entries(EXPECTED_READS)) t.same(await get(url), expected[name], `${name}: ${url}`)

  const articles = app.vellum.documents('api::article.article')
  t.equal(await articles.count({ status: 'draft', locale: 'en' }), 3, 'three drafts')
  t.equal(await articles.count({ status: 'published', locale: 'en' }), 2, 'two published')
  const french = await articles.findMany({ status: 'published', locale: 'fr', populate: ['seo', 'blocks'] })
  t.match(french, [{ title: 'Premier article', seo: { metaTitle: 'Premier' }, blocks: [{ __component: 'shared.quote', text: 'Être.' }] }])

  t.same(await readdir(join(dir, 'public', 'uploads')), ['hello_8af39c7bd0.txt'], 'the file, and no staging folder left')
  t.equal(await readFile(join(dir, 'public', 'uploads', 'hello_8af39c7bd0.txt'), 'utf8'), 'Hello from the fixture.\n')

  // New rows get new ids after the imported ones.
  const created = await app.vellum.documents('api::tag.tag').create({ data: { name: 'delta' } })
  t.equal(created.id, 4, 'the id sequences continue after the archive\'s ids')
})

t.test('a project whose locales lack the archive\'s is warned, and the rows are imported all the same', async (t) => {
  const english = await buildApp(t, { dir: await referenceProject(t), contentTypes: [] })
  const warnings: string[] = []
  await importArchive(english.vellum, createReadStream(strapiArchive), { onWarning: (message) => warnings.push(message) })
  t.match(warnings.at(-1), 'entries in locale fr were imported, but the project\'s i18n.locales (en) lacks it: add it to read those entries')
  t.equal(await english.vellum.db.query('api::article.article').count({ where: { locale: 'fr' } }), 2)
})
