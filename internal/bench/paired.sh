#!/usr/bin/env bash
# Interleaved, paired comparison of GroupRecall with FloorJSON (and with
# FloorJSONSigned, the floor sending the same 256-byte UserSig): each round
# runs the three back to back, so drift of a shared machine hits them alike.
# Prints each round and the median of each ratio.
# Usage: bash internal/bench/paired.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-12}
dir=$(mktemp -d)
go test -c -o "$dir/chatrecall.test" .
for _ in $(seq 1 "$rounds"); do
  "$dir/chatrecall.test" -test.run '^$' -test.bench 'BenchmarkFloorJSON$|BenchmarkFloorJSONSigned$|BenchmarkGroupRecall$' \
    -test.benchmem -test.count 1 -test.benchtime 1s |
    awk '/^Benchmark/ {sub(/-[0-9]+$/, "", $1); v[$1] = $3; a[$1] = $7}
      END {
        f = v["BenchmarkFloorJSON"]; s = v["BenchmarkFloorJSONSigned"]; g = v["BenchmarkGroupRecall"]
        printf "FloorJSON %s ns/op (%s allocs)  FloorJSONSigned %s  GroupRecall %s (%s allocs)  ratio %.3f  to signed %.3f\n",
          f, a["BenchmarkFloorJSON"], s, g, a["BenchmarkGroupRecall"], g / f, g / s
      }'
done | tee "$dir/rounds"
median() { sort -n | awk '{r[NR] = $1} END {print r[int((NR + 1) / 2)]}'; }
echo "median ratio GroupRecall/FloorJSON over $rounds rounds: $(awk '{print $(NF - 3)}' "$dir/rounds" | median)"
echo "median ratio GroupRecall/FloorJSONSigned over $rounds rounds: $(awk '{print $NF}' "$dir/rounds" | median)"
