/** Model checkpoints read safely by byte range: one module per format, a format-neutral OpenedCheckpoint. */
export * from './types';
export { toFloat32 } from './dtype';
export { CHECKPOINT_FORMATS, openCheckpointSource, sniffFormat } from './registry';
export { openFolder } from './folder';
export type { FolderAccess, OpenedFolder } from './folder';
export { summarizeConfig } from './modelConfig';
export type { ModelSummary } from './modelConfig';
