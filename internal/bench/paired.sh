#!/usr/bin/env bash
# Interleaved, paired comparison of GroupRecall with FloorJSON: each round
# runs both back to back, so drift of a shared machine hits both alike.
# Prints each round's ratio and the median. Usage: bash internal/bench/paired.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-12}
bin=$(mktemp -d)/chatrecall.test
go test -c -o "$bin" .
for _ in $(seq 1 "$rounds"); do
  "$bin" -test.run '^$' -test.bench 'BenchmarkFloorJSON$|BenchmarkGroupRecall$' -test.benchmem -test.count 1 -test.benchtime 1s |
    awk '/^Benchmark/ {printf "%s %s ", $3, $7} END {print ""}'
done | awk '{printf "FloorJSON %s ns/op (%s allocs)  GroupRecall %s ns/op (%s allocs)  ratio %.3f\n", $1, $2, $3, $4, $3 / $1}' |
  awk '{print $NF "\t" $0}' | sort -n | cut -f2- | awk '{print; r[NR] = $NF} END {printf "median ratio GroupRecall/FloorJSON over %d rounds: %s\n", NR, r[int((NR + 1) / 2)]}'
