#!/usr/bin/env bash
# wacost's speed against a single-purpose Go loop and DuckDB, on one
# generated log, in one run (the machines are noisy: read the ratios).
#
#   bash bench/run.sh [ROWS]        # default 10,000,000 rows, ~200k customers
#   WACOST_BASE=/path/to/old/wacost bash bench/run.sh [ROWS]
#                                   # also times another wacost binary (a
#                                   # build of an earlier commit) in the same
#                                   # run, and prints its ratios beside these
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

ndlog="$out/log-$rows.ndjson"
customers=$(( rows / 50 ))
if [ ! -f "$log" ]; then
  echo "== generate $rows rows"
  "$out/wacost" generate --rows "$rows" --seed 7 --customers "$customers" --days 60 --start 2025-08-01 > "$log"
fi
if [ ! -f "$ndlog" ]; then
  "$out/wacost" generate --rows "$rows" --seed 7 --customers "$customers" --days 60 --start 2025-08-01 --format ndjson > "$ndlog"
fi
ls -la "$log" "$ndlog"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# The tools, run in turn three times round (not three times in a row, so
# that a noisy minute on this shared machine hits them all alike). Output
# goes to /dev/null (the ledger to a file), except the first 80 bytes,
# shown as a check.
names=(cat loop naive duck duckasof sim parts led nd cmp bl sla)
declare -A label=(
  [cat]="cat (from the page cache)" [loop]="single-purpose Go loop" [naive]="the same, written plainly" [duck]="DuckDB SQL (window), query" [duckasof]="DuckDB SQL (ASOF join), query"
  [sim]="wacost simulate (summary)" [parts]="the same in 2 parts (-j 2)" [led]="wacost simulate --ledger csv"
  [nd]="wacost simulate, NDJSON input"
  [cmp]="wacost compare, 8 sample scenarios" [bl]="wacost backlog --capacity 30/h" [sla]="wacost sla"
  [bsim]="base: simulate (summary)" [bled]="base: simulate --ledger csv" [bnd]="base: simulate, NDJSON input")
base=${WACOST_BASE:-}
if [ -n "$base" ]; then names+=(bsim bled bnd); fi
command_of() { # sets cmd to tool $1's command line
  case $1 in
  cat) cmd=(cat "$log") ;;
  loop) cmd=("$out/loop" "$log") ;;
  naive) cmd=("$out/loop" -naive "$log") ;;
  duck) cmd=(node "$out/node/duckdb.mjs" "$PWD/$log" window) ;;
  duckasof) cmd=(node "$out/node/duckdb.mjs" "$PWD/$log" asof) ;;
  sim) cmd=("$out/wacost" simulate "$log" --regime 2025-07 -q --format csv) ;;
  parts) cmd=("$out/wacost" simulate "$log" --regime 2025-07 -q --format csv -j 2) ;;
  led) cmd=("$out/wacost" simulate "$log" --regime 2025-07 -q --ledger --format csv) ;;
  nd) cmd=("$out/wacost" simulate "$ndlog" --regime 2025-07 -q --format csv) ;;
  cmp) cmd=("$out/wacost" compare "$log" --scenarios ../testdata/scenarios.yaml -q --format csv) ;;
  bl) cmd=("$out/wacost" backlog "$log" --capacity 30/h -q --format json) ;;
  sla) cmd=("$out/wacost" sla "$log" -q --format csv) ;;
  bsim) cmd=("$base" simulate "$log" --regime 2025-07 -q --format csv) ;;
  bled) cmd=("$base" simulate "$log" --regime 2025-07 -q --ledger --format csv) ;;
  bnd) cmd=("$base" simulate "$ndlog" --regime 2025-07 -q --format csv) ;;
  esac
}
declare -A times mem cpus
echo "== time (median of 3: wall clock, CPU time (user + system), peak RSS)"
for round in 1 2 3; do
  for n in "${names[@]}"; do
    command_of "$n"
    # Every tool starts with its input in the page cache (read once,
    # untimed): this machine's cache does not keep both logs and a ledger.
    if [ "$n" = nd ] || [ "$n" = bnd ]; then cat "$ndlog" > /dev/null; else cat "$log" > /dev/null; fi
    if [ "$n" = led ] || [ "$n" = bled ]; then # a ledger goes to a file, as with > ledger.csv
      /usr/bin/time -f "%e %M %U %S" -o "$out/time.txt" "${cmd[@]}" 2> "$out/$n.err" > "$out/ledger.csv" ||
        { echo "${label[$n]} failed:"; cat "$out/$n.err"; exit 1; }
      head -c 80 "$out/ledger.csv" > "$out/$n.head"
      rm -f "$out/ledger.csv"
    else
      /usr/bin/time -f "%e %M %U %S" -o "$out/time.txt" "${cmd[@]}" 2> "$out/$n.err" |
        { head -c 80 > "$out/$n.head"; cat > /dev/null; }
      [ "${PIPESTATUS[0]}" = 0 ] || { echo "${label[$n]} failed:"; cat "$out/$n.err"; exit 1; }
    fi
    read -r t m u k < "$out/time.txt"
    cpus[$n]+="$(awk -v u="$u" -v k="$k" 'BEGIN {print u + k}') "
    # DuckDB's time is its query's, without Node's start (about 0.3 s):
    # the stricter comparison for wacost.
    if q=$(awk '$1 == "query_seconds" {print $2}' "$out/$n.err") && [ -n "$q" ]; then t=$q; fi
    times[$n]+="$t "
    mem[$n]=$m
  done
