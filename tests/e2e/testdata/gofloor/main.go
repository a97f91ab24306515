// Command gofloor is the start-up benchmark's floor: a Go program that does
// nothing but tell its page when it runs. Its page start → main, with the
// wasm from the browser's caches, is what any Go wasm pays before doing
// anything; tests/e2e/bench_floor_test.go prints it next to JsSIP's whole
// registration.
package main

import "syscall/js"

func main() {
	js.Global().Set("goFloorMainAt", js.Global().Get("performance").Call("now"))
	select {}
}
