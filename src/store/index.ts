// The store component: open a fillstate SQLite file (refusing foreign or corrupt ones) and read it back.
export { openStore, Store, JournalSequenceError, actorIdOf, type StoreOptions, type BeforeCommitHook } from './store.ts';
export { StoreOpenError, inspectExistingFile } from './inspect.ts';
export { APPLICATION_ID, SCHEMA_VERSION } from './schema.ts';
export type {
  BalanceRecord,
  CommitInfo,
  FillRecord,
  IntentRecord,
  IntentStatus,
  OrderRecord,
  PositionRecord,
  SnapshotRecord,
  StoreStats,
} from './records.ts';
