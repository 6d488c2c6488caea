"""Every write of the after-sales floor, one module per action family (ARCHITECTURE.md "Inside an app"):
callbacks (回访), tickets (服务工单 + SLA), complaints (投诉 + CAPA), returns (退/换/修) and plans (年度服务计划).

Each transition runs in `transaction.atomic()`, locks its document with `select_for_update()` (the document first, then
its lines or children; an order before a return request on it), checks the status and `permissions.<doc>_allowed_actions`,
changes it, records a timeline event and notifies through `salesops.core.notifications.notify` inside the transaction.
"""
