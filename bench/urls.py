"""The project's URLs plus the minimal views the list benchmark compares with (bench/test_lists_bench.py):
the same page of the same rows as a list, read with `values()` and returned with `JsonResponse`, nothing else."""

from django.http import HttpResponse, JsonResponse
from django.template import engines
from django.urls import path

from salesops.urls import urlpatterns as project_urlpatterns

BASELINES = {}  # name -> (queryset factory, columns), filled by the benchmark


def baseline(request, name):
    rows, columns = BASELINES[name]
    size = int(request.GET.get("page_size", 25))
    start = (int(request.GET.get("page", 1)) - 1) * size
    data = rows() if columns is None else rows().values(*columns)  # columns None: rows already gives dicts
    return JsonResponse({"results": list(data[start : start + size])})


EMPTY_PAGE = '{% extends "base.html" %}{% block title %}floor{% endblock %}{% block page_title %}floor{% endblock %}'


def empty_page(request):
    """A page with no rows: what every page costs before its list (session, user, roles, menu, nav badges, base.html)."""
    return HttpResponse(engines["django"].from_string(EMPTY_PAGE).render({}, request))


def empty_json(request):
    """The floor's baseline: an authenticated JsonResponse with nothing to read."""
    return JsonResponse({"results": [], "user": request.user.pk})


urlpatterns = [
    path("bench-baseline/<str:name>/", baseline),
    path("bench-empty-page/", empty_page),
    path("bench-empty-json/", empty_json),
    *project_urlpatterns,
]
