from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from .selectors import todo_for


@login_required
def dashboard(request):
    """The user's work for today (工作台)."""
    today = timezone.localdate()
    return render(request, "reports/dashboard.html", {"today": today, **todo_for(request.user, today)})
