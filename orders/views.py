"""HTML pages of orders (being written)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse

from . import selectors


@login_required
def order_detail(request, pk):
    return HttpResponse(str(selectors.order_get_for(request.user, pk)))
