// Builds app.js with Rollup: node-resolve and commonjs, which any Rollup
// build that imports from node_modules has, and an IIFE output.
const { createRequire } = require('module');
const need = createRequire(process.env.NODE_MODULES + '/');
const { rollup } = need('rollup');
const { nodeResolve } = need('@rollup/plugin-node-resolve');
const commonjs = need('@rollup/plugin-commonjs');

rollup({ input: 'app.js', plugins: [nodeResolve({ browser: true }), (commonjs.default || commonjs)()] })
  .then((bundle) => bundle.write({ file: 'www/bundle.js', format: 'iife' }))
  .catch((err) => { console.error(err); process.exit(1); });
