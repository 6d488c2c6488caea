"""The timeline of any document: comments, attachments (type and size checked), field changes old → new."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from salesops.core.errors import DomainError
from salesops.core.models import Attachment, Event, Threshold
from salesops.core.timeline import (
    attachment_add,
    attachments_for,
    changes_between,
    comment_add,
    events_for,
    record_event,
    snapshot,
)
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def customer(cast):
    return CustomerFactory(owner=cast.alice, name="苏州恒达机械有限公司")


class TestComments:
    def test_a_comment_is_an_event_of_the_document(self, cast, customer):
        event = comment_add(target=customer, actor=cast.alice, text="  客户要求下周报价  ")
        assert event.verb == Event.Verb.COMMENT and event.message == "客户要求下周报价" and event.actor == cast.alice
        assert list(events_for(customer)) == [event]

    @pytest.mark.parametrize("text", ["", "   ", None])
    def test_an_empty_comment_is_refused(self, cast, customer, text):
        with pytest.raises(DomainError, match="评论内容不能为空"):
            comment_add(target=customer, actor=cast.alice, text=text)
        assert not Event.objects.exists()

    def test_events_are_newest_first_and_per_document(self, cast, customer):
        other = CustomerFactory(owner=cast.bob)
        first = comment_add(target=customer, actor=cast.alice, text="一")
        second = comment_add(target=customer, actor=cast.alice, text="二")
        comment_add(target=other, actor=cast.bob, text="别的客户")
        assert list(events_for(customer)) == [second, first]


class TestAttachments:
    def test_a_pdf_is_stored_and_logged(self, cast, customer):
        upload = SimpleUploadedFile("签字合同.pdf", PDF, content_type="application/pdf")
        attachment = attachment_add(target=customer, actor=cast.alice, upload=upload, kind=Attachment.Kind.SIGNED_CONTRACT)
        assert attachment.name == "签字合同.pdf" and attachment.size == len(PDF) and attachment.content_type == "application/pdf"
        assert attachment.file.read() == PDF
        assert list(attachments_for(customer)) == [attachment]
        assert Event.objects.get(verb=Event.Verb.ATTACHMENT).message == "上传附件：签字合同.pdf"

    @pytest.mark.parametrize("name", ["病毒.exe", "脚本.js", "无扩展名", "page.html"])
    def test_a_file_type_not_on_the_list_is_refused(self, cast, customer, name):
        with pytest.raises(DomainError, match="不支持的文件类型"):
            attachment_add(target=customer, actor=cast.alice, upload=SimpleUploadedFile(name, b"MZ\x90\x00"))
        assert not Attachment.objects.exists() and not Event.objects.exists()

    def test_a_renamed_file_whose_content_does_not_match_is_refused(self, cast, customer):
        with pytest.raises(DomainError, match="文件内容与扩展名“.pdf”不符"):
            attachment_add(target=customer, actor=cast.alice, upload=SimpleUploadedFile("报价.pdf", b"MZ\x90\x00 not a pdf"))
        assert not Attachment.objects.exists()

    def test_an_image_with_the_right_signature_is_accepted(self, cast, customer):
        attachment = attachment_add(target=customer, actor=cast.alice, upload=SimpleUploadedFile("现场.PNG", PNG), kind="photo")
        assert attachment.content_type == "image/png" and attachment.kind == Attachment.Kind.PHOTO

    def test_a_file_over_the_admin_threshold_is_refused(self, cast, customer):
        # given the administrator set the limit to 0.001 MB (1048 bytes)
        Threshold.objects.filter(code="attachment_max_mb").update(value=Decimal("0.001"))
        big = SimpleUploadedFile("大文件.pdf", PDF + b"0" * 2000)
        with pytest.raises(DomainError, match=r"文件过大（2\.0 KB），上限为 0\.001 MB"):
            attachment_add(target=customer, actor=cast.alice, upload=big)
        # and a file under the limit still goes through
        attachment_add(target=customer, actor=cast.alice, upload=SimpleUploadedFile("小文件.pdf", PDF))
        assert Attachment.objects.count() == 1

    def test_an_empty_file_and_an_unknown_kind_are_refused(self, cast, customer):
        with pytest.raises(DomainError, match="文件是空的"):
            attachment_add(target=customer, actor=cast.alice, upload=SimpleUploadedFile("空.pdf", b""))
        with pytest.raises(DomainError, match="附件类型不正确"):
            attachment_add(target=customer, actor=cast.alice, upload=SimpleUploadedFile("a.pdf", PDF), kind="secret")

    def test_a_path_in_the_file_name_is_dropped(self, cast, customer):
        attachment = attachment_add(target=customer, actor=cast.alice, upload=SimpleUploadedFile("../../etc/合同.pdf", PDF))
        assert attachment.name == "合同.pdf" and ".." not in attachment.file.name


class TestFieldChanges:
    def test_changed_fields_are_recorded_old_to_new_with_labels_and_choice_names(self, cast, customer):
        # given a snapshot before an edit
        before = snapshot(customer, ["name", "grade", "credit_limit", "owner"])
        # when the customer is edited
        customer.grade = "A"
        customer.credit_limit = Decimal("50000")
        customer.owner = cast.bob
        changes = changes_between(customer, before)
        # then only the changed fields are listed, with display values
        by_field = {c["field"]: c for c in changes}
        assert set(by_field) == {"grade", "credit_limit", "owner"}
        assert by_field["credit_limit"]["old"] == "0.00" and by_field["credit_limit"]["new"] == "50000.00"
        assert by_field["owner"]["old"] == str(cast.alice) and by_field["owner"]["new"] == str(cast.bob)
        assert by_field["grade"]["label"] == str(customer._meta.get_field("grade").verbose_name)
        assert by_field["grade"]["new"] == customer.get_grade_display()

    def test_the_same_amount_written_differently_is_no_change(self, cast, customer):
        customer.credit_limit = Decimal("1.50")
        customer.save()
        before = snapshot(customer, ["credit_limit"])
        customer.credit_limit = Decimal("1.5")  # as typed in a form
        assert changes_between(customer, before) == []

    def test_booleans_dates_and_times_are_shown_for_people(self, cast):
        from salesops.core.models import StaffProfile
        from salesops.core.timeline import _display

        profile = StaffProfile.objects.get(user=cast.alice)
        before = snapshot(profile, ["may_quote"])
        profile.may_quote = True
        assert changes_between(profile, before)[0] | {"label": ""} == {
            "field": "may_quote",
            "label": "",
            "old": "否",
            "new": "是",
        }
        assert _display(date(2026, 11, 5)) == "2026-11-05"
        assert _display(datetime(2026, 11, 30, 17, 0, tzinfo=ZoneInfo("UTC"))) == "2026-12-01 01:00"

    def test_record_event_keeps_the_changes_on_the_timeline(self, cast, customer):
        before = snapshot(customer, ["grade"])
        customer.grade = "A"
        record_event(
            target=customer,
            verb=Event.Verb.UPDATED,
            actor=cast.lena,
            message="修改客户资料",
            changes=changes_between(customer, before),
        )
        event = Event.objects.get()
        assert event.changes[0]["field"] == "grade" and event.changes[0]["new"] == customer.get_grade_display()
        assert event.target == customer


class TestHistoryInTheReadersLanguage:
    """Events are stored as a msgid and parameters and rendered when shown (ARCHITECTURE.md rule 12)."""

    def _page(self, customer, language):
        from django.template.loader import render_to_string
        from django.utils import translation

        with translation.override(language):
            return render_to_string("core/_timeline.html", {"events": events_for(customer), "obj": customer, "ct_id": 1})

    def test_the_same_stored_events_read_in_english_and_in_chinese(self, cast, customer):
        from django.utils.translation import gettext_noop

        from salesops.core.timeline import choice

        # given a status event and an edit recorded by a Chinese-speaking user
        record_event(
            target=customer,
            verb=Event.Verb.STATUS,
            actor=cast.alice,
            text=gettext_noop("%(from)s → %(to)s"),
            params={"from": choice(customer, "status", "intent"), "to": choice(customer, "status", "active")},
        )
        before = snapshot(customer, ["grade"])
        customer.grade = "A"
        record_event(target=customer, verb=Event.Verb.UPDATED, actor=cast.alice, changes=changes_between(customer, before))
        # when the page is rendered for an English reader and for a Chinese reader
        english, chinese = self._page(customer, "en"), self._page(customer, "zh-hans")
        # then each reads the sentence, the field label and the choice values in their own language
        assert "Intent customer → Formal customer" in english and "意向客户" not in english
        assert "Customer grade" in english and "A 重点客户" not in english
        assert "意向客户 → 正式客户" in chinese and "客户等级" in chinese and "A 重点客户" in chinese
        # and the stored row keeps the Chinese sentence for search and the untranslated msgid with its parameters
        event = Event.objects.get(verb=Event.Verb.STATUS)
        assert event.message == "意向客户 → 正式客户" and event.msgid == "%(from)s → %(to)s"
        assert event.params["to"] == {"_c": "customers.Customer.status", "v": "active"}

    def test_each_family_of_documents_reads_its_history_in_both_languages(self):
        """The demo writes every kind of document through the services; each one's timeline is read from the same stored
        rows in Chinese and in English: every system sentence is a msgid with an English text, none a finished sentence."""
        from io import StringIO

        from django.core.management import call_command
        from django.utils import translation
        from django.utils.html import escape

        call_command("seed_demo", stdout=StringIO())
        by_app = {}
        for event in Event.objects.exclude(verb=Event.Verb.COMMENT).select_related("target_type"):
            by_app.setdefault(event.target_type.app_label, []).append(event)
        assert {"customers", "catalog", "contracts", "orders", "aftersales"} <= set(by_app)
        for app_label, events in by_app.items():
            # the system wrote msgids only: no finished sentence in the actor's language
            assert [e.message for e in events if not e.msgid] == [], app_label
            for event in events:
                with translation.override("zh-hans"):
                    chinese = event.text
                with translation.override("en"):
                    english, template = event.text, translation.gettext(event.msgid)
                # the stored message is the Chinese reading; the English template is a translation, not the source
                assert chinese == event.message, event.msgid
                chinese_words = any("\u4e00" <= ch <= "\u9fff" for ch in event.msgid)
                assert template != event.msgid or not chinese_words, event.msgid
                assert english != chinese or not chinese_words, event.msgid
            # and one document's page shows each reader its own language
            document = events[0].target
            english_page, chinese_page = self._page(document, "en"), self._page(document, "zh-hans")
            for event in Event.objects.filter(target_type=events[0].target_type, target_id=events[0].target_id):
                with translation.override("en"):
                    assert escape(event.text) in english_page, event.msgid
                with translation.override("zh-hans"):
                    assert escape(event.text) in chinese_page, event.msgid

    def test_the_transition_helper_and_the_approvals_engine_store_msgids(self, cast, customer):
        from django.utils import translation

        from salesops.core.timeline import T

        # given events written the way the kernel writes them (a translatable label inside the sentence)
        record_event(
            target=customer,
            verb=Event.Verb.APPROVAL,
            actor=cast.alice,
            text="提交审批（第 %(round)d 轮）：%(steps)s",
            params={"round": 2, "steps": [T("意向客户"), T("正式客户")]},
        )
        event = Event.objects.get()
        # then the label inside the sentence is translated too
        with translation.override("en"):
            assert event.text == "Submitted for approval (round 2): Intent customer, Formal customer"
        with translation.override("zh-hans"):
            assert event.text == "提交审批（第 2 轮）：意向客户、正式客户"

    def test_text_typed_by_a_user_and_old_style_messages_are_shown_as_is(self, cast, customer):
        from django.utils import translation

        comment_add(target=customer, actor=cast.alice, text="客户要求 100% 预付")
        record_event(target=customer, verb=Event.Verb.NOTE, actor=cast.alice, message="旧式的完整句子")
        with translation.override("en"):
            assert [e.text for e in events_for(customer)] == ["旧式的完整句子", "客户要求 100% 预付"]

    def test_bad_params_never_raise(self, cast, customer):
        from django.utils import translation

        event = record_event(target=customer, verb=Event.Verb.NOTE, text="上传附件：%(name)s", params={"name": "a.pdf"})
        for params in ({}, {"other": 1}, {"name": {"_c": "nope.Nope.x", "v": "z"}}, {"name": {"_t": 5}}, [1, 2], "x", None):
            event.params = params
            with translation.override("en"):
                assert event.text.startswith("Uploaded attachment") or event.text.startswith("上传附件")
        event.msgid, event.params = "%(a)d 个", {"a": "not a number"}
        assert "%(a)d 个" in event.text
        event.changes = [{"field": "gone", "label": "旧字段", "old": 1, "new": None}, "junk"]
        assert event.rendered_changes == [{"field": "gone", "label": "旧字段", "old": 1, "new": None}]

    def test_a_change_row_renders_the_field_label_and_yes_no_in_the_readers_language(self, cast):
        from django.utils import translation

        from salesops.core.models import StaffProfile

        profile = StaffProfile.objects.get(user=cast.alice)
        before = snapshot(profile, ["may_quote"])
        profile.may_quote = True
        record_event(target=profile, verb=Event.Verb.UPDATED, actor=cast.lena, changes=changes_between(profile, before))
        event = Event.objects.get()
        with translation.override("en"):
            en = event.rendered_changes[0]
            label_en = str(StaffProfile._meta.get_field("may_quote").verbose_name)
        assert (en["old"], en["new"], en["label"]) == ("No", "Yes", label_en) and label_en != event.changes[0]["label"]
