"""One 发票号码 on one invoice not cancelled (services.invoice_issue; the constraint holds it when two invoices of two
orders are issued at the same moment).

Numbers already on two live invoices (e.g. "abc" typed twice before the number was checked) would make the index fail
with a bare database error: they are listed first, so finance can cancel (作废) the wrong one and issue it again."""

from django.db import migrations, models


def refuse_duplicates(apps, schema_editor):
    InvoiceRequest = apps.get_model("orders", "InvoiceRequest")
    live = InvoiceRequest.objects.exclude(status="cancelled").exclude(invoice_numbers="")
    taken = (
        live.values("invoice_numbers").annotate(n=models.Count("pk")).filter(n__gt=1).values_list("invoice_numbers", flat=True)
    )
    clashes = []
    for number in taken:
        ids = ", ".join(f"#{pk}" for pk in live.filter(invoice_numbers=number).order_by("pk").values_list("pk", flat=True))
        clashes.append(f"{number!r}: {ids}")
    if clashes:
        raise RuntimeError(
            "Invoice numbers on more than one invoice that is not cancelled (发票号码重复): "
            + "; ".join(clashes)
            + ". Cancel (作废) the wrong invoices and issue them again with their real numbers, then migrate."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0014_refunds"),
    ]

    operations = [
        migrations.RunPython(refuse_duplicates, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="invoicerequest",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    models.Q(("status", "cancelled"), _negated=True), models.Q(("invoice_numbers", ""), _negated=True)
                ),
                fields=("invoice_numbers",),
                name="invoice_number_unique_live",
            ),
        ),
    ]
