#!/usr/bin/env bash
# The web and API benchmark (a bench, not a timed test). On loopback, with wrk (Debian's package):
#   1. seed: the embedded default (Release) ingests, embeds and tags the bundled sample and the 812
#      real arXiv papers of tests/Cluster.Tests/Data through the real pipeline;
#   2. multiply: tools/Web.Bench writes N more papers (default 100,000) straight into its SQLite read
#      model, each a variation of a real one (vector = real vector + noise), 1,000 a listing day;
#   3. serve: the embedded default again on that data, rate limits lifted (RateLimits__Enabled=false),
#      once its search and facet indexes hold every paper; its memory is read then;
#   4. wrk: p50, p99 and throughput of the daily list page (HTML), a paper page, Hugging Face's
#      daily_papers JSON, a paper by id and hybrid search with distinct queries, each flat out and,
#      for the targets, paced at a fixed rate (wrk's delay(): c connections each waiting c/rate).
# Usage: scripts/bench-web.sh [papers=100000] [seconds per run=15]
# Leaves its data, logs and results.md in artifacts/bench-web/ (git-ignored). Client and server share
# this machine's cores: read the figures as such.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PAPERS="${1:-100000}"
DURATION="${2:-15}"
WORK="${BENCH_DIR:-$ROOT/artifacts/bench-web}"
DATA="$WORK/data"
PORT="${BENCH_PORT:-9180}"
BASE="http://127.0.0.1:$PORT"
LOCAL="$ROOT/services/Local/bin/Release/net10.0/Papers.Local.dll"
TOOL="$ROOT/tools/Web.Bench/bin/Release/net10.0/Papers.Web.Bench.dll"
PID=""

command -v wrk >/dev/null || apt-get install -y -q wrk >/dev/null
mkdir -p "$WORK"
stop() { if [[ -n $PID ]]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi; PID=""; }
trap stop EXIT
rss_mib() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$PID/status"; }
stats_of() { curl -sf "$BASE/api/stats" | python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])" 2>/dev/null || echo 0; }

start_local() { # $1 = log name; the rest: extra settings as KEY=VALUE
  local log="$WORK/$1.log"; shift
  (cd "$ROOT/services/Local" && exec env Database__DataDirectory="$DATA" Mail__PickupDirectory="$DATA/mail" Digests__WakeEvery=00:00:00 \
    Logging__LogLevel__Default=Warning "$@" dotnet "$LOCAL" --urls "$BASE" >"$log" 2>&1) &
  PID=$!
  for _ in $(seq 1 120); do curl -sf "$BASE/alive" >/dev/null && return 0; sleep 1; done
  echo "the host did not start; see $log" >&2; exit 1
}

echo "== build (Release)"
dotnet build "$ROOT/services/Local/Local.csproj" -c Release -v q -nologo | tail -n 2
dotnet build "$ROOT/tools/Web.Bench/Web.Bench.csproj" -c Release -v q -nologo | tail -n 2

echo "== 1. seed: real papers through the pipeline (kept in $WORK/seed for later runs; SEED_FRESH=1 redoes it)"
if [[ ! -f $WORK/seed/api.db || -n ${SEED_FRESH:-} ]]; then
  rm -rf "$DATA" "$WORK/seed"
  start_local seed Ingest__Import__1__Path="$ROOT/tests/Cluster.Tests/Data/papers.jsonl" Ingest__Import__1__ListedOn=2025-11-06
  for _ in $(seq 1 900); do
    papers=$(stats_of papers); enriched=$(stats_of enriched)
    (( papers > 850 && enriched == papers )) && break
    sleep 2
  done
  (( papers > 850 && enriched == papers )) || { echo "seeding did not finish; see $WORK/seed.log" >&2; exit 1; }
  stop
  cp -r "$DATA" "$WORK/seed"
fi

# serve_until_indexed LOG COUNT: the host on $DATA, rate limits lifted, once COUNT papers are in its search index.
serve_until_indexed() {
  local started; started=$(date +%s)
  start_local "$1" RateLimits__Enabled=false
  until (( $(stats_of indexed) >= $2 )); do sleep 1; done
  curl -sf "$BASE/topics" >/dev/null  # the facet index has loaded once this page answers
  loaded=$(( $(date +%s) - started ))
}

