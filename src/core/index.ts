/** The pattern engine: pure TypeScript shared by the extension host, the webview and the CLI. */
export * from './config';
export * from './mask';
export * from './ranges';
export { buildPattern } from './build';
export * from './stats';
export * from './reach';
export * from './analysis';
export * from './dense';
export * from './diff';
export * from './npy';
export { PORT_NOTES } from './patterns/ports';
export * from './attention';
export { torchSnippet } from './export/torchSnippet';
export { explainCell } from './explain';
export * from './tokenize';
export { maskSvg } from './export/svg';
export * from './embeddings';
export * from './pastedQkv';
