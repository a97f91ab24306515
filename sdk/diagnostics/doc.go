// Package diagnostics is the pure half of the SDK's diagnostics (guide
// 5.11): which gathered ICE candidate proves which key of the network test,
// when a gathering has nothing more to give, the statistics of the speaker
// and mic level tests, and the browser's name from its user agent. jsbridge
// measures in the browser and reports through these rules.
package diagnostics
