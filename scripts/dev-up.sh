#!/usr/bin/env bash
# The cluster mode on one machine, for a person to try: starts RabbitMQ, PostgreSQL and an SMTP
# sink (scripts/infra.sh, in a temp dir), then Ingest, Enrichment, Api, Notifications, Training and
# Analytics as six separate processes over them, each with its own database (Analytics' archive in
# the temp dir too). Api on http://127.0.0.1:8080.
# Notifications gets a key of its own with the library scope ("for you" digests), as in the chart.
# Ctrl+C stops the services and the servers.
#   scripts/dev-up.sh                       build (Release) and start
#   NO_BUILD=1 scripts/dev-up.sh            start what is already built
#   API_PORT=9090 scripts/dev-up.sh         other ports: API_PORT INGEST_PORT ENRICHMENT_PORT NOTIFICATIONS_PORT TRAINING_PORT ANALYTICS_PORT
# Then, e.g.:  dotnet services/Ingest/bin/Release/net10.0/Papers.Ingest.dll backfill FILE --api http://127.0.0.1:8080
#              after `source $PAPERS_INFRA_DIR/cluster.env` (the path is printed once it is up).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/infra.sh
source scripts/infra.sh

CONFIGURATION=${CONFIGURATION:-Release}
declare -A PORTS=(
  [Api]=${API_PORT:-8080} [Ingest]=${INGEST_PORT:-8081}
  [Enrichment]=${ENRICHMENT_PORT:-8082} [Notifications]=${NOTIFICATIONS_PORT:-8083}
  [Training]=${TRAINING_PORT:-8084} [Analytics]=${ANALYTICS_PORT:-8085})
SERVICES=(Enrichment Api Ingest Notifications Training Analytics)
declare -A PIDS=()

stop_all() {
  trap - INT TERM EXIT
  echo
  echo "dev-up: stopping services"
  for s in "${!PIDS[@]}"; do kill "${PIDS[$s]}" 2>/dev/null || true; done
  for s in "${!PIDS[@]}"; do wait "${PIDS[$s]}" 2>/dev/null || true; done
  echo "dev-up: stopping RabbitMQ, PostgreSQL, SMTP sink"
  infra_down
  exit 0
}

for s in "${SERVICES[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/${PORTS[$s]}") 2>/dev/null; then
    echo "dev-up: port ${PORTS[$s]} (for $s) is in use; set ${s^^}_PORT" >&2
    exit 1
  fi
done

if [ -z "${NO_BUILD:-}" ]; then
  echo "dev-up: building the services ($CONFIGURATION)"
  for s in "${SERVICES[@]}"; do
    dotnet build "services/$s/$s.csproj" -c "$CONFIGURATION" -nologo -clp:NoSummary -v q
  done
fi

infra_install
trap stop_all INT TERM EXIT
infra_up

