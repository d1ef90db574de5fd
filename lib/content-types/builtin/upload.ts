import type { ContentTypeSchema } from '../types.js'

/**
 * The upload plugin's content types, which every Strapi project has (contract §25.2): `plugin::upload.file` in
 * `files` and `plugin::upload.folder` in `upload_folders`. They are ordinary model entries, so schema sync creates
 * their tables with Strapi's names (or adopts a Strapi database's tables as they are) and the Query Engine and
 * Document Service reach them like any other type; they get no generated REST routes (`plugin` is set).
 * Attribute order is the file object's key order (contract §25.4).
 */
export const UPLOAD_PLUGIN = 'upload'
export const FILE_UID = 'plugin::upload.file'
export const FOLDER_UID = 'plugin::upload.folder'

const fixed = { configurable: false } as const

export const FILE_SCHEMA: ContentTypeSchema = {
  kind: 'collectionType',
  collectionName: 'files',
  info: { singularName: 'file', pluralName: 'files', displayName: 'File', description: '' },
  options: { draftAndPublish: false },
  attributes: {
    name: { type: 'string', required: true, ...fixed },
    alternativeText: { type: 'text', ...fixed },
    caption: { type: 'text', ...fixed },
    focalPoint: { type: 'json', ...fixed },
    width: { type: 'integer', ...fixed },
    height: { type: 'integer', ...fixed },
    formats: { type: 'json', ...fixed },
    hash: { type: 'string', required: true, ...fixed },
    ext: { type: 'string', ...fixed },
    mime: { type: 'string', required: true, ...fixed },
    size: { type: 'decimal', required: true, ...fixed },
    url: { type: 'text', required: true, ...fixed },
    previewUrl: { type: 'text', ...fixed },
    provider: { type: 'string', required: true, ...fixed },
    provider_metadata: { type: 'json', ...fixed },
    // The entries (and components) a file is linked to: `files_related_mph`, written from their media attributes.
    related: { type: 'relation', relation: 'morphToMany', ...fixed },
    folder: { type: 'relation', relation: 'manyToOne', target: FOLDER_UID, inversedBy: 'files', private: true },
    folderPath: { type: 'string', minLength: 1, required: true, private: true, searchable: false }
  },
  // Strapi's own indexes on `files`, under its names.
  indexes: ['folder_path', 'created_at', 'updated_at', 'name', 'size', 'ext']
    .map(column => ({ name: `upload_files_${column}_index`, columns: [column] }))
}

export const FOLDER_SCHEMA: ContentTypeSchema = {
  kind: 'collectionType',
  collectionName: 'upload_folders',
  info: { singularName: 'folder', pluralName: 'folders', displayName: 'Folder' },
  options: { draftAndPublish: false },
  attributes: {
    name: { type: 'string', minLength: 1, required: true },
    pathId: { type: 'integer', unique: true, required: true },
    parent: { type: 'relation', relation: 'manyToOne', target: FOLDER_UID, inversedBy: 'children' },
    children: { type: 'relation', relation: 'oneToMany', target: FOLDER_UID, mappedBy: 'parent' },
    files: { type: 'relation', relation: 'oneToMany', target: FILE_UID, mappedBy: 'folder' },
    path: { type: 'string', minLength: 1, required: true, unique: true }
  },
  // Strapi's own unique indexes, under its names (they also stand for the two unique attributes').
  indexes: [
    { name: 'upload_folders_path_id_index', columns: ['path_id'], type: 'unique' },
    { name: 'upload_folders_path_index', columns: ['path'], type: 'unique' }
  ]
}
