//go:build js && wasm

// Command wasm is the SDK's WebAssembly entry point: it hands the Go API to the
// loader (dist/exotelsdk.js) and keeps the runtime alive.
package main

import "github.com/webphone/exotelsdk/jsbridge"

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	jsbridge.Version = version
	jsbridge.Start()
	select {}
}
