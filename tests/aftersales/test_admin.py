"""Admin: the after-sales configuration (callback rules, working calendar, SLA policies) is editable by the admin role;
the documents are read-only there."""

import pytest

pytestmark = pytest.mark.django_db


def test_configuration_is_editable_and_documents_read_only(cast, client_as):
    admin = client_as(cast.admin)
    for model in ("callbackrule", "workingperiod", "calendarday", "slapolicy"):
        assert admin.get(f"/admin/aftersales/{model}/add/").status_code == 200, model
    assert (
        admin.get("/admin/aftersales/callbackrule/").content.decode().count("签收后") >= 2
    )  # the default day 7 and day 30 rules
    for model in ("callback", "serviceticket", "complaint", "returnrequest", "serviceplan"):
        assert admin.get(f"/admin/aftersales/{model}/").status_code == 200, model
        assert admin.get(f"/admin/aftersales/{model}/add/").status_code == 403, model
    assert client_as(cast.service).get("/admin/aftersales/callbackrule/").status_code == 302  # not staff: to the login
