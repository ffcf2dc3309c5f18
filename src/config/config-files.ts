// Which files `--config` names, and reading one within bounds. A folder stands for its *.json, *.yaml and
// *.yml files, subfolders included, in name order (decK's utils.ConfigFilesInDir walks the folder with
// filepath.Walk, which visits names in lexical order). A file is refused by its size before it is read, so
// a 100 MB file costs a stat, not 100 MB of memory (limits in README, Configuration).

import { open, readdir, stat, type FileHandle } from 'node:fs/promises'
import { extname, join, resolve } from 'node:path'
import { errorCode, type ConfigIssue } from '../core/errors.ts'
import { CONFIG_EXTENSIONS, formatOfFile } from './config-text.ts'
import { MAX_YAML_BYTES } from './yaml-text.ts'

/** JSON.parse needs a few times the text's size in memory and ~10 ms per MB: 64 MiB is still bounded. */
export const MAX_JSON_BYTES = 64 * 1024 * 1024

function unreadable (source: string, err: unknown): ConfigIssue {
  const code = errorCode(err) ?? (err as Error).message
  return { source, path: '', message: `cannot read the file (${code})` }
}

async function filesIn (dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  const files: string[] = []
  for (const entry of entries) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) files.push(...await filesIn(path))
    else if (CONFIG_EXTENSIONS.has(extname(entry.name).toLowerCase())) files.push(path)
  }
  return files
}

/** The absolute paths of the files the inputs name, in order, or the issues (an unreadable input, an empty folder). */
export async function listConfigFiles (inputs: readonly string[]): Promise<{ files: string[], issues: ConfigIssue[] }> {
  const files: string[] = []
  const issues: ConfigIssue[] = []
  for (const input of inputs.map((path) => resolve(path))) {
    try {
      if (!(await stat(input)).isDirectory()) files.push(input)
      else {
        const found = await filesIn(input)
        if (found.length === 0) issues.push({ source: input, path: '', message: 'the folder holds no .json, .yaml or .yml file' })
        files.push(...found)
      }
    } catch (err) {
      issues.push(unreadable(input, err))
    }
  }
  return { files, issues }
}

/** A file's text, or the issue that stopped it being read (too large: refused before reading). */
export async function readConfigFile (file: string): Promise<{ text: string } | { issue: ConfigIssue }> {
  const format = formatOfFile(file)
  const limit = format === 'yaml' ? MAX_YAML_BYTES : MAX_JSON_BYTES
  let handle: FileHandle | null = null
  try {
    handle = await open(file)
    const { size } = await handle.stat()
    if (size > limit) return { issue: { source: file, path: '', message: `the file is ${size} bytes, more than the ${limit} a ${format.toUpperCase()} config may have` } }
    // the size read above, not "until the end": a file still growing cannot take more than its limit
    const buffer = Buffer.alloc(size)
    const { bytesRead } = await handle.read(buffer, 0, size, 0)
    return { text: buffer.toString('utf8', 0, bytesRead) }
  } catch (err) {
    return { issue: unreadable(file, err) }
  } finally {
    await handle?.close()
  }
}
