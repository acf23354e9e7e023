#!/usr/bin/env bash
# wacost's speed against a single-purpose Go loop and DuckDB, on one
# generated log, in one run (the machines are noisy: read the ratios).
#
#   bash bench/run.sh [ROWS]        # default 10,000,000 rows, ~200k customers
#
# Needs Go, Node.js and npm (DuckDB comes from its npm package into
# bench/out/node). Prints median wall times of 3 runs and the ratios.
set -euo pipefail
cd "$(dirname "$0")"
rows=${1:-10000000}
out=out
mkdir -p "$out"
log="$out/log-$rows.csv"

echo "== build"
(cd .. && go build -o bench/$out/wacost .)
(cd loop && go build -o ../$out/loop .)
if [ ! -d "$out/node/node_modules/@duckdb/node-api" ]; then
  echo "== install DuckDB (npm @duckdb/node-api)"
  npm install --no-audit --no-fund --prefix "$out/node" @duckdb/node-api@1.5.6-r.1 >/dev/null
fi
cp duckdb.mjs "$out/node/duckdb.mjs"

if [ ! -f "$log" ]; then
  echo "== generate $rows rows"
  customers=$(( rows / 50 ))
  "$out/wacost" generate --rows "$rows" --seed 7 --customers "$customers" --days 60 --start 2025-08-01 > "$log"
fi
ls -la "$log"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timeit() { # name, command...: 3 runs, prints the median seconds and the peak memory of the last
  local name=$1; shift
  local times=() mem=0
  for i in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$out/time.txt" "$@" > "$out/$name.out" 2> "$out/$name.err" || { cat "$out/$name.err"; exit 1; }
    read -r t m < "$out/time.txt"
    times+=("$t"); mem=$m
  done
  local med; med=$(printf '%s\n' "${times[@]}" | median)
  printf '%-32s %8.2f s  %7d MB   %s\n' "$name" "$med" $((mem / 1024)) "$(head -c 80 "$out/$name.out" | tr '\n' ' ')" >&2
  echo "$med"
}

echo "== time (median of 3; wall clock; peak RSS)"
t_cat=$(timeit "cat (page cache)" cat "$log")
t_loop=$(timeit "single-purpose Go loop" "$out/loop" "$log")
t_duck=$(timeit "DuckDB SQL (ASOF join)" node "$out/node/duckdb.mjs" "$PWD/$log")
t_sim=$(timeit "wacost simulate (summary)" "$out/wacost" simulate "$log" --regime 2025-07 -q --format csv)
t_led=$(timeit "wacost simulate --ledger csv" "$out/wacost" simulate "$log" --regime 2025-07 -q --ledger --format csv)

awk -v s="$t_sim" -v d="$t_duck" -v l="$t_loop" -v g="$t_led" -v n="$rows" 'BEGIN {
  printf "\nrows/s wacost:               %.2fM\n", n / s / 1e6
  printf "DuckDB / wacost:             %.2fx (target >= 3)\n", d / s
  printf "wacost / single-purpose loop: %.2fx (target <= 1.5)\n", s / l
  printf "ledger / summary:            %.2fx (target <= 2)\n", g / s
}'
