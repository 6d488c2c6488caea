"""The transition helper (ARCHITECTURE.md rule 1).

Statuses are django-fsm-2 `FSMField`s whose allowed moves are declared with `@transition` on the model. A service moves a
document with `transition()`: it locks the row, checks the move is allowed from the *current* status and that the actor may
make it, changes it, writes a timeline event in the same transaction and schedules side effects after commit.
Two clicks at once: the second one waits on the lock, then sees the new status and gets a clear 409.

Lock order (ARCHITECTURE.md rule 11, salesops.core.locking): the document first, then its approval request, then the
step; lines and child documents after their parent (a service that changes a shipment locks its order, then calls
`transition` on the shipment); several rows of one table in pk order. A deadlock or serialization failure is run again
once, then answered 409 (`retry_on_lock_conflict`), never a 500.
"""

from __future__ import annotations

from collections.abc import Callable

from django.apps import apps as global_apps
from django.db import transaction
from django.db.models.signals import class_prepared
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_fsm import FSMFieldMixin, can_proceed, has_transition_perm

from .errors import Conflict, Forbidden, NotFound
from .locking import retry_on_lock_conflict
from .models import Event
from .timeline import choice, record_event


def collect_transitions_of_app_models_only() -> None:
    """django-fsm-2 connects a class_prepared receiver for every FSM field it meets, the fields of the historical models
    each migration renders included (hundreds per `migrate`); they stay connected while those models live, and every
    model class prepared afterwards calls them all: about 8 million calls, two thirds of a `migrate` on an empty
    database (each test database is one). A historical model has none of the model's methods, so it has no transition
    to collect: its field's receiver is disconnected at once. Called once, from CoreConfig.ready()."""
    contribute = FSMFieldMixin.contribute_to_class
    if getattr(contribute, "app_models_only", False):
        return

    def contribute_to_class(self, cls, name, *args, **kwargs):
        contribute(self, cls, name, *args, **kwargs)
        if cls._meta.apps is not global_apps:
            class_prepared.disconnect(self._collect_transitions)

    contribute_to_class.app_models_only = True
    FSMFieldMixin.contribute_to_class = contribute_to_class


def status_label(obj, field: str = "status") -> str:
    return str(getattr(obj, f"get_{field}_display")())


@retry_on_lock_conflict
def transition(
    *,
    obj,
    action: str,
    actor,
    message: str = "",
    text=None,
    params: dict | None = None,
    check: Callable | None = None,
    before_save: Callable | None = None,
    on_commit: Callable | None = None,
    field: str = "status",
    args: tuple = (),
):
    """Run the fsm transition method `action` (with `args`, for a method choosing its target) on a locked, fresh copy of `obj`; return that copy.

    The timeline event says `text` % `params` (a msgid rendered in the reader's language), else the user's `message`,
    else "old status → new status". `check(locked_obj)` may raise a DomainError for rules beyond the status (the actor's right, required fields);
    `before_save(locked_obj)` sets other fields of the same change (who, when); `on_commit(locked_obj)` runs after commit.
    """
    model = type(obj)
    with transaction.atomic():
        locked = model._default_manager.select_for_update().filter(pk=obj.pk).first()
        if locked is None:
            raise NotFound(_("%(model)s不存在或已被删除。") % {"model": model._meta.verbose_name})
        method = getattr(locked, action)
        if not can_proceed(method):
            raise Conflict(
                _("%(doc)s当前状态为“%(status)s”，不能执行“%(action)s”。")
                % {"doc": locked, "status": status_label(locked, field), "action": action_label(method)}
            )
        if not has_transition_perm(method, actor):
            raise Forbidden(_("您没有权限执行“%(action)s”。") % {"action": action_label(method)})
        if check:
            check(locked)
        from_status = getattr(locked, field)
        method(*args)
        if not text and not message:
            text = gettext_noop("%(from)s → %(to)s")
            params = {"from": choice(locked, field, from_status), "to": choice(locked, field)}
        if before_save:
            before_save(locked)
        locked.save()
        record_event(
            target=locked,
            verb=Event.Verb.STATUS,
            actor=actor,
            text=text,
            params=params,
            message=message,
            from_status=from_status,
            to_status=getattr(locked, field),
        )
        if on_commit:
            transaction.on_commit(lambda: on_commit(locked))
    return locked


def send_back(*, obj, actor, reason: str, owner: str, title, check: Callable | None = None):
    """退回: the document's `send_back` transition, the reason kept on it (`return_reason`) and in its history, and its
    owner (the field `owner`: the claimant, the author) told why — `title` (gettext_lazy) with the document's %(number)s."""
    from .notifications import notify

    done = transition(
        obj=obj,
        action="send_back",
        actor=actor,
        check=check,
        before_save=lambda locked: setattr(locked, "return_reason", reason[:300]),
        text=gettext_noop("退回：%(text)s"),
        params={"text": reason},
    )
    notify(
        recipients=[getattr(done, owner)],
        title=title,
        params={"number": done.number},
        body=reason,
        url=done.get_absolute_url(),
    )
    return done


def action_label(method) -> str:
    """The human label of a transition method: its `label` custom property, else its name."""
    meta = getattr(method, "_django_fsm", None)
    if meta is not None:
        for t in meta.transitions.values():
            label = (t.custom or {}).get("label")
            if label:
                return str(label)
    return method.__name__


def available_actions(obj, user, field: str = "status") -> list[tuple[str, str]]:
    """[(method name, label)] of the transitions `user` may run on `obj` now — for "allowed next actions" on pages.

    Transitions marked `custom={"internal": True}` (those only the approvals engine or a scheduled task make) are left out.
    """
    getter = getattr(obj, f"get_available_user_{field}_transitions")
    return [(t.name, str((t.custom or {}).get("label", t.name))) for t in getter(user) if not (t.custom or {}).get("internal")]
