#!/usr/bin/env bash
# Fuzzes the SIP receive paths and the tabs message decoder, FUZZTIME each
# (default 5m). Exploration, not a gate: what it finds is a new input that
# fails, written to the package's testdata/fuzz/<Fuzz…>/; fix the code and
# keep the input (give it a name that says what it is), and from then on
# every `go test` (so `npm test` and CI) runs it with the rest of the corpus.
# CI does not fuzz: a random search that may find a new input on any run
# would make the gate fail at random.
set -euo pipefail
cd "$(dirname "$0")/.."
t=${FUZZTIME:-5m}
go test -run='^$' -fuzz='^FuzzUAReceive$' -fuzztime="$t" ./sdk/sipua/
go test -run='^$' -fuzz='^FuzzPhoneReceive$' -fuzztime="$t" ./sdk/phone/
go test -run='^$' -fuzz='^FuzzDecode$' -fuzztime="$t" ./sdk/tabs