done
printf '%-32s %10s %10s %10s\n' "" "wall" "CPU" "peak RSS"
for n in "${names[@]}"; do
  med=$(printf '%s\n' ${times[$n]} | median)
  cpu=$(printf '%s\n' ${cpus[$n]} | median)
  printf '%-32s %8.2f s %8.2f s %7d MB   %s\n' "${label[$n]}" "$med" "$cpu" $((mem[$n] / 1024)) "$(tr '\n' ' ' < "$out/$n.head")"
  declare "t_$n=$med" "c_$n=$cpu"
done

echo "(DuckDB's wall time is its query's; its CPU time is the whole process's, start included.)"

# Both DuckDB queries must give the same totals (their first line).
cmp -s <(head -1 "$out/duck.head") <(head -1 "$out/duckasof.head") ||
  { echo "the DuckDB queries disagree:"; cat "$out/duck.head" "$out/duckasof.head"; exit 1; }
t_best=$(printf '%s\n%s\n' "$t_duck" "$t_duckasof" | sort -n | head -1)

ndbytes=$(wc -c < "$ndlog")
awk -v cs="$c_sim" -v cl="$c_loop" -v s="$t_sim" -v p="$t_parts" -v d="$t_best" -v l="$t_loop" -v g="$t_led" -v n="$rows" -v nd="$t_nd" -v nb="$ndbytes" \
    -v cm="$t_cmp" -v bl="$t_bl" -v sl="$t_sla" -v mc="$((mem[cmp] / 1024))" -v mb="$((mem[bl] / 1024))" -v ms="$((mem[sim] / 1024))" 'BEGIN {
  printf "\nrows/s wacost:               %.2fM\n", n / s / 1e6
  printf "DuckDB / wacost:             %.2fx (target >= 2; DuckDB: the faster query)\n", d / s
  printf "DuckDB / single-purpose loop: %.2fx (the same ratio for the loop itself)\n", d / l
  printf "wacost / single-purpose loop: %.2fx (target <= 1.3)\n", s / l
  printf "  the same in CPU time:      %.2fx (wacost keeps two cores busy; the loop one)\n", cs / cl
  printf "2 parts / one replay:        %.2fx (2 cores: one replay already uses both)\n", p / s
  printf "ledger / summary:            %.2fx (target <= 1.5)\n", g / s
  printf "NDJSON input:                %.0f MB/s (target >= 400)\n", nb / nd / 1e6
  printf "simulate peak memory:        %d MB (target <= 100)\n", ms
  printf "compare / simulate:          %.2fx (target <= 9: K+1 for the 8 scenarios), %d MB (target <= 150)\n", cm / s, mc
  printf "backlog / simulate:          %.2fx (target <= 20, its 17 delays and the plans), %d MB (target <= 150)\n", bl / s, mb
  printf "sla / simulate:              %.2fx (target <= 1.5)\n", sl / s
}'
if [ -n "$base" ]; then
  awk -v cs="$c_bsim" -v cl="$c_loop" -v s="$t_bsim" -v d="$t_best" -v l="$t_loop" -v g="$t_bled" -v nd="$t_bnd" -v nb="$ndbytes" \
      -v ns="$t_sim" -v ng="$t_led" -v nn="$t_nd" 'BEGIN {
    printf "\nthe base binary (%s), in the same run:\n", ENVIRON["WACOST_BASE"]
    printf "DuckDB / wacost:             %.2fx\n", d / s
    printf "wacost / single-purpose loop: %.2fx (%.2fx in CPU time)\n", s / l, cs / cl
    printf "ledger / summary:            %.2fx\n", g / s
    printf "NDJSON input:                %.0f MB/s\n", nb / nd / 1e6
    printf "this build / base: summary %.2fx, ledger %.2fx, NDJSON %.2fx\n", ns / s, ng / g, nn / nd
  }'
fi
