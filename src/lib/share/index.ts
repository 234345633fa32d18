export type { SharedNotebook, NotebookLayout, DeepLink } from './types.ts';
export { ShareError, type ShareErrorCode } from './errors.ts';
export {
  validateNotebook,
  isSourceUrl,
  NOTEBOOK_VERSION,
  MAX_TITLE_LENGTH,
  MAX_CELLS,
  MAX_SOURCES,
  MAX_CELL_SOURCE_LENGTH,
  MAX_URL_LENGTH,
  CELL_ID,
  type NotebookValidation,
} from './schema.ts';
export { migrate, MIGRATIONS, type Migration } from './migrate.ts';
export { notebookFromJson } from './parse.ts';
export { encodeNotebook, decodeNotebook, PAYLOAD_FORMAT, MAX_DECODED_BYTES, MAX_PAYLOAD_LENGTH } from './codec.ts';
export {
  shareUrl,
  readLocation,
  withDeepLink,
  MAX_SHARE_URL_LENGTH,
  NOTEBOOK_PARAM,
  type ShareLink,
  type LocationTarget,
  type LocationRequest,
} from './url.ts';
export {
  notebookToFile,
  notebookFromFile,
  notebookFileName,
  FILE_FORMAT,
  FILE_VERSION,
  FILE_EXTENSION,
  FILE_MIME,
  MAX_FILE_CHARS,
  type NotebookFile,
} from './file.ts';
export { hostsContacted } from './hosts.ts';
export { resourcePolicy, checkResource, withApprovedHost, isHost, MAX_APPROVED_HOSTS, type ResourcePolicy, type ResourceVerdict } from './resources.ts';
