"""The transition helper (ARCHITECTURE.md rule 1), proven on customers.VisitPlan (planned → done / cancelled)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.models.signals import class_prepared

from customers.models import VisitPlan
from orders.models import SalesOrder
from salesops.core.errors import Conflict, DomainError, Forbidden, NotFound
from salesops.core.models import Event
from salesops.core.transitions import available_actions, transition
from tests.factories import VisitPlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(cast):
    return VisitPlanFactory(customer__owner=cast.alice)


class TestTransition:
    def test_the_status_changes_and_an_event_records_from_and_to(self, cast, plan):
        # when alice cancels her planned visit
        moved = transition(obj=plan, action="cancel", actor=cast.alice)
        # then the row changed and the timeline says planned → cancelled, by alice
        assert moved.status == VisitPlan.Status.CANCELLED
        assert VisitPlan.objects.get(pk=plan.pk).status == VisitPlan.Status.CANCELLED
        event = Event.objects.get(verb=Event.Verb.STATUS, target_id=plan.pk)
        assert (event.from_status, event.to_status, event.actor) == ("planned", "cancelled", cast.alice)
        assert event.message == "计划中 → 已取消"

    def test_a_custom_message_and_before_save_are_applied_in_the_same_change(self, cast, plan):
        def before_save(locked):
            locked.review_note = "客户临时出差"

        transition(obj=plan, action="cancel", actor=cast.alice, message="取消拜访：客户出差", before_save=before_save)
        plan.refresh_from_db()
        assert plan.review_note == "客户临时出差"
        assert Event.objects.get(verb=Event.Verb.STATUS).message == "取消拜访：客户出差"

    def test_a_move_not_allowed_from_the_current_status_is_a_409_and_changes_nothing(self, cast, plan):
        transition(obj=plan, action="complete", actor=cast.alice)
        # when someone (with a stale page) tries to cancel the completed visit
        with pytest.raises(Conflict) as e:
            transition(obj=plan, action="cancel", actor=cast.alice)
        # then it is a clear conflict naming the current status and the action, and no event is added
        assert e.value.status_code == 409
        assert "当前状态为“已拜访”" in str(e.value) and "不能执行“取消拜访”" in str(e.value)
        assert VisitPlan.objects.get(pk=plan.pk).status == VisitPlan.Status.DONE
        assert Event.objects.filter(verb=Event.Verb.STATUS).count() == 1

    def test_the_check_callback_can_refuse_and_nothing_is_written(self, cast, plan):
        def only_the_rep(locked):
            if locked.rep_id != cast.bob.pk:
                raise Forbidden("只有负责的业务员可以操作。")

        with pytest.raises(Forbidden):
            transition(obj=plan, action="cancel", actor=cast.bob, check=only_the_rep)
        assert VisitPlan.objects.get(pk=plan.pk).status == VisitPlan.Status.PLANNED
        assert not Event.objects.exists()

    def test_a_deleted_document_is_not_found(self, cast, plan):
        VisitPlan.objects.filter(pk=plan.pk).delete()
        with pytest.raises(NotFound):
            transition(obj=plan, action="cancel", actor=cast.alice)

    def test_on_commit_runs_only_after_the_transaction_commits(self, cast, plan, django_capture_on_commit_callbacks):
        seen = []
        # when the transition succeeds, the side effect is queued, not run
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            transition(obj=plan, action="complete", actor=cast.alice, on_commit=lambda locked: seen.append(locked.status))
            assert seen == []
        assert len(callbacks) == 1
        # and it runs once the commit happens, seeing the new status
        callbacks[0]()
        assert seen == [VisitPlan.Status.DONE]

    def test_a_refused_transition_schedules_no_side_effect(self, cast, plan, django_capture_on_commit_callbacks):
        transition(obj=plan, action="complete", actor=cast.alice)
        seen = []
        with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(DomainError):
            transition(obj=plan, action="cancel", actor=cast.alice, on_commit=lambda locked: seen.append("sent"))
        assert callbacks == [] and seen == []


def test_available_actions_lists_the_moves_from_the_current_status(cast, plan):
    assert sorted(available_actions(plan, cast.alice)) == [("cancel", "取消拜访"), ("complete", "完成拜访")]
    moved = transition(obj=plan, action="cancel", actor=cast.alice)
    assert available_actions(moved, cast.alice) == []


def test_historical_models_of_the_migrations_leave_no_transition_receiver_behind():
    """The FSM fields of the models a migration renders disconnect django-fsm's class_prepared receiver at once
    (transitions.collect_transitions_of_app_models_only): the receivers stop piling up over a `migrate`."""
    before = len(class_prepared.receivers)
    rendered = MigrationLoader(connection).project_state().apps  # every model of every app, with its FSM fields
    assert rendered.get_model("orders", "SalesOrder") is not SalesOrder
    assert len(class_prepared.receivers) == before
    # the app's own models keep their transitions
    assert {t.name for t in SalesOrder().get_all_status_transitions()} >= {"verify", "close"}
