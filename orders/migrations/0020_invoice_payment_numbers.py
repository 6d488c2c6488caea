# Invoice requests (开票申请, KP-YYYYMM-NNNN) and payments (回款 HK-YYYYMM-NNNN, a refund TK-YYYYMM-NNNN) get a number.
# The field is added nullable, the rows there are numbered (number_existing), then it becomes unique and required.

from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from salesops.core.trigram import trigram_indexes

INVOICE_PREFIX = "KP"  # InvoiceRequest.NUMBER_PREFIX
RECEIPT_PREFIX, REFUND_PREFIX = "HK", "TK"  # Payment.RECEIPT_PREFIX, Payment.REFUND_PREFIX


def _period(moment) -> str:
    """The month of `moment` as salesops.core.numbering._period reads it (local time, Asia/Shanghai)."""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%Y%m")


def _number(rows, Sequence, prefix_of, moment_of) -> None:
    """Give each of `rows` (in the order they were created) the next number of its prefix and month, drawn from the
    counters next_number draws from (DocumentSequence), and leave each counter at the last number given."""
    counters = {}
    for row in rows:
        key = (prefix_of(row), _period(moment_of(row)))
        if key not in counters:
            Sequence.objects.bulk_create([Sequence(prefix=key[0], period=key[1])], ignore_conflicts=True)
            counters[key] = Sequence.objects.select_for_update().get(prefix=key[0], period=key[1])
        counter = counters[key]
        counter.last_number += 1
        row.number = f"{key[0]}-{key[1]}-{counter.last_number:04d}"
        row.save(update_fields=["number"])
    for counter in counters.values():
        counter.save(update_fields=["last_number"])


def _history(apps, name: str, model) -> None:
    """The historical rows of a document carry its number (those of a document deleted since: blank)."""
    current = model.objects.filter(pk=OuterRef("id")).values("number")[:1]
    apps.get_model("orders", name).objects.update(number=Coalesce(Subquery(current), Value("")))


def number_existing(apps, schema_editor):
    """Number the invoice requests in (requested_at, id) order and the payments in (recorded_at, id) order, per month
    and prefix; only rows without a number are numbered, so running it again changes nothing."""
    Sequence = apps.get_model("core", "DocumentSequence")
    InvoiceRequest = apps.get_model("orders", "InvoiceRequest")
    Payment = apps.get_model("orders", "Payment")
    unnumbered = models.Q(number__isnull=True) | models.Q(number="")
    invoices = InvoiceRequest.objects.filter(unnumbered).order_by("requested_at", "pk").only("pk", "requested_at")
    _number(invoices.iterator(), Sequence, lambda i: INVOICE_PREFIX, lambda i: i.requested_at)
    payments = Payment.objects.filter(unnumbered).order_by("recorded_at", "pk").only("pk", "kind", "recorded_at")
    _number(
        payments.iterator(),
        Sequence,
        lambda p: REFUND_PREFIX if p.kind == "refund" else RECEIPT_PREFIX,
        lambda p: p.recorded_at,
    )
    _history(apps, "HistoricalInvoiceRequest", InvoiceRequest)
    _history(apps, "HistoricalPayment", Payment)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("orders", "0019_approved_request_withdrawn"),
    ]

    operations = [
        migrations.AddField(
            model_name="invoicerequest",
            name="number",
            field=models.CharField(editable=False, max_length=20, null=True, verbose_name="开票申请单号"),
        ),
        migrations.AddField(
            model_name="historicalinvoicerequest",
            name="number",
            field=models.CharField(editable=False, max_length=20, null=True, verbose_name="开票申请单号"),
        ),
        migrations.AddField(
            model_name="payment",
            name="number",
            field=models.CharField(editable=False, max_length=20, null=True, verbose_name="回款单号"),
        ),
        migrations.AddField(
            model_name="historicalpayment",
            name="number",
            field=models.CharField(editable=False, max_length=20, null=True, verbose_name="回款单号"),
        ),
        migrations.RunPython(number_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="invoicerequest",
            name="number",
            field=models.CharField(editable=False, max_length=20, unique=True, verbose_name="开票申请单号"),
        ),
        migrations.AlterField(
            model_name="historicalinvoicerequest",
            name="number",
            field=models.CharField(db_index=True, editable=False, max_length=20, verbose_name="开票申请单号"),
        ),
        migrations.AlterField(
            model_name="payment",
            name="number",
            field=models.CharField(editable=False, max_length=20, unique=True, verbose_name="回款单号"),
        ),
        migrations.AlterField(
            model_name="historicalpayment",
            name="number",
            field=models.CharField(db_index=True, editable=False, max_length=20, verbose_name="回款单号"),
        ),
        # part of a number searched (icontains) as the order and shipment numbers are (0007_list_indexes)
        trigram_indexes("orders_invoicerequest", "number"),
        trigram_indexes("orders_payment", "number"),
    ]
