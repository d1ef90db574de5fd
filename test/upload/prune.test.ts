/**
 * `vellum media prune` (the built CLI, on a project's database and its `public/uploads`): files no entry links
 * to are listed by `--dry-run` and left in place, then removed with their stored objects; a linked file stays.
 */
import t from 'tap'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { buildServer, configFromEnv } from '../../lib/server.js'
import { cliEnv, collectionType, runCli, tempProject } from '../cli/helpers.js'
import { makeImage } from './helpers.js'
import { fromRoot } from '../helpers/paths.js'

// The README's two commands, as written there (npx vellum is bin/vellum.js).
const readme = await readFile(fromRoot('README.md'), 'utf8')
const [dryRunArgs, pruneArgs] = [...readme.matchAll(/^npx vellum (media prune.*?)\s*(?:#.*)?$/gm)].map(match => match[1]!.split(' '))

// Three CLI runs, each opening the project's database: can pass the suite's 300 s per file on a busy machine.
t.setTimeout(600_000)

t.test('prune lists the unlinked files, removes them and their objects, and keeps the linked ones', async (t) => {
  // Media in a content type and, through a dynamic zone, in a component: both count as links.
  const dir = await tempProject(t, {
    'src/api/article/content-types/article/schema.json': collectionType('article', 'articles', {
      title: { type: 'string' },
      cover: { type: 'media', multiple: false },
      blocks: { type: 'dynamiczone', components: ['shared.media-block'] }
    }),
    'src/components/shared/media-block.json': {
      collectionName: 'components_shared_media_blocks',
      info: { displayName: 'Media block' },
      attributes: { file: { type: 'media', multiple: false, allowedTypes: ['files', 'images'] } }
    }
  })
  const env = await cliEnv(t, { API_TOKEN_SALT: 'prune-test-salt', LOG_LEVEL: 'silent' })

  // The library as a server made it: one file attached to an article through ref/refId/field, one in a zone's
  // component, one on its own.
  const app = await buildServer(configFromEnv(dir, env))
  let hashes: { linked: string, loose: string, notes: string }
  try {
    await app.listen({ host: '127.0.0.1', port: 0 })
    const address = app.server.address()
    if (address === null || typeof address === 'string') throw new Error('no port')
    const { accessKey } = await app.vellum.auth.tokens.create({ name: 'prune', type: 'full-access' })
    const article = await app.vellum.documents('api::article.article').create({ data: { title: 'Kept' } })
    const upload = async (name: string, bytes: Buffer, attach: boolean): Promise<{ id: number, hash: string }> => {
      const body = new FormData()
      body.append('files', new Blob([bytes]), name)
      if (attach) for (const [key, value] of Object.entries({ ref: 'api::article.article', refId: String(article.id), field: 'cover' })) body.append(key, value)
      const answer = await fetch(`http://127.0.0.1:${address.port}/api/upload`, { method: 'POST', headers: { authorization: `Bearer ${accessKey}` }, body })
      t.equal(answer.status, 201, `${name} uploaded`)
      const [file] = await answer.json() as Array<{ id: number, hash: string }>
      return file!
    }
    hashes = {
      linked: (await upload('linked.png', await makeImage(300, 200, 'png'), true)).hash,
      loose: (await upload('loose.png', await makeImage(300, 200, 'png'), false)).hash,
      notes: (await upload('notes.txt', Buffer.from('words\n'), false)).hash
    }
    const notes = await app.vellum.db.query('plugin::upload.file').findOne({ where: { hash: hashes.notes } }) as { id: number }
    await app.vellum.documents('api::article.article').update({ documentId: article.documentId, data: { blocks: [{ __component: 'shared.media-block', file: notes.id }] } })
  } finally {
    await app.close()
  }
  const stored = async (): Promise<string[]> => (await readdir(join(dir, 'public', 'uploads'))).sort()
  const before = await stored()
  t.ok(before.some(name => name.startsWith('thumbnail_loose_')), 'the loose image has its thumbnail on disk')

  t.same([dryRunArgs, pruneArgs], [['media', 'prune', '--dry-run'], ['media', 'prune']], 'the README\'s commands')
  const dry = await runCli([...dryRunArgs!, '--dir', dir], env)
  t.equal(dry.code, 0, dry.stderr)
  t.match(dry.stdout, /^id\s+name\s+url\s+size \(KB\)\n/)
  t.match(dry.stdout, new RegExp(`\\n\\d+\\s+loose\\.png\\s+/uploads/${hashes.loose}\\.png\\s+[\\d.]+\\n`))
  t.notMatch(dry.stdout, 'linked.png')
  t.notMatch(dry.stdout, 'notes.txt', 'a file in a zone\'s component is linked')
  t.match(dry.stdout, /1 unlinked file would be removed \(dry run: nothing removed\)\n$/)
  t.same(await stored(), before, 'a dry run removes nothing')

  const pruned = await runCli([...pruneArgs!, '--dir', dir], env)
  t.equal(pruned.code, 0, pruned.stderr)
  t.match(pruned.stdout, /Removed 1 unlinked file\n$/)
  const after = await stored()
  t.same(after.filter(name => name.includes(hashes.loose)), [], 'the pruned file\'s original and formats are gone')
  t.ok(after.includes(`${hashes.linked}.png`) && after.includes(`thumbnail_${hashes.linked}.png`), 'the linked file and its formats stay')
  t.ok(after.includes(`${hashes.notes}.txt`), 'and the component\'s file')

  const again = await runCli(['media', 'prune', '--dry-run', '--dir', dir], env)
  t.equal(again.stdout, '0 unlinked files would be removed (dry run: nothing removed)\n')
})

t.test('prune takes no other argument', async (t) => {
  const bad = await runCli(['media', 'prune', 'all'], await cliEnv(t))
  t.equal(bad.code, 2)
  t.match(bad.stderr, 'unexpected argument "all"')
})
