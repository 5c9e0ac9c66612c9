#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs and starts what it needs (RabbitMQ,
# PostgreSQL, an SMTP sink, helm), builds with warnings as errors, checks formatting, runs every
# test project and the Helm chart checks, and stops the servers it started.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/infra.sh
source scripts/infra.sh

infra_install
trap infra_down EXIT
infra_up

echo "== build (warnings are errors)"
dotnet build platform.sln -c Release -nologo -clp:NoSummary -v q

echo "== format"
dotnet format platform.sln --verify-no-changes --no-restore

echo "== tests"
results=$(mktemp)
trx=$(mktemp -d)
status=0
run_tests() {
  dotnet test "$@" -c Release --no-build -nologo -v q --results-directory "$trx" --logger "trx;LogFilePrefix=run" 2>&1 | tee -a "$results" || status=$?
}
# Cluster.Tests stops the shared broker (rabbitmqctl stop_app) to test an outage, so it runs alone,
# after the rest: a project running beside it lost RabbitMQ mid-test (a CI run failed that way).
run_tests platform.sln --filter "FullyQualifiedName!~Papers.Cluster.Tests"
run_tests tests/Cluster.Tests

echo "== helm chart"
helm_status=0
scripts/helm-check.sh || helm_status=$?

passed=$(grep -oE 'Passed: +[0-9]+' "$results" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$results" | awk '{s+=$2} END {print s+0}')
echo "dotnet: $passed passed, $failed failed"
# Name the failures last too: CI keeps only the tail of the output, and the runner's own lines
# are thousands of lines above it.
if ((failed != 0 || status != 0)); then
  echo "== failed tests"
  grep -E '\[FAIL\]|Test Run Aborted|aborted' "$results" | cut -c1-300 | head -40 || true
  /usr/bin/python3 scripts/failed-tests.py "$trx" || true
fi
rm -rf "$results" "$trx"
if ((status != 0 || helm_status != 0 || failed != 0)); then
  exit 1
fi
