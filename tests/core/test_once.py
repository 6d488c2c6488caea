"""An API client that sent the same Idempotency-Key with another body (another customer, other lines) got the first
document back (200) and its second request was lost without a word. Now the key is kept with a fingerprint of what was
sent (salesops.core.once, as Stripe and the IETF Idempotency-Key draft do): the same key and the same input replay, the
same key with other input is refused (409) and creates nothing; a document made before fingerprints (an empty one)
still replays."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.models import ServicePlan
from salesops.core.errors import Conflict, DomainError
from salesops.core.once import Replayed, create_once, once_fingerprint, once_key_parameter


# --- the fingerprint: one canonical form of the validated input --------------------------------------------------------
def test_the_same_input_gives_the_same_fingerprint_whatever_its_order_and_key(cast):
    # given the same header and lines, once with its keys in another order and another once_key
    lines = [{"product": 7, "quantity": Decimal("10"), "unit_price": Decimal("12.50")}]
    first = once_fingerprint(
        customer=cast.alice,
        data={"once_key": uuid.uuid4(), "notes": "加急", "quote_date": datetime.date(2026, 12, 1)},
        lines=lines,
    )
    again = once_fingerprint(
        lines=[{"unit_price": Decimal("12.5"), "quantity": Decimal("10.00"), "product": 7}],
        data={"quote_date": datetime.date(2026, 12, 1), "notes": "加急", "once_key": uuid.uuid4()},
        customer=cast.alice.pk,  # a model instance counts as its pk
    )
    # then the fingerprints agree: a sha256 in hex
    assert first == again and len(first) == 64 and int(first, 16) >= 0


def test_another_input_gives_another_fingerprint(cast):
    base = {"customer": cast.alice, "data": {"notes": "加急"}, "lines": [{"product": 7, "quantity": "1"}, {"product": 8}]}
    fingerprint = once_fingerprint(**base)
    assert once_fingerprint(**{**base, "customer": cast.bob}) != fingerprint  # another customer
    assert once_fingerprint(**{**base, "data": {"notes": "不急"}}) != fingerprint  # another header
    assert (
        once_fingerprint(**{**base, "lines": [{"product": 8}, {"product": 7, "quantity": "1"}]}) != fingerprint
    )  # lines in order
    assert once_fingerprint(**{**base, "lines": [{"product": 7, "quantity": "2"}, {"product": 8}]}) != fingerprint


def test_an_uploaded_file_counts_by_its_content_and_stays_readable():
    first = SimpleUploadedFile("传真.pdf", b"%PDF-1 one")
    assert once_fingerprint(upload=first) == once_fingerprint(upload=SimpleUploadedFile("传真.pdf", b"%PDF-1 one"))
    assert once_fingerprint(upload=first) != once_fingerprint(upload=SimpleUploadedFile("传真.pdf", b"%PDF-1 two"))
    assert first.read() == b"%PDF-1 one"  # the service still stores the whole file


def test_the_schema_says_a_reused_key_is_a_409():
    assert "409" in once_key_parameter("同一次新建的编号（UUID）").description


# --- create_once: the same key with the same input replays, with another input is refused -----------------------------
def plan(actor, key, fingerprint=""):
    return lambda: ServicePlan.objects.create(
        created_by=actor, year=2027, title="年度计划", goals="回访", content="走访", once_key=key, once_fingerprint=fingerprint
    )


def make(actor, key, fingerprint):
    return create_once(
        ServicePlan,
        key=key,
        actor=actor,
        by="created_by",
        fingerprint=fingerprint,
        create=plan(actor, key),
        replayed=lambda p: f"已编制 {p.pk}",
    )


@pytest.mark.django_db
class TestCreateOnce:
    def test_the_same_key_and_input_replay_the_first_document(self, cast):
        key, sent = uuid.uuid4(), once_fingerprint(data={"title": "年度计划"})
        first = make(cast.service, key, sent)
        assert ServicePlan.objects.get().once_fingerprint == sent == first.once_fingerprint  # kept with the key
        with pytest.raises(Replayed) as replay:
            make(cast.service, key, once_fingerprint(data={"title": "年度计划"}))
        assert replay.value.obj == first and str(replay.value) == f"已编制 {first.pk}" and ServicePlan.objects.count() == 1

    def test_the_same_key_with_other_input_is_refused_and_creates_nothing(self, cast):
        key = uuid.uuid4()
        make(cast.service, key, once_fingerprint(data={"title": "年度计划"}))
        with pytest.raises(Conflict) as refused:
            make(cast.service, key, once_fingerprint(data={"title": "另一份计划"}))
        assert not isinstance(refused.value, Replayed) and refused.value.code == "once_key_reused"
        assert str(refused.value) == "该提交编号已用于另一份不同的内容，请刷新页面后重新提交。"
        assert ServicePlan.objects.count() == 1

    def test_a_document_made_before_fingerprints_still_replays(self, cast):
        # given a document kept with its key but no fingerprint (made before they were kept)
        key = uuid.uuid4()
        old = plan(cast.service, key)()
        assert old.once_fingerprint == ""
        # when the key comes again with whatever input, then it is that document, as before
        with pytest.raises(Replayed) as replay:
            make(cast.service, key, once_fingerprint(data={"title": "另一份计划"}))
        assert replay.value.obj == old and ServicePlan.objects.count() == 1

    def test_someone_elses_key_is_refused_before_its_input_is_compared(self, cast):
        key = uuid.uuid4()
        make(cast.service, key, once_fingerprint(data={"title": "年度计划"}))
        with pytest.raises(DomainError, match="提交编号已被使用") as refused:
            make(cast.manager, key, once_fingerprint(data={"title": "另一份计划"}))
        assert not isinstance(refused.value, Conflict) and ServicePlan.objects.count() == 1

    def test_without_a_key_nothing_is_kept(self, cast):
        made = make(cast.service, None, once_fingerprint(data={}))
        assert made.once_key is None and made.once_fingerprint == ""
