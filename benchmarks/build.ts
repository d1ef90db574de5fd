import { createHash } from 'node:crypto'
import { mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import ts from 'typescript'
import { ROOT } from './env.js'

/**
 * The servers run as plain JavaScript, as a user would deploy them: `node --import tsx` costs ~0.8 s and
 * ~37 MiB RSS before the first line of the app runs here, which would be charged to cold start and memory.
 * lib/ and benchmarks/ are transpiled file by file (no type-check: `npx tsc -p .` does that) into a
 * directory outside the repository (nothing to lint or ignore), with a package.json (`"type": "module"`) and
 * a node_modules link to the repository's, so bare imports resolve as they do from the sources.
 */

export const BUILD_DIR = join(tmpdir(), `vellum-bench-${createHash('sha1').update(ROOT).digest('hex').slice(0, 8)}`)

async function sources (dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue
      out.push(...await sources(path))
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      out.push(path)
    }
  }
  return out
}

/** Transpiles lib/ and benchmarks/ to BUILD_DIR (replaced); returns the number of files. */
export async function buildJs (): Promise<number> {
  await rm(BUILD_DIR, { recursive: true, force: true })
  await mkdir(BUILD_DIR, { recursive: true })
  await writeFile(join(BUILD_DIR, 'package.json'), JSON.stringify({ private: true, type: 'module' }))
  await symlink(join(ROOT, 'node_modules'), join(BUILD_DIR, 'node_modules'), 'dir')
  const files = [...await sources(join(ROOT, 'lib')), ...await sources(join(ROOT, 'benchmarks'))]
  await Promise.all(files.map(async (file) => {
    const { outputText } = ts.transpileModule(await readFile(file, 'utf8'), {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
        sourceMap: false
      }
    })
    const target = join(BUILD_DIR, relative(ROOT, file)).replace(/\.ts$/, '.js')
    await mkdir(dirname(target), { recursive: true })
    await writeFile(target, outputText)
  }))
  return files.length
}
