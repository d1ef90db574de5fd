import { createRequire } from 'node:module'
import type Nodemailer from 'nodemailer'

const require = createRequire(import.meta.url)
let loaded: typeof Nodemailer | undefined

/**
 * nodemailer, loaded the first time a provider needs it: importing it costs a cold start ~60 ms of CPU, which a
 * project that never sends an email (or sends through its own provider) should not pay. Loaded synchronously
 * (its CommonJS build), so the providers keep their synchronous construction.
 */
export function nodemailer (): typeof Nodemailer {
  loaded ??= require('nodemailer') as typeof Nodemailer
  return loaded
}