rm -rf "$DATA" && cp -r "$WORK/seed" "$DATA"
start_local count
seeded=$(stats_of papers)
stop
serve_until_indexed baseline "$seeded"
seed_rss=$(rss_mib)
echo "   $seeded real papers; host RSS ${seed_rss} MiB with them loaded"
stop

echo "== 2. multiply: $PAPERS papers straight into the SQLite read model"
dotnet "$TOOL" multiply "$DATA" "$PAPERS" "$WORK"
day=$(cat "$WORK/day.txt")
echo "   in-memory structures per replica (managed heap, as the hydrators load them):"
dotnet "$TOOL" memory "$DATA" | tee "$WORK/memory.txt"

echo "== 3. serve, rate limits lifted"
total=$((seeded + PAPERS))
serve_until_indexed serve "$total"
full_rss=$(rss_mib)
echo "   $total papers indexed ${loaded}s after start; host RSS ${full_rss} MiB (with $seeded papers: ${seed_rss} MiB)"

# run NAME PATH-PREFIX LINES-FILE CONNECTIONS [RATE]: one wrk run, its RESULT line appended to results.
results="$WORK/results.txt"
: >"$results"
run() {
  local name=$1 prefix=$2 file=$3 connections=$4 rate=${5:-0} delay=0
  (( rate > 0 )) && delay=$(( connections * 1000 / rate ))
  cat >"$WORK/$name.lua" <<LUA
local lines = {}
for line in io.lines("$file") do lines[#lines + 1] = line end
local i = math.random(#lines)
request = function() i = i % #lines + 1; return wrk.format("GET", "$prefix" .. lines[i]) end
$( (( delay > 0 )) && echo "delay = function() return $delay end" )
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %s %d %.1f %.1f %.1f %d\n", "$name", $rate, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests / (summary.duration / 1e6), e.status + e.connect + e.read + e.write + e.timeout))
end
LUA
  wrk -t2 -c"$connections" -d3s -s "$WORK/$name.lua" "$BASE" >/dev/null   # warm-up
  wrk -t2 -c"$connections" -d"${DURATION}s" --latency -s "$WORK/$name.lua" "$BASE" | grep '^RESULT' | tee -a "$results"
}
echo "$day" >"$WORK/day-line.txt"
echo "== 4. wrk, ${DURATION}s a run (RESULT name rate p50-ms p99-ms req/s errors)"
run page-daily "/date/" "$WORK/day-line.txt" 32
run page-daily-1000 "/date/" "$WORK/day-line.txt" 20 1000
run page-paper "/papers/" "$WORK/ids.txt" 32
run page-paper-1000 "/papers/" "$WORK/ids.txt" 20 1000
run hf-daily-papers "/api/daily_papers?limit=50&date=" "$WORK/day-line.txt" 32
run paper-by-id "/api/papers/" "$WORK/ids.txt" 32
run search "/api/papers/search?q=" "$WORK/queries.txt" 16
run search-200 "/api/papers/search?q=" "$WORK/queries.txt" 10 200
end_rss=$(rss_mib)

{
  echo "Papers web/API bench: $total papers ($seeded real, $PAPERS varied), $(nproc) cores shared by wrk and the host, ${DURATION}s a run"
  echo
  echo "| run | rate asked | p50 ms | p99 ms | req/s | errors |"
  echo "|---|---|---|---|---|---|"
  awk '{ printf "| %s | %s | %s | %s | %s | %s |\n", $2, ($3 == 0 ? "flat out" : $3 "/s"), $4, $5, $6, $7 }' "$results"
  echo
  echo "Memory (RSS of the all-in-one host): ${seed_rss} MiB with $seeded papers, ${full_rss} MiB with $total once loaded (${loaded}s), ${end_rss} MiB after the runs."
  echo "Per 100k papers, managed heap: $(sed 's/^MEMORY //' "$WORK/memory.txt")"
  echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$WORK/results.md"
