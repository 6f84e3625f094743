// The checkpoint readers as the fuzzer's child process loads them (bundled like the shipped code).
export { CheckpointError, DEFAULT_LIMITS, ggufForward, ggufTokenizer, loadModel, memorySource, ModelError, openCheckpointSource } from '../../src/model';
