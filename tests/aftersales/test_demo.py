"""The demo (seed_demo runs aftersales.demo.seed after the orders demo): work for the service desk, QC and the sales VP; safe to run again."""

import pytest
from django.core.management import call_command

from aftersales.models import Callback, Complaint, ReturnRequest, ServiceTicket

pytestmark = pytest.mark.django_db


def test_the_demo_gives_every_after_sales_role_work(capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    assert Callback.objects.filter(status=Callback.Status.OPEN).count() == 1
    assert ServiceTicket.objects.count() == 2 and Complaint.objects.count() == 1
    rma = ReturnRequest.objects.get()
    assert rma.status == ReturnRequest.Status.SUBMITTED and rma.photos.count() == 1
