export { Database, request, DB_NAME, DB_VERSION, type DatabaseOptions, type StoreName } from './db.ts';
export { StorageError, toStorageError, STORAGE_MESSAGES, type StorageErrorCode } from './errors.ts';
export { NotebookStore, UNDO_WINDOW_MS, type NotebookRecord, type NotebookStoreOptions } from './notebooks.ts';
export { autosaver, type Autosaver, type AutosaverOptions, type AutosaveTarget, type LifecycleTargets } from './autosave.ts';
export {
  AnnotationStore,
  validateAnnotation,
  type Annotation,
  type AnnotationInput,
  type AnnotationValidation,
  type ImportReport,
} from './annotations.ts';
export { KvStore } from './kv.ts';
export { checkStorage, requestPersistence, LOW_SPACE_BYTES, type StorageCheck, type StorageCheckOptions } from './check.ts';
export { newNotebookId } from './ids.ts';
export { EditJournal, reconcile, journalKey, defaultSyncStorage, type JournalEntry, type Reconciled, type SyncStorage } from './journal.ts';
export { tryHoldNotebook, notebookLockName, defaultLocks, type HeldLock, type Locks } from './tab-lock.ts';
