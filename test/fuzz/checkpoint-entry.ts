// The checkpoint readers as the fuzzer's child process loads them (bundled like the shipped code).
export { CheckpointError, DEFAULT_LIMITS, memorySource, openCheckpointSource } from '../../src/model';
