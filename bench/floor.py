"""The floor of the benchmark: the least the stack can do to answer "this customer, by UCRN".

A bare Django view, no authentication, one raw SQL query for the customer row, JsonResponse. It shows what
Django + gunicorn + PostgreSQL cost on this machine, so every scenario is reported as a ratio to it.
Mounted only by bench.urls; never part of the product.
"""

from django.db import connection
from django.http import Http404, JsonResponse

SQL = "SELECT * FROM profiles_customer WHERE ucrn = %s"


def floor(request, ucrn: str) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute(SQL, [ucrn])
        row = cursor.fetchone()
        if row is None:
            raise Http404("no such customer")
        names = [column.name for column in cursor.description]
    return JsonResponse(dict(zip(names, row, strict=True)))
