// Assembles dist/exotelsdk.js (UMD) from scripts/loader.js, scripts/loader-events.js,
// scripts/loader-preconnect.js and Go's wasm_exec.js, and dist/exotelsdk.mjs (an ES module that re-exports it),
// and prints the bundle sizes.
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

const events = fs.readFileSync(path.join(__dirname, 'loader-events.js'), 'utf8');
const preconnect = fs.readFileSync(path.join(__dirname, 'loader-preconnect.js'), 'utf8');
const loader = fs.readFileSync(path.join(__dirname, 'loader.js'), 'utf8')
  .replace('/*__WASM_EXEC__*/', () => wasmExec)
  .split('__SDK_VERSION__').join(version);

// The UMD file is the one loader. Whichever way it is reached (script tag,
// require, AMD, a bundler, or the ESM file below), the page gets one exotelSDK
// and so one Go runtime: the first copy to run keeps it under a global symbol
// and any later copy hands out the same object.
const umd = `(function () {
${events}
${preconnect}
${loader}
(function (root) {
  var key = typeof Symbol === 'function' ? Symbol.for('exotelsdk-go') : '__exotelsdk_go__';
  var script = typeof document !== 'undefined' ? document.currentScript : null;
  var amd = typeof define === 'function' && define.amd;
  var cjs = typeof module === 'object' && module && typeof module.exports === 'object';
  var sdk = root[key];
  if (!sdk) {
    sdk = exotelSDKFactory({
      scriptURL: (script && script.src) || '',
      wasmURL: (script && script.getAttribute && script.getAttribute('data-wasm-url')) || '',
      early: !amd && !cjs && !!(script && script.src)
    });
    try { Object.defineProperty(root, key, { value: sdk }); } catch (e) { root[key] = sdk; }
  } else if (sdk.version !== '${version}' && typeof console !== 'undefined') {
    console.warn('[exotelsdk] exotelsdk ${version} is loaded into a page that already runs ' + sdk.version + '; using ' + sdk.version);
  }
  if (amd) { define([], function () { return sdk; }); }
  else if (cjs) { module.exports = sdk; }
  else { root.exotelSDK = sdk; }
}(typeof globalThis !== 'undefined' ? globalThis : typeof self !== 'undefined' ? self : this));
})();
`;
// The ES module re-exports the UMD file's exotelSDK. It holds the literal
// new URL('./exotelsdk.wasm', import.meta.url) that webpack, Vite, Rollup
// plugins and Parcel find and emit as an asset; where import.meta is empty (an
// esbuild IIFE bundle) the wasm is looked for beside the script instead.
const esm = `// exotelsdk-go ${version}: the ES module face of ./exotelsdk.js (one loader, one runtime per page).
import './exotelsdk.js';

const exotelSDK = globalThis[Symbol.for('exotelsdk-go')];
let wasmURL = '';
try {
  wasmURL = new URL('./exotelsdk.wasm', import.meta.url).href;
} catch (e) {
  // import.meta is empty here (an IIFE bundle): the wasm is looked for beside the script.
}
exotelSDK._bundledWasmURL(wasmURL);

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
// The SDK's size budget: 1.0 MB brotli for the wasm (see scripts/build-wasm.sh).
const wasmBudget = 1024 * 1024;
const overBudget = sizes('dist/exotelsdk.wasm') > wasmBudget;
sizes('dist/exotelsdk.js');
if (overBudget) {
  console.error(`${process.env.SIZE_BUDGET_STRICT ? 'ERROR' : 'WARNING'}: dist/exotelsdk.wasm is over its ${wasmBudget / 1024} KB brotli budget`);
  // The test command (and so CI) builds with SIZE_BUDGET_STRICT=1: a size
  // regression fails the build there instead of going unnoticed.
  if (process.env.SIZE_BUDGET_STRICT) { process.exit(1); }
}
