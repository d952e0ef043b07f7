/**
 * Kernel values between rows of the training matrix. With a precomputed linear Gram matrix every
 * kernel value is O(1), for any gamma: K_rbf(i, j) = exp(−γ·(K_ii + K_jj − 2·K_ij)) is libsvm's own
 * training formula. The Gram matrix depends on neither the person, C nor the fold, so one serves all.
 */
import type { SvmKernel } from './model.js';

/** K(x_i, x_j) for two rows of the training matrix. */
export type KernelFn = (i: number, j: number) => number;

/** The linear Gram matrix of the training rows (n×n, row-major); may live in a SharedArrayBuffer. */
export interface Gram {
  readonly n: number;
  readonly values: Float64Array;
}

export function gramKernel(gram: Gram, kernel: SvmKernel, gamma: number): KernelFn {
  const { n, values: k } = gram;
  if (kernel === 'linear') return (i, j) => k[i * n + j]!;
  return (i, j) => Math.exp(-gamma * (k[i * n + i]! + k[j * n + j]! - 2 * k[i * n + j]!));
}
