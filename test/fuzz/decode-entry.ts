// The .npy reader as it ships (bundled and minified like dist/cli.js), for the fuzzer's value checks.
export { decodeNpy, npyToFloat64 } from '../../src/core/npy';
