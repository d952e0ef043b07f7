/**
 * Why a neural test skips here, or false: the tests of the neural engine skip, with the reason,
 * where its packages are not installed, and those of its onnxruntime backend where
 * onnxruntime-node cannot load.
 */
import { checkNeuralPackages } from '../../src/neural/face-api.js';
import { loadOnnxruntime } from '../../src/neural/onnxruntime.js';

function reason(check: () => unknown, prefix = ''): string | false {
  try {
    check();
    return false;
  } catch (err) {
    return `${prefix}${(err as Error).message.split('\n')[0]}`;
  }
}

export const neuralMissing: string | false = reason(checkNeuralPackages);
export const onnxruntimeMissing: string | false = reason(loadOnnxruntime, 'onnxruntime-node cannot load here: ');
