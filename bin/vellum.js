#!/usr/bin/env node
// The compiled CLI (npm run build writes dist/); plain node, no loader.
import { main } from '../dist/cli.js'

const code = await main(process.argv.slice(2))
if (code !== 0) process.exitCode = code
