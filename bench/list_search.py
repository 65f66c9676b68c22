"""Household list and search at a province's scale, through the API and in raw SQL.

Run against a database seeded with `seed_demo --households 300000` (bench/seed_province.py leaves one):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/giamngheo_bench DEBUG=1 .venv/bin/python bench/list_search.py

Prints the median and p95 of each query over repeated runs (in-process Django test client, one client).
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from households.models import Household, User  # noqa: E402

RUNS = int(os.environ.get("RUNS", "30"))


def timed(label: str, call) -> None:
    call()  # warm up
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(f"{label:<62} median {statistics.median(samples):7.1f} ms   p95 {p95:7.1f} ms")


def main() -> None:
    total = Household.objects.count()
    staff = User.objects.get(username="canbo_tinh")
    province = staff.area
    commune_id = Household.objects.filter(province=province).values_list("commune_id", flat=True).first()
    print(f"{total} households in the database; province {province.name}; runs {RUNS}")
    client = APIClient()
    client.force_authenticate(staff)

    def api(params):
        def call():
            response = client.get("/api/v1/households/", params)
            assert response.status_code == 200, response.content[:200]

        return call

    def sql(query, params):
        def call():
            with connection.cursor() as cursor:
                cursor.execute(query, params)
                cursor.fetchall()

        return call

    timed("API list, commune + status, page of 50", api({"commune": commune_id, "status": "not_poor"}))
    timed("API search 'nguyen van duc' over the province", api({"q": "nguyen van duc"}))
    timed(
        "API search a household code over the province",
        api({"q": Household.objects.filter(province=province).last().code}),
    )
    page_sql = (
        "SELECT h.id, h.code, m.full_name FROM households_household h "
        "LEFT JOIN households_member m ON m.id = h.head_id "
        "WHERE h.province_id = %s AND h.search_text LIKE %s ORDER BY h.id LIMIT 50"
    )
    count_sql = "SELECT count(*) FROM households_household WHERE province_id = %s AND search_text LIKE %s"
    timed("raw SQL search page 'nguyen van duc'", sql(page_sql, [province.pk, "%nguyen van duc%"]))
    timed("raw SQL search count 'nguyen van duc'", sql(count_sql, [province.pk, "%nguyen van duc%"]))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN ANALYZE " + count_sql, [province.pk, "%nguyen van duc%"])
        print("\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
