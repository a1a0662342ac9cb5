#!/usr/bin/env bash
# Make sure the local services Gongkai needs are up: RabbitMQ (with its management plugin,
# which nameko's test fixtures use) and PostgreSQL (optional: tests fall back to SQLite).
#
#   scripts/ensure-services.sh rabbitmq|postgres|chromium|all
#
# Idempotent and quiet when everything already answers. Starts what is installed but down,
# then waits (bounded) until it answers. A missing RabbitMQ is an error; a missing
# PostgreSQL is only a warning.
set -euo pipefail

PATH="$PATH:/usr/sbin:/sbin"            # rabbitmq-server and friends live in sbin
WAIT_SECONDS="${WAIT_SECONDS:-60}"
AMQP_PORT=5672
MANAGEMENT_PORT=15672
PG_PORT=5432

say() { echo "ensure-services: $*" >&2; }

# true when something accepts TCP connections on 127.0.0.1:$1
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# wait_until SECONDS WHAT COMMAND...: poll COMMAND until it succeeds, or fail after SECONDS
wait_until() {
    local seconds=$1 what=$2 deadline
    shift 2
    deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        if ((SECONDS >= deadline)); then
            say "$what did not answer within ${seconds}s"
            return 1
        fi
        sleep 1
    done
}

rabbit_ping() { timeout 15 rabbitmq-diagnostics -q ping; }
rabbit_up() { port_open "$AMQP_PORT" && rabbit_ping; }
management_up() {
    if command -v curl >/dev/null; then
        curl -fsS -o /dev/null -u guest:guest "http://127.0.0.1:$MANAGEMENT_PORT/api/overview" 2>/dev/null
    else
        port_open "$MANAGEMENT_PORT"
    fi
}

ensure_rabbitmq() {
    if ! port_open "$AMQP_PORT"; then
        if ! command -v rabbitmq-server >/dev/null; then
            say "RabbitMQ is not installed and nothing listens on 127.0.0.1:$AMQP_PORT."
            say "  Debian/Ubuntu: apt-get install rabbitmq-server"
            say "  or with Docker: docker-compose up -d rabbitmq"
            return 1
        fi
        say "starting RabbitMQ"
        rabbitmq-server -detached >/dev/null 2>&1 || true   # fails harmlessly if already starting
        wait_until "$WAIT_SECONDS" "RabbitMQ (127.0.0.1:$AMQP_PORT)" rabbit_up || return 1
        say "RabbitMQ is up"
    fi
    if ! management_up; then
        local enabled
        enabled=$(rabbitmq-plugins -q list -e -m rabbitmq_management 2>/dev/null || true)
        if ! grep -qx rabbitmq_management <<<"$enabled"; then
            say "enabling rabbitmq_management"
            rabbitmq-plugins -q enable rabbitmq_management >/dev/null
        fi
        wait_until "$WAIT_SECONDS" "RabbitMQ management (127.0.0.1:$MANAGEMENT_PORT)" management_up || return 1
        say "RabbitMQ management is up on http://127.0.0.1:$MANAGEMENT_PORT"
    fi
}

pg_up() {
    if command -v pg_isready >/dev/null; then
        pg_isready -q -h 127.0.0.1 -p "$PG_PORT"
    else
        port_open "$PG_PORT"
    fi
}

ensure_postgres() {
    if ! pg_up; then
        local version
        version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1 || true)
        if ! command -v pg_ctlcluster >/dev/null || [[ -z "$version" ]]; then
            say "warning: PostgreSQL is not installed; tests run on SQLite only."
            say "  Debian/Ubuntu: apt-get install postgresql   (or: docker-compose up -d postgres)"
            return 0
        fi
        say "starting PostgreSQL $version"
        pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 || true
        wait_until "$WAIT_SECONDS" "PostgreSQL (127.0.0.1:$PG_PORT)" pg_up || return 1
        say "PostgreSQL is up"
    fi
    # the tests' TEST_DATABASE_URL names the database `test`; make it if it is missing
    if command -v psql >/dev/null && command -v createdb >/dev/null; then
        local exists
        exists=$(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc \
            "SELECT 1 FROM pg_database WHERE datname='test'" 2>/dev/null || true)
        if [[ "$exists" != 1 ]]; then
            say "creating database test"
            createdb -h 127.0.0.1 -p "$PG_PORT" -U postgres test
        fi
    fi
}

# Debian's Chromium, which the browser tests drive through Playwright (its own browser download
# cannot be used here): installed with apt-get when missing; a warning when that is not possible.
# A Chinese system font (fonts-wqy-microhei) comes with it, so screenshots show the text.
ensure_chromium() {
    [[ -x /usr/bin/chromium && -d /usr/share/fonts/truetype/wqy ]] && return 0
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        say "installing chromium and a Chinese font (apt-get) for the browser tests"
        if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null 2>&1 \
            || { apt-get update -qq >/dev/null 2>&1 \
                 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null 2>&1; }; then
            return 0
        fi
    fi
    say "chromium is not installed (apt-get install chromium): the browser tests will fail"
}

case "${1:-}" in
    rabbitmq) ensure_rabbitmq ;;
    postgres) ensure_postgres ;;
    chromium) ensure_chromium ;;
    all) ensure_rabbitmq; ensure_postgres; ensure_chromium ;;
    *) echo "usage: $0 rabbitmq|postgres|chromium|all" >&2; exit 2 ;;
esac
