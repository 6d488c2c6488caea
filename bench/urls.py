"""The project's URLs plus the minimal views the list benchmark compares with (bench/test_lists_bench.py):
the same page of the same rows as a list, read with `values()` and returned with `JsonResponse`, nothing else."""

from django.http import JsonResponse
from django.urls import path

from salesops.urls import urlpatterns as project_urlpatterns

BASELINES = {}  # name -> (queryset factory, columns), filled by the benchmark


def baseline(request, name):
    rows, columns = BASELINES[name]
    size = int(request.GET.get("page_size", 25))
    start = (int(request.GET.get("page", 1)) - 1) * size
    return JsonResponse({"results": list(rows().values(*columns)[start : start + size])})


urlpatterns = [path("bench-baseline/<str:name>/", baseline), *project_urlpatterns]
