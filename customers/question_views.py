"""Pages of the technical questions (技术咨询): the list (the technical department's work list; the sales side sees those
of its opportunities), asking from an opportunity, the question with its answer, answering, asking again and
withdrawing. Rules: customers.services.questions and access.question_allowed_actions."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from salesops.core.editing import call_for_form
from salesops.core.pages import Button, action_buttons, forbidden, form_page, paginate, post_data, querystring

from . import filters, forms, selectors, services
from .services.questions import QUESTION_NOT_YOURS


@login_required
@require_GET
def question_list(request):
    user = request.user
    if not selectors.sees_questions(user):
        return forbidden(request, _("技术咨询由销售人员、销售内勤、经理和技术部使用。"))
    filterset = filters.QuestionFilter(request.GET, queryset=selectors.question_list_for(user), request=request)
    return render(
        request,
        "customers/question_list.html",
        {
            "filterset": filterset,
            "page": paginate(request, filterset.qs.defer("question", "answer")),
            "querystring": querystring(request, "page"),
        },
        status=filterset.status_code,
    )


@login_required
def question_create(request):
    """向技术部咨询 from an opportunity (?opportunity=<id>, one the user sees and works)."""
    user = request.user
    pk = request.GET.get("opportunity", "")
    if not pk.isdigit():
        raise Http404
    opportunity = selectors.opportunity_get_for(user, int(pk))
    if not services.can_ask_question(user, opportunity):
        return forbidden(request, _("只有负责该销售机会的业务员、其组长、销售内勤和经理可以向技术部咨询（销售机会须在跟进中）。"))
    initial = {"needed_by": opportunity.bid_deadline} if opportunity.bid_deadline else {}
    form = forms.QuestionForm(post_data(request), initial=initial)
    if form.is_bound and form.is_valid():
        ok, question = call_for_form(
            form, lambda: services.question_ask(actor=user, opportunity=opportunity, data=form.cleaned_data)
        )
        if ok:
            messages.success(request, _("已向技术部咨询（%(number)s），答复后会通知您。") % {"number": question.number})
            return redirect(question.get_absolute_url())
    return form_page(
        request,
        form,
        title=_("向技术部咨询"),
        intro=f"{opportunity.number} {opportunity.title} · {opportunity.customer.name}",
        cancel_url=opportunity.get_absolute_url(),
        submit_label=_("提交咨询"),
        testid="question-form",
    )


QUESTION_BUTTONS = {
    "answer": Button(gettext_lazy("答复"), "success", page="customers:question_answer", icon="reply"),
    "follow_up": Button(gettext_lazy("追问"), "outline-primary", page="customers:question_follow_up"),
    "withdraw": Button(gettext_lazy("撤回"), "outline-secondary"),
}
QUESTION_CONFIRM = {"withdraw": gettext_lazy("撤回后技术部不再需要答复；如有需要可重新咨询。")}


@login_required
@require_GET
def question_detail(request, pk):
    question = selectors.question_get_for(request.user, pk)
    actions = services.question_allowed_actions(question, request.user)
    return render(
        request,
        "customers/question_detail.html",
        {
            "q": question,
            "o": question.opportunity,
            "can_see_opportunity": selectors.sees_opportunities(request.user),
            "buttons": action_buttons(QUESTION_BUTTONS, actions, question, "customers:question_action", QUESTION_CONFIRM),
        },
    )


class TextForm(django_forms.Form):
    text = django_forms.CharField(widget=django_forms.Textarea(attrs={"rows": 6}), max_length=5000)

    def __init__(self, *args, label, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = label


@dataclass(frozen=True)
class QuestionAction:
    label: str
    call: object
    done: str


QUESTION_ACTIONS = {
    "answer": QuestionAction(
        gettext_lazy("答复"),
        lambda q, user, text: services.question_answer(question=q, actor=user, answer=text),
        gettext_lazy("已答复，提问人会收到通知。"),
    ),
    "follow_up": QuestionAction(
        gettext_lazy("追问"),
        lambda q, user, text: services.question_follow_up(question=q, actor=user, text=text),
        gettext_lazy("已追问，技术部会收到通知。"),
    ),
}


@login_required
def question_action(request, pk, action):
    """答复 and 追问 on their own page (a text), 撤回 posted from the question's button."""
    question = selectors.question_get_for(request.user, pk)
    if action == "withdraw":
        if request.method != "POST":
            raise Http404
        services.question_withdraw(question=question, actor=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("已撤回。"))
        return redirect(question.get_absolute_url())
    spec = QUESTION_ACTIONS.get(action)
    if spec is None:
        raise Http404
    if action not in services.question_allowed_actions(question, request.user):
        return forbidden(request, str(QUESTION_NOT_YOURS))
    form = TextForm(post_data(request), label=spec.label)
    if form.is_bound and form.is_valid():
        ok, _done = call_for_form(form, lambda: spec.call(question, request.user, form.cleaned_data["text"]))
        if ok:
            messages.success(request, str(spec.done))
            return redirect(question.get_absolute_url())
    return form_page(
        request,
        form,
        title=f"{spec.label}：{question.number}",
        intro=f"{question.subject} · {question.opportunity.customer.name}",
        cancel_url=question.get_absolute_url(),
        submit_label=str(spec.label),
        testid=f"question-{action}-form",
    )
