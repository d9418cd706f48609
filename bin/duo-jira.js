#!/usr/bin/env node
// CommonJS (see bin/package.json): on Node 20 an ES module entry alone costs more than all of commander.
// dist/boot.cjs loads the bundles with V8's code cache (src/boot.ts).
'use strict';
const { join } = require('node:path');

const dist = join(__dirname, '..', 'dist');
require(join(dist, 'boot.cjs')).run(dist, process.argv.slice(2));
