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
#  4. each service's peak resident memory over the run;
#  5. CPU-seconds (utime + stime from /proc, sampled every 0.25 s so short-lived PostgreSQL
#     backends are counted too) of every process over the throughput phase: the four services,
#     the backfill command, RabbitMQ (its beam.smp and children) and PostgreSQL (the backends of
#     this run's databases, and the server's own processes); the model's CPU per text is the
#     Enrichment process's CPU during step 2, and the pipeline's own overhead is everything else:
#     non-model CPU per paper = (all CPU in step 1 - model CPU per text x papers) / papers.
#     CPU-seconds, unlike wall-clock rates, hold up on a machine busy with other work. RabbitMQ
#     and PostgreSQL are whole servers: on shared ones (PAPERS_TEST_* naming servers others use)
#     the bench warns when other vhosts or databases were busy meanwhile.
# Usage: scripts/bench-pipeline.sh    (NO_BUILD=1 to skip the Release build; BENCH_IDLE=seconds of
#        idle CPU measured after step 1, default 10; BENCH_WARMUP=N papers through the pipeline before
#        step 1, default 0; BENCH_LATENCY_PAPERS=0 skips step 3; BENCH_ENV="K=V ..." for every service)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/infra.sh
source scripts/infra.sh

FILE=${BENCH_FILE:-tests/Cluster.Tests/Data/papers.jsonl}
LATENCY_PAPERS=${BENCH_LATENCY_PAPERS:-150}
CHUNK=${BENCH_CHUNK:-5}
INTERVAL=${BENCH_INTERVAL:-2}
WARMUP=${BENCH_WARMUP:-0}
TOTAL=$(grep -c . "$FILE")
PAPERS=${BENCH_PAPERS:-$((TOTAL - LATENCY_PAPERS - WARMUP))}
((PAPERS + LATENCY_PAPERS + WARMUP <= TOTAL)) || { echo "bench: $FILE has $TOTAL papers, fewer than $PAPERS + $LATENCY_PAPERS + $WARMUP" >&2; exit 2; }
PY=/usr/bin/python3
SERVICES=(Enrichment Api Ingest Notifications)
declare -A PORTS=() PIDS=()
RUN_ID="bench$$"
WORK=$(mktemp -d /tmp/papers-bench.XXXXXX)

