// Worker-thread entry of SamplerPool: loads the TypeScript worker through tsx.
'use strict';
require('tsx/cjs');
require('./sampler-worker-main.ts');
