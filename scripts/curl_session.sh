#!/usr/bin/env bash
# A curl session against `co2calc serve` on a fresh database: a user, a token, a unit, a factor
# file and a data file imported, their job streams followed, the emissions report read.
# Needs curl and jq; the server and its temp database go at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
W=$(mktemp -d)
export CO2CALC_DATABASE_URL="sqlite+aiosqlite:///$W/co2calc.db" CO2CALC_PORT="${PORT:-8811}" XDG_CONFIG_HOME="$W/config"
B=http://127.0.0.1:$CO2CALC_PORT/api/v1
run() { echo "\$ $*"; eval "$@"; echo; }
run uv run --frozen co2calc db upgrade 2>/dev/null
run uv run --frozen co2calc users create --username alice --password "'correct-horse-42'" --role calco2.backoffice.metier 2>/dev/null
uv run --frozen co2calc serve --port "$CO2CALC_PORT" > "$W/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER; rm -rf "$W"' EXIT
for _ in $(seq 50); do curl -sf $B/health >/dev/null && break; sleep 0.2; done
run "curl -s $B/health"
run "curl -s -o /dev/null -w '%{http_code}\n' $B/units"
echo '$ TOKEN=$(curl -s -d username=alice -d password=correct-horse-42 '$B'/auth/token | jq -r .access_token)'
TOKEN=$(curl -s -d username=alice -d password=correct-horse-42 $B/auth/token | jq -r .access_token)
echo
H="Authorization: Bearer \$TOKEN"
run "curl -s -H \"$H\" $B/auth/me"
run "curl -s -H \"$H\" -H 'Content-Type: application/json' -d '{\"institutional_code\": \"14270\", \"name\": \"Laboratory of Atmospheric Chemistry\"}' $B/units"
run "curl -s -H \"$H\" -F file=@data/factors/2025/plane.csv '$B/sync/factors/2?year=2025&data_entry_type_id=20'"
run "curl -sN -H \"$H\" $B/sync/jobs/1/stream"
cat > "$W/plane.csv" <<'CSV'
unit_institutional_code,origin_iata,destination_iata,cabin_class,number_of_trips
14270,GVA,JFK,eco,2
14270,ZRH,LHR,business,1
14270,GVA,CDG,eco,3
14270,GVA,XYZ,eco,1
99999,GVA,BCN,eco,1
CSV
run "cat $W/plane.csv"
run "curl -s -H \"$H\" -F file=@$W/plane.csv '$B/sync/data-entries/2?year=2025&data_entry_type_id=20'"
run "curl -sN -H \"$H\" $B/sync/jobs/2/stream"
run "curl -s -H \"$H\" '$B/reports/emissions?year=2025' | jq -c '{year, total_kg_co2eq, travel: .modules[1]}'"
