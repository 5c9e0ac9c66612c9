#!/usr/bin/env bash
# Pipeline benchmark over RabbitMQ + PostgreSQL (not a test): the four services as separate
# processes, as in the cluster mode, on the servers of scripts/infra.sh (started here unless
# PAPERS_TEST_RABBITMQ/PAPERS_TEST_POSTGRES already name running ones).
#  1. throughput: backfill BENCH_PAPERS papers (default: all but the last BENCH_LATENCY_PAPERS of
#     tests/Cluster.Tests/Data/papers.jsonl) and time it until the Api has every one enriched;
#  2. the Enrichment service's own embeddings/s on the same texts, in the same run (its POST /embed,
#     batches of 32 like its consumer);  overhead = end-to-end time / embedding time - 1;
#  3. latency at a steady rate: the remaining papers in chunks of BENCH_CHUNK every
#     BENCH_INTERVAL seconds; per paper, searchable (the later of its papers."UpdatedAt" and
#     enrichments."UpdatedAt" in the Api database) minus papers."IngestedAt" (Ingest's intake);
#  4. each service's peak resident memory over the run.
# Usage: scripts/bench-pipeline.sh    (NO_BUILD=1 to skip the Release build)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/infra.sh
source scripts/infra.sh

FILE=${BENCH_FILE:-tests/Cluster.Tests/Data/papers.jsonl}
LATENCY_PAPERS=${BENCH_LATENCY_PAPERS:-150}
CHUNK=${BENCH_CHUNK:-5}
INTERVAL=${BENCH_INTERVAL:-2}
TOTAL=$(grep -c . "$FILE")
PAPERS=${BENCH_PAPERS:-$((TOTAL - LATENCY_PAPERS))}
PY=/usr/bin/python3
SERVICES=(Enrichment Api Ingest Notifications)
declare -A PORTS=() PIDS=()
RUN_ID="bench$$"
WORK=$(mktemp -d /tmp/papers-bench.XXXXXX)

