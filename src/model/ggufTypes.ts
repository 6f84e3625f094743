/**
 * ggml's tensor types as GGUF numbers them (ggml.h's ggml_type): those read as they are, Q8_0
 * (dequantized here), and the other quantizations, with their block sizes (gguf-py's
 * GGML_QUANT_SIZES: elements per block, bytes per block) so that a file holding them can still be
 * listed and its layout checked, although their values are not read.
 */
import type { TensorDtype } from './types';

/** Types whose bytes are the dtype's own. */
export const PLAIN_TYPES: Record<number, TensorDtype> = { 0: 'F32', 1: 'F16', 24: 'I8', 25: 'I16', 26: 'I32', 27: 'I64', 28: 'F64', 30: 'BF16' };

export const Q8_0 = 8;

export interface QuantizedType {
  name: string;
  /** Elements per block (along the row, GGUF's ne[0]). */
  block: number;
  /** Bytes per block. */
  blockBytes: number;
}

const QK_K = 256;
export const QUANTIZED_TYPES: Record<number, QuantizedType> = Object.fromEntries(
  (
    [
      [2, 'Q4_0', 32, 18], [3, 'Q4_1', 32, 20], [6, 'Q5_0', 32, 22], [7, 'Q5_1', 32, 24], [8, 'Q8_0', 32, 34], [9, 'Q8_1', 32, 36],
      [10, 'Q2_K', QK_K, 84], [11, 'Q3_K', QK_K, 110], [12, 'Q4_K', QK_K, 144], [13, 'Q5_K', QK_K, 176], [14, 'Q6_K', QK_K, 210], [15, 'Q8_K', QK_K, 292],
      [16, 'IQ2_XXS', QK_K, 66], [17, 'IQ2_XS', QK_K, 74], [18, 'IQ3_XXS', QK_K, 98], [19, 'IQ1_S', QK_K, 50], [20, 'IQ4_NL', 32, 18],
      [21, 'IQ3_S', QK_K, 110], [22, 'IQ2_S', QK_K, 82], [23, 'IQ4_XS', QK_K, 136], [29, 'IQ1_M', QK_K, 56], [34, 'TQ1_0', QK_K, 54], [35, 'TQ2_0', QK_K, 66],
      [39, 'MXFP4', 32, 17],
    ] as const
  ).map(([type, name, block, blockBytes]) => [type, { name, block, blockBytes }]),
);
