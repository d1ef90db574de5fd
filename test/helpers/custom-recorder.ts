/**
 * The custom fixture project's recorder (test/fixtures/projects/custom/src/utils/recorder.ts): the very module
 * instance the project's files record their steps into when vellum loads them, imported by its path through tsx
 * as they are (a compiled copy beside the compiled tests would be another instance).
 */
import { pathToFileURL } from 'node:url'
import { fixture } from './paths.js'
import './typescript.js'

type Recorder = typeof import('../fixtures/projects/custom/src/utils/recorder.js')

export const { entry, record, resetSteps, steps } = await import(pathToFileURL(fixture('projects', 'custom', 'src', 'utils', 'recorder.ts')).href) as Recorder
