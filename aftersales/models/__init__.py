"""After-sales: satisfaction callbacks, service tickets with SLA, complaints with CAPA, returns/exchanges/repairs (RMA) and the
annual service plan (SPEC.md "After-sales", "Satisfaction follow-up").

- CallbackRule rows are the data of "when after delivery and by whom" (default day 7 by service, day 30 by the order's rep);
  Callback rows are created set-based by services.callbacks.callbacks_schedule, unique per delivery (shipment) and offset.
- ServiceTicket (FW-) with an SLA clock on the working calendar (WorkingPeriod + CalendarDay) from SlaPolicy, a
  communication log (服务电话/传真/收件/发件记录) and the spare parts used.
- Complaint (TS-) with root cause by QC and CorrectiveAction rows (corrective and preventive), each verified.
- ReturnRequest (TH-) with lines never above what was delivered, photos, VP (and GM) approval, receiving and an outcome.
- ServicePlan: the annual after-sales service plan approved by leadership.
"""

# One module per document family (ARCHITECTURE.md: modules per action family); every model is importable from here.
from .base import USER, Channel, _user
from .calendar import CalendarDay, Priority, SlaPolicy, TicketType, WorkingPeriod
from .callbacks import CALLBACK_LABEL, Callback, CallbackAttempt, CallbackRule
from .complaints import Complaint, CorrectiveAction
from .plans import ServicePlan, ServicePlanItem
from .returns import ReturnLine, ReturnPhoto, ReturnRequest, photo_thumbnail_path
from .tickets import ServiceTicket, TicketCommunication, TicketPart

__all__ = [
    "CALLBACK_LABEL",
    "USER",
    "CalendarDay",
    "Callback",
    "CallbackAttempt",
    "CallbackRule",
    "Channel",
    "Complaint",
    "CorrectiveAction",
    "Priority",
    "ReturnLine",
    "ReturnPhoto",
    "ReturnRequest",
    "ServicePlan",
    "ServicePlanItem",
    "ServiceTicket",
    "SlaPolicy",
    "TicketCommunication",
    "TicketPart",
    "TicketType",
    "WorkingPeriod",
    "_user",
    "photo_thumbnail_path",
]
