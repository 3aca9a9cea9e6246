/**
 * The kit's root folder. A module of its own so that planning runs and the CLI can know it
 * without loading lib/backend (TensorFlow.js, ONNX Runtime).
 */
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
