"""Every write of the customers app (ARCHITECTURE.md "Inside an app"), and the one place that decides who may do what.

Who may do what (SPEC.md "Who uses it", "Customers", "Visits"):
  - create a customer: sales reps (they become the owner), team leads, sales clerks, managers;
  - edit a customer and its contacts, addresses, invoice titles, follow-ups and visits: the owner, the lead of the
    customer's team, managers and sales clerks ("supervisors" below are the last three);
  - reassign the owner: the lead of the customer's team (only to people of the teams they lead) and managers;
  - activate an intent customer: whoever may edit it; deactivate / reactivate: supervisors only;
  - visit plans: a rep plans their own visits, a lead for the reps of their team, a manager for anyone;
    the plan's rep, their lead or a manager completes or cancels it; only the lead or a manager reviews it (周会点评).
Seeing a customer at all is decided in selectors.customer_list_for; services assume the caller already checked it.
"""

from .access import (
    CREDIT_FIELDS,
    OPPORTUNITY_NOT_YOURS,
    answers_questions,
    can_ask_question,
    can_change_customer_status,
    can_create_customer,
    can_create_opportunity,
    can_edit_customer,
    can_follow_up_opportunity,
    can_manage_visit_plan,
    can_plan_visits_for,
    can_reassign_customer,
    can_review_visit_plan,
    can_set_credit,
    can_work_opportunity,
    is_supervisor_of,
    may_update_customer,
    opportunity_allowed_actions,
    question_allowed_actions,
    team_id_of,
)
from .customers import (
    ADDRESS_FIELDS,
    CONTACT_FIELDS,
    CUSTOMER_FIELDS,
    CUSTOMER_STATUS_ACTIONS,
    INVOICE_TITLE_FIELDS,
    address_create,
    address_update,
    contact_create,
    contact_update,
    customer_change_status,
    customer_create,
    customer_export_logged,
    customer_reassign,
    customer_update,
    invoice_title_create,
    invoice_title_update,
)
from .followups import followup_create, followups_remind_due
from .opportunities import (
    check_opportunity_of,
    opportunity_create,
    opportunity_lose,
    opportunity_move,
    opportunity_quoted,
    opportunity_reopen,
    opportunity_request_bid,
    opportunity_update,
    opportunity_win,
    opportunity_won_by_contract,
    register_handlers,
)
from .questions import question_answer, question_ask, question_follow_up, question_withdraw
from .visits import visit_create, visit_plan_cancel, visit_plan_create, visit_plan_review

__all__ = [
    "ADDRESS_FIELDS",
    "CONTACT_FIELDS",
    "CREDIT_FIELDS",
    "CUSTOMER_FIELDS",
    "CUSTOMER_STATUS_ACTIONS",
    "INVOICE_TITLE_FIELDS",
    "OPPORTUNITY_NOT_YOURS",
    "address_create",
    "address_update",
    "answers_questions",
    "can_ask_question",
    "can_change_customer_status",
    "can_create_customer",
    "can_create_opportunity",
    "can_edit_customer",
    "can_follow_up_opportunity",
    "can_manage_visit_plan",
    "can_plan_visits_for",
    "can_reassign_customer",
    "can_review_visit_plan",
    "can_set_credit",
    "can_work_opportunity",
    "check_opportunity_of",
    "contact_create",
    "contact_update",
    "customer_change_status",
    "customer_create",
    "customer_export_logged",
    "customer_reassign",
    "customer_update",
    "followup_create",
    "followups_remind_due",
    "invoice_title_create",
    "invoice_title_update",
    "is_supervisor_of",
    "may_update_customer",
    "opportunity_allowed_actions",
    "opportunity_create",
    "opportunity_lose",
    "opportunity_move",
    "opportunity_quoted",
    "opportunity_reopen",
    "opportunity_request_bid",
    "opportunity_update",
    "opportunity_win",
    "opportunity_won_by_contract",
    "question_allowed_actions",
    "question_answer",
    "question_ask",
    "question_follow_up",
    "question_withdraw",
    "register_handlers",
    "team_id_of",
    "visit_create",
    "visit_plan_cancel",
    "visit_plan_create",
    "visit_plan_review",
]