cluster_env() { # the environment of one service
  local s=$1 db
  db=papers_$(echo "$s" | tr '[:upper:]' '[:lower:]')
  cat <<ENV
Messaging__Transport=RabbitMq
ConnectionStrings__RabbitMq=$PAPERS_TEST_RABBITMQ
Database__Provider=Postgres
ConnectionStrings__Papers=$PAPERS_TEST_POSTGRES;Database=$db
ConnectionStrings__Identity=$PAPERS_TEST_POSTGRES;Database=papers_identity
Services__Enrichment=http://127.0.0.1:${PORTS[Enrichment]}
Services__Training=http://127.0.0.1:${PORTS[Training]}
Services__Api=http://127.0.0.1:${PORTS[Api]}
Mail__Transport=Smtp
Mail__Smtp__Host=${PAPERS_TEST_SMTP%:*}
Mail__Smtp__Port=${PAPERS_TEST_SMTP#*:}
PublicSite__BaseUrl=http://127.0.0.1:${PORTS[Api]}
ENV
  # Internal only, as the chart runs it: Enrichment fetches the promoted tagger model here.
  [ "$s" = Training ] && echo RateLimits__Enabled=false
  [ "$s" = Analytics ] && echo "Analytics__Root=$PAPERS_INFRA_DIR/archive"
  [ "$s" = Notifications ] && [ -n "${LIBRARY_KEY:-}" ] && echo "Services__ApiKey=$LIBRARY_KEY"
  return 0
}

logs="$PAPERS_INFRA_DIR/logs"
mkdir -p "$logs"
# Notifications' own key, scope library, as the chart's notifications.apiKey: "for you" digests
# read each subscriber's library from the Api with it. `keys issue` prints it as its last line
# on stdout (the host's own log lines come before it).
mapfile -t vars < <(cluster_env Notifications)
LIBRARY_KEY=$(cd "services/Notifications/bin/$CONFIGURATION/net10.0" &&
  env "${vars[@]}" Logging__LogLevel__Default=Warning dotnet Papers.Notifications.dll keys issue --name notifications --scopes library --quota 100000 2>>"$logs/keys.log" | tail -n 1) &&
  [[ "$LIBRARY_KEY" =~ ^[A-Za-z0-9_.-]+$ ]] ||
  { echo "dev-up: could not issue Notifications' library key; see $logs/keys.log" >&2; cat "$logs/keys.log" >&2; exit 1; }
for s in "${SERVICES[@]}"; do
  dll="services/$s/bin/$CONFIGURATION/net10.0/Papers.$s.dll"
  [ -f "$dll" ] || { echo "dev-up: $dll is missing; build first" >&2; exit 1; }
  mapfile -t vars < <(cluster_env "$s")
  (cd "$(dirname "$dll")" && exec env "${vars[@]}" ASPNETCORE_URLS="http://127.0.0.1:${PORTS[$s]}" dotnet "Papers.$s.dll") \
    >"$logs/$(echo "$s" | tr '[:upper:]' '[:lower:]').log" 2>&1 &
  PIDS[$s]=$!
done
# For commands run by hand (a backfill): Ingest's environment, quoted for `source`.
cluster_env Ingest | sed -E "s/^([^=]+)=(.*)$/export \1='\2'/" >"$PAPERS_INFRA_DIR/cluster.env"

for s in "${SERVICES[@]}"; do
  i=0
  until curl -fs -o /dev/null "http://127.0.0.1:${PORTS[$s]}/health/ready"; do
    kill -0 "${PIDS[$s]}" 2>/dev/null || { echo "dev-up: $s exited; see $logs" >&2; tail -20 "$logs/"*"$(echo "$s" | tr '[:upper:]' '[:lower:]')".log >&2; exit 1; }
    i=$((i + 1)); ((i < 600)) || { echo "dev-up: $s not ready after 120 s; see $logs" >&2; exit 1; }
    sleep 0.2
  done
  echo "dev-up: $s ready on http://127.0.0.1:${PORTS[$s]} (pid ${PIDS[$s]})"
done

cat <<MSG

Papers cluster mode is up:
  web and API        http://127.0.0.1:${PORTS[Api]}/        (GET /api/stats)
  RabbitMQ console   $PAPERS_TEST_RABBITMQ_MANAGEMENT  (guest/guest)
  PostgreSQL         $PAPERS_TEST_POSTGRES  (databases papers_api, papers_ingest, papers_notifications, papers_training, papers_analytics, papers_identity)
  event archive      $PAPERS_INFRA_DIR/archive  (admin endpoints /api/analytics/... on http://127.0.0.1:${PORTS[Analytics]})
  mail sink          $PAPERS_TEST_MAILDIR
  logs               $logs
Backfill some papers through it (another terminal):
  source $PAPERS_INFRA_DIR/cluster.env
  dotnet services/Ingest/bin/$CONFIGURATION/net10.0/Papers.Ingest.dll backfill tests/Cluster.Tests/Data/papers.jsonl --api http://127.0.0.1:${PORTS[Api]}
Ctrl+C stops everything.
MSG

# Wait until Ctrl+C, or until a service dies.
while true; do
  for s in "${!PIDS[@]}"; do
    if ! kill -0 "${PIDS[$s]}" 2>/dev/null; then
      echo "dev-up: $s exited; last lines of its log:" >&2
      tail -20 "$logs/$(echo "$s" | tr '[:upper:]' '[:lower:]').log" >&2
      exit 1
    fi
  done
  sleep 1
done
