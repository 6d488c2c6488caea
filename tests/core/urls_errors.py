"""A URLconf for tests/core/test_errors.py: the project's URLs plus views that let a service's DomainError escape,
once as a page and once as an API view, so both renderings of the same error can be compared."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from customers.models import VisitPlan
from salesops.core.transitions import transition
from salesops.urls import urlpatterns as project_urlpatterns


def cancel_plan_page(request, pk):
    transition(obj=VisitPlan.objects.get(pk=pk), action="cancel", actor=request.user)
    return HttpResponse("ok")


class CancelPlanApi(APIView):
    def post(self, request, pk):
        transition(obj=VisitPlan.objects.get(pk=pk), action="cancel", actor=request.user)
        return Response({"ok": True})


class RaisesApi(APIView):
    def get(self, request, kind):
        if kind == "validation":
            raise ValidationError({"amount": ["金额必须大于零。"]})
        if kind == "not-found":
            raise Http404
        if kind == "denied":
            raise PermissionDenied
        raise RuntimeError(kind)


urlpatterns = [
    path("test-errors/plans/<int:pk>/cancel/", cancel_plan_page),
    path("api/test-errors/plans/<int:pk>/cancel/", CancelPlanApi.as_view()),
    path("api/test-errors/<str:kind>/", RaisesApi.as_view()),
    *project_urlpatterns,
]
