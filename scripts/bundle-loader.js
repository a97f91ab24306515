// Assembles dist/exotelsdk.js (UMD) and dist/exotelsdk.mjs (ESM) from
// scripts/loader.js and Go's wasm_exec.js, and prints the bundle sizes.
// Usage: node scripts/bundle-loader.js <wasm_exec.js> <version>
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const [wasmExecPath, version] = process.argv.slice(2);
const root = path.join(__dirname, '..');
let wasmExec = fs.readFileSync(wasmExecPath, 'utf8');
// Go's runtime writes (panics, println) through the global `fs`, which the
// loader removes from the page once Go has started: keep a private reference.
const write = 'fs.writeSync(fd, new Uint8Array(';
if (!wasmExec.includes(write)) { throw new Error('wasm_exec.js changed: cannot find ' + write); }
wasmExec = wasmExec.replace(write, 'goFS.writeSync(fd, new Uint8Array(');

const loader = fs.readFileSync(path.join(__dirname, 'loader.js'), 'utf8')
  .replace('/*__WASM_EXEC__*/', () => wasmExec)
  .split('__SDK_VERSION__').join(version);

const umd = loader + `
(function (root, factory) {
  var scriptURL = (typeof document !== 'undefined' && document.currentScript && document.currentScript.src) || '';
  if (typeof define === 'function' && define.amd) { define([], function () { return factory(scriptURL); }); }
  else if (typeof module === 'object' && module.exports) { module.exports = factory(scriptURL); }
  else { root.exotelSDK = factory(scriptURL); }
}(typeof self !== 'undefined' ? self : this, exotelSDKFactory));
`;
const esm = loader + `
const exotelSDK = exotelSDKFactory(import.meta.url ||
  (typeof document !== 'undefined' && document.currentScript && document.currentScript.src) || '');
export default exotelSDK;
export const ExotelWebClient = exotelSDK.ExotelWebClient;
`;
fs.writeFileSync(path.join(root, 'dist/exotelsdk.js'), umd);
fs.writeFileSync(path.join(root, 'dist/exotelsdk.mjs'), esm);

function sizes(file) {
  const b = fs.readFileSync(path.join(root, file));
  const gz = zlib.gzipSync(b, { level: 9 }).length;
  const br = zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  const kb = (n) => (n / 1024).toFixed(0) + ' KB';
  console.log(`${file.padEnd(22)} raw ${kb(b.length).padStart(8)}  gzip ${kb(gz).padStart(8)}  brotli ${kb(br).padStart(8)}`);
  return br;
}
// The SDK's size budget: 1.2 MB brotli for the wasm (see scripts/build-wasm.sh).
const wasmBudget = 1228 * 1024;
const overBudget = sizes('dist/exotelsdk.wasm') > wasmBudget;
sizes('dist/exotelsdk.js');
if (overBudget) {
  console.error(`${process.env.SIZE_BUDGET_STRICT ? 'ERROR' : 'WARNING'}: dist/exotelsdk.wasm is over its ${wasmBudget / 1024} KB brotli budget`);
  // The test command (and so CI) builds with SIZE_BUDGET_STRICT=1: a size
  // regression fails the build there instead of going unnoticed.
  if (process.env.SIZE_BUDGET_STRICT) { process.exit(1); }
}
