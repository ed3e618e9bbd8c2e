#!/usr/bin/env bash
# The feature plan's Verification steps, end to end: demo data, `co2calc serve`, curl.
# Needs curl and jq. Prints each step and the answers; the server and its temp database go at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
W=$(mktemp -d)
export CO2CALC_DATABASE_URL="sqlite+aiosqlite:///$W/co2calc.db" CO2CALC_PORT="${PORT:-8812}" XDG_CONFIG_HOME="$W/config"
B=http://127.0.0.1:$CO2CALC_PORT/api/v1
uv run --frozen co2calc demo --admin-password demo-admin-pw >/dev/null 2>&1
uv run --frozen co2calc serve --port "$CO2CALC_PORT" > "$W/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER; rm -rf "$W"' EXIT
for _ in $(seq 50); do curl -sf $B/health >/dev/null && break; sleep 0.2; done
TOKEN=$(curl -s -d username=admin -d password=demo-admin-pw $B/auth/token | jq -r .access_token)
H="Authorization: Bearer $TOKEN"
status() { curl -s -H "$H" "$B/sync/recalculation-status?year=2025" | jq -c '.[] | select(.module_type_id==2) | {module: .module_type_id, needs: .needs_recalculation, types: [.data_entry_types[] | {t: .data_entry_type_id, needs: .needs_recalculation, factor_job: .last_factor_job_id, recalc_job: .last_recalculation_job_id, recalc_result: .last_recalculation_job_result}]}'; }
follow() { curl -sN -H "$H" "$B/sync/jobs/$1/stream" | grep '^data:' | sed 's/^data: //' | jq -c '{state, result, status_message, progress_done, progress_total, stream_closed, recalculation: (.meta.recalculation // null | if . == null then null else (to_entries | map({key, value: (.value | if type == "object" then {recalculated, errors, rows_written, skipped_changed} else . end)}) | from_entries) end)}'; }
post() { curl -s -w ' HTTP %{http_code}' -X POST -H "$H" "$@"; echo; }
jobid() { jq -r .job_id <<<"${1% HTTP*}"; }
echo "## 0. status of module 2 after the demo"; status
echo "## 1. import a new plane factor file (FACTORS job), then status"
sed 's/0.255/0.26/' data/factors/2025/plane.csv > "$W/plane-factors.csv"
R=$(post -F file=@"$W/plane-factors.csv" "$B/sync/factors/2?year=2025&data_entry_type_id=20"); echo "$R"; follow "$(jobid "$R")" | tail -1; status
echo "## 2. POST module recalculation only_stale=true"
R=$(post "$B/sync/recalculate-emissions/2?year=2025&only_stale=true"); echo "$R"; J=$(jobid "$R")
echo "## 3. its stream"; follow "$J"
echo "## 4. status after completion"; status
echo "## 5. another factor import flips the type back"
R=$(post -F file=@data/factors/2025/plane.csv "$B/sync/factors/2?year=2025&data_entry_type_id=20"); follow "$(jobid "$R")" | tail -1; status
echo "## 6. only_stale=false recalculates every type of the module"
R=$(post "$B/sync/recalculate-emissions/2?year=2025&only_stale=false"); echo "$R"; follow "$(jobid "$R")"
echo "## 7. only_stale=true with nothing stale"
post "$B/sync/recalculate-emissions/2?year=2025&only_stale=true"
echo "## 8. break one entry, then recalculate the module"
ENTRY=$(curl -s -H "$H" "$B/data-entries?year=2025&data_entry_type_id=20&limit=1" | jq -r '.items[0].id')
curl -s -X PATCH -H "$H" -H 'Content-Type: application/json' -d '{"data": {"destination_iata": "XYZ"}}' "$B/data-entries/$ENTRY" | jq -c '{id, emission_error, revision}'
R=$(post "$B/sync/recalculate-emissions/2?year=2025&only_stale=false"); echo "$R"; follow "$(jobid "$R")" | tail -1
echo "## 9. a second request while one runs (409)"
R1=$(post "$B/sync/recalculate-emissions/2/20?year=2025"); R2=$(post "$B/sync/recalculate-emissions/2?year=2025&only_stale=false"); echo "$R1"; echo "$R2"; follow "$(jobid "$R1")" | tail -1
echo "## 10. that single-type recalculation of plane, the demo's largest type"
curl -s -H "$H" "$B/sync/jobs/$(jobid "$R1")" | jq -c '{id, started_at, finished_at, entries: .meta.recalculation.recalculated, rows_written: .meta.recalculation.rows_written, errors: .meta.recalculation.errors}'
echo "## 11. job history (top level, newest first)"
curl -s -H "$H" "$B/sync/jobs?year=2025&limit=6" | jq -c '.items[] | {id, target_type, ingestion_method, data_entry_type_id, result, status_message, children: [.children[] | {id, data_entry_type_id, result}]}' 
