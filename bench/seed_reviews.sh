#!/bin/sh
# Benchmark: `seed_reviews` (one periodic review of a province) on the 300,000 households of the bench database.
# Makes the bench database first when missing (bench/seed_province.py --runs 1 --keep), migrates it, then times
# the command (wall clock, Python start-up included; phase timings from -v 2). A second run writes nothing:
# to time again, re-create the database with bench/seed_province.py.
#
#     . .venv/bin/activate && sh bench/seed_reviews.sh [YEAR]
set -eu
cd "$(dirname "$0")/.."
SERVER="${BENCH_SERVER_URL:-postgres://postgres@127.0.0.1:5432}"
DATABASE="${BENCH_DATABASE:-giamngheo_bench}"
YEAR="${1:-2025}"
export DEBUG=1 DATABASE_URL="$SERVER/$DATABASE"
if ! psql "$SERVER/postgres" -Atc "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'" | grep -q 1; then
    python bench/seed_province.py --runs 1 --keep --database "$DATABASE"
fi
python manage.py migrate --no-input >/dev/null
psql "$DATABASE_URL" -Atc "SELECT 'households: ' || count(*) FROM households_household"
start=$(date +%s.%N)
python manage.py seed_reviews --year "$YEAR" -v 2
end=$(date +%s.%N)
echo "wall clock: $(echo "$end - $start" | bc) s"
psql "$DATABASE_URL" -Atc "SELECT category, count(*) FROM programs_assessment WHERE review_year = $YEAR GROUP BY 1 ORDER BY 1" \
    -c "SELECT event, count(*) FROM programs_statuschange GROUP BY 1 ORDER BY 1"
