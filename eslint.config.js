import neostandard from 'neostandard'

export default [
  ...neostandard({ ts: true, ignores: ['node_modules/**', '.tap/**', 'coverage/**', 'dist/**', '**/.vellum/**'] }),
  {
    rules: {
      'no-console': 'error'
    }
  },
  {
    // Pure layers never import Fastify: only lib/hooks and lib/http are glue (style guide rule 1).
    files: ['lib/content-types/**', 'lib/db/**', 'lib/query/**', 'lib/document/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['fastify', 'fastify-plugin', '@fastify/*'] }]
    }
  }
]
