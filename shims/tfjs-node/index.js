'use strict';
// danfojs-node requires @tensorflow/tfjs-node; the kit's package.json points that name here.
// This re-exports the pure-JS @tensorflow/tfjs the kit itself uses (resolved from the kit's
// node_modules), so danfojs and the kit share one TensorFlow.js.
module.exports = require('@tensorflow/tfjs');
