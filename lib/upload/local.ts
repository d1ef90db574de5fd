import { constants, createWriteStream, ReadStream } from 'node:fs'
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { ProviderFile, UploadProvider } from './types.js'

export interface LocalProviderOptions {
  /** The folder files are written to: the project's `public/uploads`. */
  root: string
  /** The URL path they are served under. */
  baseUrl?: string
}

/** `<hash><ext>`, refused if it could leave the folder (the hash and extension come from client names). */
function fileName (file: ProviderFile): string {
  const name = `${file.hash}${file.ext}`
  if (basename(name) !== name || name.startsWith('.')) throw new Error(`Refusing to store a file named ${JSON.stringify(name)}`)
  return name
}

/**
 * Strapi's local provider: `public/uploads/<hash><ext>`, URL `/uploads/<hash><ext>`. The folder is made when
 * missing. Files are written exclusively (`wx`): a name already taken is an error, never an overwrite.
 */
export function createLocalProvider ({ root, baseUrl = '/uploads' }: LocalProviderOptions): UploadProvider & { root: string } {
  let ready: Promise<unknown> | undefined
  const ensureRoot = async (): Promise<void> => { await (ready ??= mkdir(root, { recursive: true })) }
  return {
    root,
    async uploadStream (file) {
      await ensureRoot()
      const name = fileName(file)
      const target = join(root, name)
      const source = file.getStream()
      try {
        if (source instanceof ReadStream && typeof source.path === 'string') {
          // A file on disk (the spooled upload): copied by the kernel, no bytes through JavaScript's memory.
          source.destroy()
          await copyFile(source.path, target, constants.COPYFILE_EXCL)
        } else {
          await pipeline(source, createWriteStream(target, { flags: 'wx' }))
        }
      } catch (error) {
        // A half-written file must not stay behind; one that existed before (EEXIST) is not ours to remove.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') await rm(target, { force: true })
        throw error
      }
      file.url = `${baseUrl}/${name}`
    },
    async upload (file) {
      await ensureRoot()
      const name = fileName(file)
      await writeFile(join(root, name), file.buffer ?? Buffer.alloc(0), { flag: 'wx' })
      file.url = `${baseUrl}/${name}`
    },
    async delete (file) {
      await rm(join(root, fileName(file)), { force: true })
    }
  }
}
