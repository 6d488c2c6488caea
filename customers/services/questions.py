"""Technical questions (技术咨询) of a sales opportunity to the technical department (seed 003, 产品报价、投标的流程 C:
技术部对产品的型号、技术参数及客户提了的相关技术问题进行协助和支持): ask, answer, ask again on the answer (追问), withdraw.

Who may do what: access.question_allowed_actions (the technical department answers; whoever asked or works the
opportunity withdraws or asks again). Asking locks the opportunity (it must be open) and notes the question on its
timeline; every change is on the question's own timeline, and each side is told of the other's move (notify: the outbox
when e-mailed). Two answers at once give one (core.transitions locks the row and checks the state).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from salesops.core.editing import required_text
from salesops.core.errors import DomainError
from salesops.core.models import Event
from salesops.core.names import display_name
from salesops.core.notifications import notify
from salesops.core.numbering import next_number
from salesops.core.roles import Role, users_with_role
from salesops.core.timeline import record_event
from salesops.core.transitions import transition

from ..models import Opportunity, TechnicalQuestion
from .access import _require, can_ask_question, question_allowed_actions
from .opportunities import _lock

QUESTION_NOT_YOURS = gettext_lazy("只有技术部可以答复；只有提问人和负责该销售机会的人可以追问或撤回。")


def question_ask(*, actor, opportunity: Opportunity, data: Mapping[str, Any]) -> TechnicalQuestion:
    """向技术部咨询 on an open opportunity: the subject and the question are required, the date wanted (if any) is not in
    the past. The technical department is told."""
    subject = required_text(data.get("subject"), _("请填写主题。"))[:100]
    text = required_text(data.get("question"), _("请填写要咨询的问题。"))
    needed_by = data.get("needed_by")
    if needed_by is not None and needed_by < timezone.localdate():
        raise DomainError(_("希望答复日期不能早于今天。"), code="needed_by_in_past")
    with transaction.atomic():
        locked = _lock(opportunity)
        if not locked.is_open:
            raise DomainError(
                _("销售机会 %(number)s 已结束（%(stage)s），不能再咨询。")
                % {"number": locked, "stage": locked.get_status_display()},
                code="opportunity_state",
            )
        _require(can_ask_question(actor, locked), _("只有负责该销售机会的业务员、其组长、销售内勤和经理可以向技术部咨询。"))
        question = TechnicalQuestion.objects.create(
            number=next_number("JZ"), opportunity=locked, subject=subject, question=text, needed_by=needed_by, asked_by=actor
        )
        record_event(
            target=question,
            verb=Event.Verb.CREATED,
            actor=actor,
            text=gettext_noop("提问：%(subject)s"),
            params={"subject": subject},
        )
        record_event(
            target=locked,
            verb=Event.Verb.NOTE,
            actor=actor,
            text=gettext_noop("向技术部咨询 %(number)s：%(subject)s"),
            params={"number": question.number, "subject": subject},
        )
        notify(
            recipients=list(users_with_role(Role.REVIEWER_TECHNICAL)),
            title=gettext_lazy("技术咨询 %(number)s：%(subject)s（%(customer)s）"),
            params={"number": question.number, "subject": subject, "customer": locked.customer.name},
            body=text,
            url=question.get_absolute_url(),
        )
    return question


def _check(actor, action: str):
    def check(locked):
        if action not in question_allowed_actions(locked, actor):
            _require(False, str(QUESTION_NOT_YOURS))

    return check


def question_answer(*, question: TechnicalQuestion, actor, answer: str) -> TechnicalQuestion:
    """The technical department answers an open question; the asker (and the opportunity's rep) are told."""
    answer = required_text(answer, _("请填写答复。"))

    def before_save(locked):
        locked.answer, locked.answered_by, locked.answered_at = answer, actor, timezone.now()

    answered = transition(
        obj=question,
        action="reply",
        actor=actor,
        check=_check(actor, "answer"),
        before_save=before_save,
        text=gettext_noop("答复：%(answer)s"),
        params={"answer": answer},
    )
    owner_id = answered.opportunity.owner_id
    recipients = [answered.asked_by] + ([answered.opportunity.owner] if owner_id != answered.asked_by_id else [])
    notify(
        recipients=[u for u in recipients if u.pk != actor.pk],
        title=gettext_lazy("技术部已答复 %(number)s：%(subject)s"),
        params={"number": answered.number, "subject": answered.subject},
        body=answer,
        url=answered.get_absolute_url(),
    )
    return answered


def question_follow_up(*, question: TechnicalQuestion, actor, text: str) -> TechnicalQuestion:
    """追问: more on the answer; the follow-up is added to the question, which waits for an answer again, and whoever
    answered is told."""
    text = required_text(text, _("请填写追问的内容。"))
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")

    def before_save(locked):
        follow = _("追问（%(who)s %(when)s）：%(text)s") % {"who": display_name(actor), "when": stamp, "text": text}
        locked.question = f"{locked.question}\n\n{follow}"

    asked = transition(
        obj=question,
        action="ask_again",
        actor=actor,
        check=_check(actor, "follow_up"),
        before_save=before_save,
        text=gettext_noop("追问：%(text)s"),
        params={"text": text},
    )
    notify(
        recipients=[asked.answered_by] if asked.answered_by_id else list(users_with_role(Role.REVIEWER_TECHNICAL)),
        title=gettext_lazy("技术咨询 %(number)s 有追问：%(subject)s"),
        params={"number": asked.number, "subject": asked.subject},
        body=text,
        url=asked.get_absolute_url(),
    )
    return asked


def question_withdraw(*, question: TechnicalQuestion, actor, reason: str = "") -> TechnicalQuestion:
    """An open question no longer needed (the reason, if given, on the timeline)."""
    reason = (reason or "").strip()
    return transition(
        obj=question,
        action="withdraw",
        actor=actor,
        check=_check(actor, "withdraw"),
        text=gettext_noop("撤回：%(reason)s") if reason else None,
        params={"reason": reason},
    )
