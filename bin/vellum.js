#!/usr/bin/env node
// The compiled CLI (npm run build writes dist/); plain node, no loader.
import { main } from '../dist/cli/index.js'

const code = await main(process.argv.slice(2))
// A finished command exits now, whatever it left open; a running one (the server) exits on its signals.
if (code !== undefined) process.exit(code)