cleanup() {
  [ -n "${SAMPLER:-}" ] && kill "$SAMPLER" 2>/dev/null
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
Digests__WakeEvery=00:00:00
Mail__Transport=Smtp
Mail__Smtp__Host=${PAPERS_TEST_SMTP%:*}
Mail__Smtp__Port=${PAPERS_TEST_SMTP#*:}
Logging__LogLevel__Default=Warning
ENV
  # BENCH_ENV="KEY=VALUE ...": extra settings for every service and the backfill (experiments).
  for setting in ${BENCH_ENV:-}; do echo "$setting"; done
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
grep . "$FILE" | awk -v from=$((TOTAL - LATENCY_PAPERS - WARMUP)) -v to=$((TOTAL - WARMUP)) 'NR > from && NR <= to' >"$WORK/latency.jsonl"
tail -n "$WARMUP" "$FILE" >"$WORK/warmup.jsonl"
echo "bench: services up (logs $WORK); $(nproc) cores; backfilling $PAPERS papers"

# 5. CPU-seconds: a sampler follows every process and answers marks with each one's CPU so far.
mkfifo "$WORK/cpu.fifo"
mkdir "$WORK/cpu"
cat >"$WORK/cpu_sampler.py" <<'PYEOF'
import json, os, re, select, sys, time
# cpu_sampler.py FIFO OUTDIR DB_PREFIX RABBITMQ_PID POSTMASTER_PID NAME=PID...: samples every
# 0.25 s; a line LABEL on FIFO writes OUTDIR/LABEL.json with each group's CPU-seconds so far.
fifo, outdir, prefix, rabbit, postmaster = sys.argv[1:6]
fixed = {int(pid): name for name, pid in (a.split('=', 1) for a in sys.argv[6:])}
rabbit, postmaster = int(rabbit or 0), int(postmaster or 0)
db = re.compile(re.escape(prefix) + r'([a-z0-9_]+)')
seen = {}  # (pid, start time) -> [group, ticks]: the last value of every process ever seen
threads = {}  # tid -> whether it is a service's tiered-compilation thread

def stat(pid):
    try:
        with open(f'/proc/{pid}/stat') as f:
            raw = f.read()
    except OSError:
        return None
    fields = raw[raw.rindex(')') + 2:].split()
    return int(fields[11]) + int(fields[12]), fields[19]  # utime + stime, start time

def pg_group(pid):
    try:
        with open(f'/proc/{pid}/cmdline', 'rb') as f:
            title = f.read().decode(errors='replace')
    except OSError:
        title = ''
    m = db.search(title)
    # A backend's title: "postgres: USER DATABASE HOST(PORT) STATE"; the rest are the server's own.
    return 'pg:' + m.group(1) if m else 'pg:other' if '(' in title or '[local]' in title else 'pg:server'

def children(pid):
    kids = []
    try:
        for task in os.listdir(f'/proc/{pid}/task'):
            with open(f'/proc/{pid}/task/{task}/children') as f:
                kids += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return kids

def sample():
    found = dict(fixed)
    todo = [rabbit] if rabbit else []
    while todo:
        p = todo.pop()
        found[p] = 'rabbitmq'
        todo.extend(children(p))
    if postmaster:
        found[postmaster] = 'pg:server'
        for p in children(postmaster):
            found[p] = None
    for pid, group in found.items():
        if st := stat(pid):
            known = seen.get((pid, st[1]))
            if group is None:
                group = known[0] if known and known[0] != 'pg:server' else pg_group(pid)
            seen[(pid, st[1])] = [group, st[0]]
    # The runtime's tiered-compilation thread of each service: its CPU is (re)compiling hot code.
    for pid, name in fixed.items():
        try:
            tids = os.listdir(f'/proc/{pid}/task')
        except OSError:
            continue
        for tid in tids:
            if tid not in threads:
                try:
                    with open(f'/proc/{pid}/task/{tid}/comm') as f:
                        threads[tid] = f.read().startswith('.NET Tiered Com')
                except OSError:
                    continue
            if threads[tid] and (st := stat(f'{pid}/task/{tid}')):
                seen[('t' + tid, st[1])] = [name + ':jit', st[0]]

fd, buf, hz = os.open(fifo, os.O_RDWR), b'', os.sysconf('SC_CLK_TCK')
while True:
    ready, _, _ = select.select([fd], [], [], 0.25)
    sample()
    if ready:
        buf += os.read(fd, 4096)
        while b'\n' in buf:
            line, buf = buf.split(b'\n', 1)
            totals = {'_time': time.time()}
            for group, ticks in seen.values():
                totals[group] = totals.get(group, 0) + ticks / hz
            path = os.path.join(outdir, line.decode().strip())
            with open(path + '.tmp', 'w') as f:
                json.dump(totals, f)
            os.rename(path + '.tmp', path + '.json')
PYEOF
RABBITMQ_PID=$(cat "${RABBITMQ_PID_FILE:-/nonexistent}" 2>/dev/null || pgrep -f -o "beam.smp.*-sname ${RABBITMQ_NODENAME:-none}" || true)
POSTMASTER_PID=$(head -1 "${PAPERS_POSTGRES_DATA:-/nonexistent}/postmaster.pid" 2>/dev/null || true)
[ -n "$RABBITMQ_PID" ] || echo "bench: RabbitMQ's process not found (RABBITMQ_PID_FILE, RABBITMQ_NODENAME): its CPU is not counted" >&2
[ -n "$POSTMASTER_PID" ] || echo "bench: PostgreSQL's postmaster not found (PAPERS_POSTGRES_DATA): its CPU is not counted" >&2
$PY "$WORK/cpu_sampler.py" "$WORK/cpu.fifo" "$WORK/cpu" "papers_${RUN_ID}_" "$RABBITMQ_PID" "$POSTMASTER_PID" \
  $(for s in "${SERVICES[@]}"; do printf '%s=%s ' "$s" "${PIDS[$s]}"; done) &
SAMPLER=$!
cpu_mark() {
  echo "$1" >"$WORK/cpu.fifo"
  until [ -f "$WORK/cpu/$1.json" ]; do sleep 0.05; done
}
other_vhost_connections() {
  curl -fsS -u guest:guest "$PAPERS_TEST_RABBITMQ_MANAGEMENT/api/connections?columns=vhost" 2>/dev/null \
    | $PY -c "import json, sys; print(sum(1 for c in json.load(sys.stdin) if c.get('vhost') != '$RUN_ID'))" 2>/dev/null || echo 0
}

# BENCH_WARMUP=N: the file's last N papers go through first, unmeasured, so step 1 finds warm
# services (code already compiled, connections open) instead of freshly started ones.
if ((WARMUP > 0)); then
  echo "bench: warming up with $WARMUP papers"
  backfill "$WORK/warmup.jsonl" --api "$API" --timeout 1800 >/dev/null || { echo "bench: warm-up failed" >&2; exit 1; }
fi

# 1. End to end: from starting the backfill until the Api has every paper enriched.
OTHER_CONNECTIONS=$(other_vhost_connections)
# The backfill command's CPU: what the shell's finished children used (bash's times), before and after.
times >"$WORK/times.before"
cpu_mark start
start=$(date +%s.%N)
backfill "$WORK/throughput.jsonl" --api "$API" --timeout 1800 | grep -v 'backfill: in the Api' || { echo "bench: backfill failed" >&2; exit 1; }
end=$(date +%s.%N)
cpu_mark end
times >"$WORK/times.after"
OTHER_CONNECTIONS="$OTHER_CONNECTIONS $(other_vhost_connections)"

# Idle CPU of every process, warm, with nothing left to do: what polling and timers cost per second.
sleep 2
cpu_mark idle-start
sleep "${BENCH_IDLE:-10}"
cpu_mark idle-end

# 2. The model alone, in this run, on the same texts (title. abstract), as the consumer batches them.
#    Enrichment's CPU meanwhile is the model's CPU on these texts (plus a little HTTP).
EMBED=$($PY - "$WORK/throughput.jsonl" "http://127.0.0.1:${PORTS[Enrichment]}/embed" "$WORK/cpu.fifo" "$WORK/cpu" <<'PYEOF'
import json, os, sys, time, urllib.request
texts = []
for line in open(sys.argv[1]):
    if line.strip():
        p = json.loads(line)
        title, summary = (p.get('title') or '').strip(), (p.get('summary') or p.get('abstract') or '').strip()
        texts.append(f"{title}. {summary}" if summary else title)
def embed(batch):
    req = urllib.request.Request(sys.argv[2], json.dumps({"texts": batch}).encode(), {"content-type": "application/json"})
    urllib.request.urlopen(req, timeout=600).read()
def cpu_mark(label):
    with open(sys.argv[3], 'w') as f:
        f.write(label + '\n')
    while not os.path.exists(os.path.join(sys.argv[4], label + '.json')):
        time.sleep(0.05)
embed(texts[:4])
cpu_mark('embed-start')
t = time.perf_counter()
for i in range(0, len(texts), 32):
    embed(texts[i:i + 32])
elapsed = time.perf_counter() - t
cpu_mark('embed-end')
print(f"{len(texts)} {elapsed:.3f}")
PYEOF
)

# 3. Latency at a steady rate (BENCH_LATENCY_PAPERS=0 skips it).
LAT="- - - 0"
if ((LATENCY_PAPERS > 0)); then
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
fi

# 4. Peak resident memory of each service over the whole run (the kernel's high-water mark).
MEM=""
for s in "${SERVICES[@]}"; do
  MEM+="$s=$(awk '/^VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/${PIDS[$s]}/status") "
done

$PY - "$PAPERS" "$start" "$end" "$EMBED" "$LAT" "$CHUNK" "$INTERVAL" "$MEM" "$WORK/cpu" "$WORK/times.before" "$WORK/times.after" "$OTHER_CONNECTIONS" <<'PYEOF'
import json, re, sys
n = int(sys.argv[1]); e2e = float(sys.argv[3]) - float(sys.argv[2])
en, et = sys.argv[4].split(); en = int(en); et = float(et)
p50, p95, pmax, count = sys.argv[5].split()
chunk, interval = int(sys.argv[6]), float(sys.argv[7])
print("== pipeline benchmark (RabbitMQ + PostgreSQL, four processes)")
print(f"end to end      {n} papers in {e2e:.1f} s = {n / e2e:.1f} papers/s (backfill start until all enriched in the Api)")
print(f"embedding only  {en} texts in {et:.1f} s = {en / et:.1f} embeddings/s (Enrichment POST /embed, batches of 32, same process, same texts)")
print(f"overhead        {e2e / et - 1:+.1%} of the embedding time (goal: under 10%)")
if int(count):
    print(f"latency         {count} papers at {chunk / interval:.1f} papers/s ({chunk} every {interval:g} s): "
          f"publish -> searchable p50 {int(p50)} ms, p95 {int(p95)} ms, max {int(pmax)} ms")
else:
    print("latency         skipped (BENCH_LATENCY_PAPERS=0)")
print("peak memory     " + ", ".join(f"{k} {v} MB" for k, v in (x.split("=") for x in sys.argv[8].split())) + " (resident high-water mark; Enrichment target < 1536 MB)")

def mark(label):
    with open(f"{sys.argv[9]}/{label}.json") as f:
        return json.load(f)
def between(a, b):
    a, b = mark(a), mark(b)
    return {k: b[k] - a.get(k, 0) for k in b if k != '_time'}, b['_time'] - a['_time']
def children(path):  # bash's times: the second line is the children's user and system time
    line = open(path).read().splitlines()[1]
    return sum(int(m) * 60 + float(s) for m, s in re.findall(r'(\d+)m([\d.]+)s', line))
run, wall = between('start', 'end')
idle, idle_wall = between('idle-start', 'idle-end')
model, _ = between('embed-start', 'embed-end')
run['backfill'] = children(sys.argv[11]) - children(sys.argv[10])
rows = [('Enrichment', 'Enrichment'), ('Api', 'Api'), ('Ingest', 'Ingest (service: outbox relay)'),
        ('Notifications', 'Notifications'), ('backfill', 'backfill command (intake, waits on the Api)'),
        ('rabbitmq', 'RabbitMQ (beam.smp and children)')]
rows += [(k, f"PostgreSQL backends, {k[3:]} database") for k in sorted(run) if k.startswith('pg:') and k not in ('pg:server', 'pg:other')]
rows += [('pg:server', 'PostgreSQL server (postmaster, WAL, checkpoints)')]
total = sum(run.get(k, 0) for k, _ in rows)
jit = sum(v for k, v in run.items() if k.endswith(':jit'))
idle_cost = sum(wall * idle.get(k, 0) / idle_wall for k, _ in rows)
print(f"== CPU over the throughput phase ({n} papers, {wall:.1f} s; utime + stime from /proc)")
print(f"{'process':50} {'CPU-s':>7} {'CPU-ms/paper':>12} {'share':>6} {'JIT ms/paper':>12} {'idle ms/s':>9}")
for key, name in rows:
    cpu = run.get(key, 0.0)
    jit_rate = f"{1000 * run[key + ':jit'] / n:12.2f}" if key + ':jit' in run else f"{'':12}"
    idle_rate = f"{1000 * idle.get(key, 0) / idle_wall:9.1f}" if key != 'backfill' else f"{'':9}"
    print(f"{name:50} {cpu:7.2f} {1000 * cpu / n:12.2f} {cpu / total:6.1%} {jit_rate} {idle_rate}")
print(f"{'all':50} {total:7.2f} {1000 * total / n:12.2f} {1:6.0%} {1000 * jit / n:12.2f} {1000 * idle_cost / wall:9.1f}")
print("                JIT: the services' tiered-compilation threads (recompiling hot code; a cold process's cost, gone once warm);")
print(f"                idle: CPU per second of the same processes after step 1 with nothing to do (polls, timers): {idle_cost:.1f} CPU-s over this phase's {wall:.0f} s")
per_text = model.get('Enrichment', 0) / en
model_run = per_text * n
non_model = total - model_run
print(f"model           {1000 * per_text:.2f} CPU-ms per text: Enrichment's CPU during step 2 ({model.get('Enrichment', 0):.2f} s for {en} texts, POST /embed)")
print(f"model in step 1 {model_run:.2f} CPU-s = {1000 * per_text:.2f} ms x {n} papers (the papers' own embeddings; keyphrase embeddings, tags and messaging count as the pipeline's)")
print(f"non-model       {non_model:.2f} CPU-s = {1000 * non_model / n:.2f} CPU-ms per paper = {non_model / model_run:.0%} of the model's (goal: at most 25%); "
      f"of it Enrichment {1000 * (run.get('Enrichment', 0) - model_run) / n:.2f} ms/paper, the rest {1000 * (total - run.get('Enrichment', 0)) / n:.2f} ms/paper")
rest = non_model - jit - idle_cost
print(f"                without JIT and idle: {1000 * rest / n:.2f} CPU-ms per paper = {rest / model_run:.0%} of the model's (roughly what a further paper costs warm services on a quiet machine)")
if run.get('pg:other', 0) > 0.05:
    print(f"warning         PostgreSQL backends of other databases used {run['pg:other']:.2f} CPU-s meanwhile (not counted; the server's own processes include their share)")
before, after = (int(x) for x in sys.argv[12].split())
if before or after:
    print(f"warning         RabbitMQ had {before}/{after} connections of other vhosts at the start/end: its CPU includes their traffic")
PYEOF
