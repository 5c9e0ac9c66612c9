#!/usr/bin/env bash
# Real servers on this machine without systemd or Docker: RabbitMQ, PostgreSQL, an SMTP sink.
# Source it, then call infra_install, infra_up and (in a trap) infra_down. Every server runs as
# its own process tree from a temporary folder, on ports chosen here, and is stopped by PID.
# infra_up exports what the tests and services read:
#   PAPERS_TEST_RABBITMQ   amqp://guest:guest@127.0.0.1:PORT/        (RabbitMQ AMQP URI)
#   PAPERS_TEST_RABBITMQ_MANAGEMENT  http://127.0.0.1:PORT            (management API, guest/guest)
#   PAPERS_TEST_POSTGRES   Host=127.0.0.1;Port=PORT;Username=postgres;Password=...
#   PAPERS_TEST_SMTP       127.0.0.1:PORT    and  PAPERS_TEST_MAILDIR   (aiosmtpd Maildir)
#   PAPERS_INFRA_DIR       the temporary folder (logs are there)
# Recipes and traps: ../shared/docs/LOCAL-SERVERS.md (RabbitMQ readiness is check_running, not ping).

INFRA_PACKAGES=(rabbitmq-server postgresql python3-aiosmtpd chromium unzip curl)

infra_install() {
  local missing=()
  for p in "${INFRA_PACKAGES[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "infra: installing ${missing[*]}"
    apt-get update -qq
    # apt cannot start services here (policy-rc.d); we start them ourselves below.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

infra_free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

infra_up() {
  PAPERS_INFRA_DIR=$(mktemp -d /tmp/papers-infra.XXXXXX)
  chmod 755 "$PAPERS_INFRA_DIR"
  export PAPERS_INFRA_DIR
  infra_rabbitmq_up
  infra_postgres_up
  infra_smtp_up
}

infra_rabbitmq_up() {
  local d="$PAPERS_INFRA_DIR/rabbitmq" port mgmt dist epmd
  port=$(infra_free_port); mgmt=$(infra_free_port); dist=$(infra_free_port); epmd=$(infra_free_port)
  mkdir -p "$d"
  export RABBITMQ_NODENAME="papers-$$@localhost" RABBITMQ_BASE="$d" RABBITMQ_MNESIA_BASE="$d/mnesia" \
    RABBITMQ_LOG_BASE="$d/log" RABBITMQ_ENABLED_PLUGINS_FILE="$d/enabled_plugins" \
    RABBITMQ_CONFIG_FILE="$d/rabbitmq" RABBITMQ_PID_FILE="$d/pid" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_DIST_PORT="$dist" ERL_EPMD_PORT="$epmd" ERL_EPMD_ADDRESS=127.0.0.1
  printf 'listeners.tcp.default = 127.0.0.1:%s\nmanagement.tcp.ip = 127.0.0.1\nmanagement.tcp.port = %s\nloopback_users = none\n' "$port" "$mgmt" >"$d/rabbitmq.conf"
  /usr/lib/rabbitmq/bin/rabbitmq-plugins enable --offline rabbitmq_management >/dev/null
  /usr/lib/rabbitmq/bin/rabbitmq-server -detached >/dev/null 2>&1
  local i=0
  until /usr/lib/rabbitmq/bin/rabbitmq-diagnostics -q check_running >/dev/null 2>&1; do
    i=$((i + 1)); ((i < 120)) || { echo "infra: RabbitMQ did not start; see $d/log" >&2; return 1; }
    sleep 0.5
  done
  export PAPERS_TEST_RABBITMQ="amqp://guest:guest@127.0.0.1:$port/" PAPERS_TEST_RABBITMQ_MANAGEMENT="http://127.0.0.1:$mgmt"
  echo "infra: RabbitMQ ready at 127.0.0.1:$port (management $mgmt)"
}

infra_postgres_up() {
  local d="$PAPERS_INFRA_DIR/postgres" port bin
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  port=$(infra_free_port)
  mkdir -p "$d" && chown postgres:postgres "$d"
  local password
  password=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
  echo "$password" >"$d/pw" && chown postgres "$d/pw"
  su postgres -c "$bin/initdb -D $d/data -U postgres --auth-local=trust --auth-host=scram-sha-256 --pwfile=$d/pw -E UTF8 --locale=C.UTF-8" >"$d/initdb.log" 2>&1
  su postgres -c "$bin/pg_ctl -D $d/data -l $d/log -o '-h 127.0.0.1 -p $port -k $d -c max_connections=300 -c fsync=off' start" >/dev/null
  local i=0
  until pg_isready -q -h 127.0.0.1 -p "$port"; do
    i=$((i + 1)); ((i < 100)) || { echo "infra: PostgreSQL did not start; see $d/log" >&2; return 1; }
    sleep 0.1
  done
  export PAPERS_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Password=$password"
  export PAPERS_POSTGRES_BIN="$bin" PAPERS_POSTGRES_DATA="$d/data" PAPERS_POSTGRES_PORT="$port" PAPERS_POSTGRES_SOCKET="$d"
  echo "infra: PostgreSQL ready at 127.0.0.1:$port"
}

infra_smtp_up() {
  local port
  port=$(infra_free_port)
  export PAPERS_TEST_MAILDIR="$PAPERS_INFRA_DIR/maildir"
  /usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$port" -c aiosmtpd.handlers.Mailbox "$PAPERS_TEST_MAILDIR" \
    >"$PAPERS_INFRA_DIR/smtp.log" 2>&1 &
  echo $! >"$PAPERS_INFRA_DIR/smtp.pid"
  local i=0
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    i=$((i + 1)); ((i < 100)) || { echo "infra: SMTP sink did not start" >&2; return 1; }
    sleep 0.1
  done
  export PAPERS_TEST_SMTP="127.0.0.1:$port"
  echo "infra: SMTP sink ready at 127.0.0.1:$port"
}

infra_down() {
  [ -n "${PAPERS_INFRA_DIR:-}" ] || return 0
  if [ -n "${RABBITMQ_NODENAME:-}" ]; then
    # With the PID file, stop waits until the node's process has ended.
    /usr/lib/rabbitmq/bin/rabbitmqctl stop "${RABBITMQ_PID_FILE:-}" >/dev/null 2>&1 || true
    # rabbitmq-server starts an epmd that outlives it; ours listens on its own port, so stop
    # exactly that one (never another user's epmd). It refuses while a node is still registered.
    if [ -n "${ERL_EPMD_PORT:-}" ]; then
      local i
      for i in 1 2 3 4 5 6 7 8 9 10; do
        epmd -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1 && break
        sleep 0.5
      done
    fi
  fi
  if [ -n "${PAPERS_POSTGRES_DATA:-}" ]; then
    su postgres -c "$PAPERS_POSTGRES_BIN/pg_ctl -D $PAPERS_POSTGRES_DATA stop -m fast" >/dev/null 2>&1 || true
  fi
  if [ -f "$PAPERS_INFRA_DIR/smtp.pid" ]; then
    kill "$(cat "$PAPERS_INFRA_DIR/smtp.pid")" >/dev/null 2>&1 || true
  fi
  rm -rf "$PAPERS_INFRA_DIR"
}