cleanup() {
  for s in "${!PIDS[@]}"; do kill "${PIDS[$s]}" 2>/dev/null || true; done
  for s in "${!PIDS[@]}"; do wait "${PIDS[$s]}" 2>/dev/null || true; done
  if [ -n "${OWN_INFRA:-}" ]; then
    infra_down
  else
    curl -fsS -u guest:guest -X DELETE "$PAPERS_TEST_RABBITMQ_MANAGEMENT/api/vhosts/$RUN_ID" >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if [ -z "${NO_BUILD:-}" ]; then
  for s in "${SERVICES[@]}"; do dotnet build "services/$s/$s.csproj" -c Release -nologo -clp:NoSummary -v q; done
fi
if [ -z "${PAPERS_TEST_RABBITMQ:-}" ] || [ -z "${PAPERS_TEST_POSTGRES:-}" ]; then
  infra_install
  OWN_INFRA=1
  infra_up
fi
curl -fsS -u guest:guest -X PUT "$PAPERS_TEST_RABBITMQ_MANAGEMENT/api/vhosts/$RUN_ID" >/dev/null
curl -fsS -u guest:guest -X PUT -H 'content-type: application/json' -d '{"configure":".*","write":".*","read":".*"}' \
  "$PAPERS_TEST_RABBITMQ_MANAGEMENT/api/permissions/$RUN_ID/guest" >/dev/null
for s in "${SERVICES[@]}"; do PORTS[$s]=$(infra_free_port); done

service_env() {
  local s=$1
  cat <<ENV
Messaging__Transport=RabbitMq
ConnectionStrings__RabbitMq=${PAPERS_TEST_RABBITMQ%/}/$RUN_ID
Database__Provider=Postgres
ConnectionStrings__Papers=$PAPERS_TEST_POSTGRES;Database=papers_${RUN_ID}_$(echo "$s" | tr '[:upper:]' '[:lower:]')
ConnectionStrings__Identity=$PAPERS_TEST_POSTGRES;Database=papers_${RUN_ID}_identity
RateLimits__Enabled=false
Services__Enrichment=http://127.0.0.1:${PORTS[Enrichment]}
Digests__Cron=
Mail__Transport=Smtp
Mail__Smtp__Host=${PAPERS_TEST_SMTP%:*}
Mail__Smtp__Port=${PAPERS_TEST_SMTP#*:}
Logging__LogLevel__Default=Warning
ENV
}

for s in "${SERVICES[@]}"; do
  mapfile -t vars < <(service_env "$s")
  (cd "services/$s/bin/Release/net10.0" && exec env "${vars[@]}" ASPNETCORE_URLS="http://127.0.0.1:${PORTS[$s]}" dotnet "Papers.$s.dll") \
    >"$WORK/$s.log" 2>&1 &
  PIDS[$s]=$!
done
for s in "${SERVICES[@]}"; do
  i=0
  until curl -fs -o /dev/null "http://127.0.0.1:${PORTS[$s]}/health/ready"; do
    kill -0 "${PIDS[$s]}" 2>/dev/null || { echo "bench: $s exited" >&2; tail -30 "$WORK/$s.log" >&2; exit 1; }
    i=$((i + 1)); ((i < 900)) || { echo "bench: $s not ready" >&2; exit 1; }
    sleep 0.2
  done
done
API=http://127.0.0.1:${PORTS[Api]}
mapfile -t INGEST_ENV < <(service_env Ingest)
backfill() { env "${INGEST_ENV[@]}" dotnet services/Ingest/bin/Release/net10.0/Papers.Ingest.dll backfill "$@"; }
psql_api() {
  $PY - "$PAPERS_TEST_POSTGRES" "papers_${RUN_ID}_api" "$1" <<'PYEOF'
import sys, subprocess, os
cs = dict(p.split('=', 1) for p in sys.argv[1].split(';') if p)
env = dict(os.environ, PGPASSWORD=cs.get('Password', ''))
out = subprocess.run(['psql', '-h', cs['Host'], '-p', cs['Port'], '-U', cs['Username'], '-d', sys.argv[2], '-At', '-F', ' ', '-c', sys.argv[3]],
                     env=env, check=True, capture_output=True, text=True).stdout
print(out.strip())
PYEOF
}

head -n "$PAPERS" "$FILE" >"$WORK/throughput.jsonl"
tail -n "$LATENCY_PAPERS" "$FILE" >"$WORK/latency.jsonl"
echo "bench: services up (logs $WORK); $(nproc) cores; backfilling $PAPERS papers"

# 1. End to end: from starting the backfill until the Api has every paper enriched.
start=$(date +%s.%N)
backfill "$WORK/throughput.jsonl" --api "$API" --timeout 1800 | grep -v 'backfill: in the Api' || { echo "bench: backfill failed" >&2; exit 1; }
end=$(date +%s.%N)

# 2. The model alone, in this run, on the same texts (title. abstract), as the consumer batches them.
EMBED=$($PY - "$WORK/throughput.jsonl" "http://127.0.0.1:${PORTS[Enrichment]}/embed" <<'PYEOF'
import json, sys, time, urllib.request
texts = []
for line in open(sys.argv[1]):
    if line.strip():
        p = json.loads(line)
        title, summary = (p.get('title') or '').strip(), (p.get('summary') or p.get('abstract') or '').strip()
        texts.append(f"{title}. {summary}" if summary else title)
def embed(batch):
    req = urllib.request.Request(sys.argv[2], json.dumps({"texts": batch}).encode(), {"content-type": "application/json"})
    urllib.request.urlopen(req, timeout=600).read()
embed(texts[:4])
t = time.perf_counter()
for i in range(0, len(texts), 32):
    embed(texts[i:i + 32])
print(f"{len(texts)} {time.perf_counter() - t:.3f}")
PYEOF
)

# 3. Latency at a steady rate.
split -l "$CHUNK" -d -a 4 "$WORK/latency.jsonl" "$WORK/chunk-"
lat_start=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)
for f in "$WORK"/chunk-*; do
  t0=$(date +%s.%N)
  backfill "$f" --timeout 120 >/dev/null
  sleep "$($PY -c "import sys; print(max(0.0, $INTERVAL - ($(date +%s.%N) - $t0)))")"
done
i=0
until [ "$(psql_api "SELECT count(*) FROM papers p JOIN enrichments e USING (\"PaperId\") WHERE p.\"IngestedAt\" >= '$lat_start' AND e.\"ContentHash\" = p.\"ContentHash\"")" -ge "$LATENCY_PAPERS" ]; do
  i=$((i + 1)); ((i < 600)) || { echo "bench: latency papers not all enriched" >&2; exit 1; }
  sleep 0.5
done
LAT=$(psql_api "SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY d)::numeric * 1000), round(percentile_cont(0.95) WITHIN GROUP (ORDER BY d)::numeric * 1000), round(max(d)::numeric * 1000), count(*)
  FROM (SELECT extract(epoch FROM greatest(p.\"UpdatedAt\", e.\"UpdatedAt\") - p.\"IngestedAt\") AS d
        FROM papers p JOIN enrichments e USING (\"PaperId\") WHERE p.\"IngestedAt\" >= '$lat_start') x")

# 4. Peak resident memory of each service over the whole run (the kernel's high-water mark).
MEM=""
for s in "${SERVICES[@]}"; do
  MEM+="$s=$(awk '/^VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/${PIDS[$s]}/status") "
done

$PY - "$PAPERS" "$start" "$end" "$EMBED" "$LAT" "$CHUNK" "$INTERVAL" "$MEM" <<'PYEOF'
import sys
n = int(sys.argv[1]); e2e = float(sys.argv[3]) - float(sys.argv[2])
en, et = sys.argv[4].split(); en = int(en); et = float(et)
p50, p95, pmax, count = sys.argv[5].split()
chunk, interval = int(sys.argv[6]), float(sys.argv[7])
print("== pipeline benchmark (RabbitMQ + PostgreSQL, four processes)")
print(f"end to end      {n} papers in {e2e:.1f} s = {n / e2e:.1f} papers/s (backfill start until all enriched in the Api)")
print(f"embedding only  {en} texts in {et:.1f} s = {en / et:.1f} embeddings/s (Enrichment POST /embed, batches of 32, same process, same texts)")
print(f"overhead        {e2e / et - 1:+.1%} of the embedding time (goal: under 10%)")
print(f"latency         {count} papers at {chunk / interval:.1f} papers/s ({chunk} every {interval:g} s): "
      f"publish -> searchable p50 {int(p50)} ms, p95 {int(p95)} ms, max {int(pmax)} ms")
print("peak memory     " + ", ".join(f"{k} {v} MB" for k, v in (x.split("=") for x in sys.argv[8].split())) + " (resident high-water mark; Enrichment target < 1536 MB)")
PYEOF
