// Builds app.js with webpack 5 and nothing but an entry and an output.
const path = require('path');
const webpack = require(process.env.WEBPACK);
webpack({
  mode: 'production',
  entry: './app.js',
  output: { path: path.resolve('www'), filename: 'bundle.js' },
}, (err, stats) => {
  if (err || stats.hasErrors()) {
    console.error(err || stats.toString('errors-only'));
    process.exit(1);
  }
});
