"""core 0005: old timeline rows (a finished sentence in `message`) become msgid + params and read in the reader's language."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.utils import translation

from salesops.core.models import Event
from salesops.core.timeline import record_event
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("salesops.core.migrations.0005_event_messages_to_msgids")


@pytest.fixture
def customer(cast):
    return CustomerFactory(owner=cast.alice, name="苏州恒达机械有限公司")


def old_row(customer, message: str, verb=Event.Verb.NOTE, **statuses) -> Event:
    """A row as written before events stored a msgid: the finished sentence in the actor's language."""
    return record_event(target=customer, verb=verb, actor=None, message=message, **statuses)


def migrate() -> None:
    migration.messages_to_msgids(apps, None)


def read(event: Event, language: str) -> str:
    event.refresh_from_db()
    with translation.override(language):
        return event.text


# (old message, what a Chinese reader reads, what an English reader reads) — sentences written in Chinese and in English
OLD_ROWS = [
    (
        "检验 阀体 DN50 批号 L240301 × 5：合格",
        "检验 阀体 DN50 批号 L240301 × 5：合格",
        "Inspection 阀体 DN50 lot L240301 × 5: Passed",
    ),
    ("Inspection 阀体 DN50 lot L7 × 2: Failed", "检验 阀体 DN50 批号 L7 × 2：不合格", "Inspection 阀体 DN50 lot L7 × 2: Failed"),
    ("由 v2 修订生成", "由 v2 修订生成", "Revised from v2"),
    (
        "直接接单（标准品），含税金额 1130.00",
        "直接接单（标准品），含税金额 1130.00",
        "Direct order (standard products), amount incl. tax 1130.00",
    ),
    # an English sentence once put together from pieces (the Chinese comma between them)
    (
        "Direct order (standard products)，amount incl. tax 88.00",
        "直接接单（标准品），含税金额 88.00",
        "Direct order (standard products), amount incl. tax 88.00",
    ),
    ("Relist：back in production", "重新上架：back in production", "Relist: back in production"),
    ("Incoming call（王工）：设备异响", "来电（王工）：设备异响", "Incoming call (王工): 设备异响"),
    ("提交审批（第 2 轮）：技术部评审、总经理审批", "提交审批（第 2 轮）：技术部评审、总经理审批", None),
    ("新增联系人：张三", "新增联系人：张三", "Added Contact: 张三"),
]


class TestOldRowsGetMsgids:
    @pytest.mark.parametrize("message, chinese, english", OLD_ROWS)
    def test_a_sentence_in_either_language_reads_in_both(self, customer, message, chinese, english):
        # given a row written before the msgid existed
        event = old_row(customer, message)
        # when the migration runs
        migrate()
        # then it has a msgid and reads in each reader's language
        event.refresh_from_db()
        assert event.msgid and isinstance(event.params, dict)
        assert read(event, "zh-hans") == chinese
        if english is not None:
            assert read(event, "en") == english
        # and its stored message is left as it was
        assert event.message == message

    def test_whole_numbers_and_lists_of_labels_are_stored_as_the_code_stores_them(self, customer):
        event = old_row(customer, "提交审批（第 3 轮）：技术部评审、总经理审批")
        migrate()
        event.refresh_from_db()
        assert event.msgid == "提交审批（第 %(round)d 轮）：%(steps)s"
        assert event.params == {"round": 3, "steps": [{"_t": "技术部评审"}, {"_t": "总经理审批"}]}
        assert read(event, "en").startswith("Submitted for approval (round 3): ")

    def test_a_status_change_takes_its_statuses_from_the_row(self, customer):
        # given "意向客户 → 停用：原因" written by the old transition helper, and the same in English
        zh = old_row(customer, "意向客户 → 停用：不再合作", Event.Verb.STATUS, from_status="intent", to_status="inactive")
        en = old_row(customer, "Intent customer → Inactive: gone", Event.Verb.STATUS, from_status="intent", to_status="inactive")
        migrate()
        assert read(zh, "en") == "Intent customer → Inactive: 不再合作"
        assert read(en, "zh-hans") == "意向客户 → 停用：gone"
        zh.refresh_from_db()
        assert zh.params["from"] == {"_c": "customers.customer.status", "v": "intent"}

    def test_a_choice_is_stored_as_its_code(self, customer):
        event = old_row(customer, "Inspection 阀体 lot L1 × 1: Passed")
        migrate()
        event.refresh_from_db()
        assert event.params["result"] == {"_c": "orders.Inspection.result", "v": "pass"}

    def test_comments_and_sentences_no_one_writes_stay_as_they_are(self, cast, customer):
        # given a user's comment that looks like a sentence of the system, and a sentence the system no longer writes
        comment = old_row(customer, "撤销：客户不要了", Event.Verb.COMMENT)
        unknown = old_row(customer, "旧版本的一句话")
        arrow = old_row(customer, "A → B")  # "%(from)s → %(to)s" needs the row's own statuses
        migrate()
        for event in (comment, unknown, arrow):
            event.refresh_from_db()
            assert (event.msgid, event.params) == ("", {})
            assert read(event, "en") == event.message

    def test_rows_that_already_have_a_msgid_are_left_alone_and_running_twice_changes_nothing(self, customer):
        from django.utils.translation import gettext_noop

        new = record_event(target=customer, verb=Event.Verb.NOTE, text=gettext_noop("修改计划"))
        old = old_row(customer, "修改计划")
        migrate()
        migrate()
        new.refresh_from_db()
        old.refresh_from_db()
        assert (new.msgid, old.msgid) == ("修改计划", "修改计划")
        assert read(old, "en") == "Plan changed"

    def test_every_frozen_sentence_matches_its_own_source_and_english_text(self):
        # each frozen sentence, written out with sample values, is recognised as itself (none is shadowed by another)
        patterns = migration._patterns()
        for msgid, english, kinds in migration.SENTENCES:
            for text in (msgid, *english):
                values = {}
                for name, kind_letter in migration.PLACEHOLDER.findall(text):
                    kind = kinds.get(name)
                    if kind_letter == "d":
                        values[name] = 7
                    elif isinstance(kind, tuple) and kind[0] == "choice":
                        values[name] = migration.CHOICES[kind[1]][0][1]
                    elif isinstance(kind, tuple) and kind[1]:
                        values[name] = kind[1][0][0]
                    else:
                        values[name] = f"样例{name}"
                row = Event(message=text % values, from_status="intent", to_status="active")
                found = migration._convert(row.message, row, "customers.customer", patterns)
                assert found is not None and found[0] == msgid, (text, found)
