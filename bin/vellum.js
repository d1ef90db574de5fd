#!/usr/bin/env node
// vellum is written in TypeScript and runs from source through tsx.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../lib/cli.ts')
const code = await main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`vellum: ${error?.stack ?? error}\n`)
  return 1
})
if (code !== 0) process.exitCode = code
