// Command hello is a small Go program for wasm-datapack's test: its output
// depends on initialised data (a table and strings) and on zeroed memory.
package main

import (
	"fmt"
	"hash/crc32"
)

var table = [...]uint16{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 42}

var zeroed [4096]byte

func main() {
	sum := 0
	for _, v := range table {
		sum += int(v)
	}
	for _, b := range zeroed {
		sum += int(b)
	}
	fmt.Printf("hello %d %08x\n", sum, crc32.ChecksumIEEE([]byte(fmt.Sprint(table))))
}
