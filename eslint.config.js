import neostandard from 'neostandard'

/**
 * The layers of lib/ (style guide §2): each may import only the layers before it, and another layer only
 * through its index.ts. errors, compose, logger and types are leaves anyone may import. lib/project reads the
 * project folder (the only dynamic imports): pure layers and hooks never import it; it imports content-types
 * and, for their types only, http's.
 */
const LAYERS = ['content-types', 'db', 'query', 'document', 'hooks', 'project', 'http']
const LATER = {
  'content-types': ['db', 'query', 'document', 'hooks', 'project', 'http'],
  db: ['query', 'document', 'hooks', 'project', 'http'],
  query: ['document', 'hooks', 'project', 'http'],
  document: ['hooks', 'project', 'http'],
  hooks: ['db', 'query', 'document', 'project', 'http'],
  project: ['db', 'query', 'document', 'hooks'],
  // http reaches storage only through the Query Engine and the Document Service.
  http: ['db']
}
// Type-only imports of a later layer (erased at run time, so no cycle): project describes http's shapes.
const TYPES_FROM = { project: ['http'] }
// Pure layers never import Fastify: only lib/hooks and lib/http are glue (style guide rule 1).
const FASTIFY = ['fastify', 'fastify-plugin', '@fastify/*']
const PURE = new Set(['content-types', 'db', 'query', 'document'])

function layerRules (layer, depth) {
  const up = '\\.\\./'.repeat(depth)
  const others = LAYERS.filter(l => l !== layer).join('|')
  const typesOnly = TYPES_FROM[layer] ?? []
  return {
    files: [`lib/${layer}/${'*/'.repeat(depth - 1)}*.ts`],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          ...(PURE.has(layer) ? [{ group: FASTIFY, message: 'pure layers never import Fastify' }] : []),
          { regex: `^${up}(${LATER[layer].join('|')})/`, message: `lib/${layer} must not import a later layer (${LATER[layer].join(', ')})` },
          { regex: `^${up}(${others})/(?!index\\.js$)`, message: 'import another layer through its index.ts' }
        ]
      }],
      ...(typesOnly.length > 0 && {
        '@typescript-eslint/no-restricted-imports': ['error', {
          patterns: [{ regex: `^${up}(${typesOnly.join('|')})/`, allowTypeImports: true, message: `lib/${layer} imports only types from ${typesOnly.join(', ')}` }]
        }]
      })
    }
  }
}

export default [
  ...neostandard({ ts: true, ignores: ['node_modules/**', '.tap/**', 'coverage/**', 'dist/**', '.build/**', '**/.vellum/**'] }),
  {
    rules: {
      'no-console': 'error'
    }
  },
  ...LAYERS.flatMap(layer => [1, 2, 3].map(depth => layerRules(layer, depth))),
  // Email is a Fastify-free service (style guide §2.6): the plugin only exposes it as app.vellum.email.
  {
    files: ['lib/email/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: FASTIFY, message: 'lib/email never imports Fastify' }] }] }
  }
]
