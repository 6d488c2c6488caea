"""Admin: the special-contract review rules are configuration (which departments review for which reason); quotations and
contracts are shown read-only for support — they move only through the app's services (numbering, approvals, timeline)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from salesops.core.admin import ReadOnlyMixin
from salesops.core.models import Department

from . import rules
from .models import Contract, ContractChange, ContractLine, ContractVersion, Quotation, QuotationLine, SpecialReviewRule


class SpecialReviewRuleForm(forms.ModelForm):
    reason = forms.ChoiceField(label=_("特殊原因"), choices=[(code, label) for code, label in rules.REASON_LABELS.items()])
    departments = forms.MultipleChoiceField(
        label=_("需评审的部门"),
        choices=[(code, label) for code, label in Department.Code.choices if code in rules.REVIEW_DEPARTMENTS],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = SpecialReviewRule
        fields = ["reason", "departments"]


@admin.register(SpecialReviewRule)
class SpecialReviewRuleAdmin(admin.ModelAdmin):
    form = SpecialReviewRuleForm
    list_display = ["reason_display", "departments_display"]

    @admin.display(description=_("特殊原因"))
    def reason_display(self, obj):
        return rules.reason_label(obj.reason)

    @admin.display(description=_("需评审的部门"))
    def departments_display(self, obj):
        return "、".join(rules.department_label(code) for code in obj.departments)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    fields = ["line_no", "name", "model", "spec", "unit", "quantity", "unit_price", "discount_rate", "tax_rate", "amount_incl"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class QuotationLineInline(ReadOnlyInline):
    model = QuotationLine


class ContractLineInline(ReadOnlyInline):
    model = ContractLine


@admin.register(Quotation)
class QuotationAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    search_fields = ["number", "project_name", "customer__name"]
    list_display = ["number", "version", "customer", "owner", "status", "amount_incl", "valid_until"]
    list_filter = ["status"]
    inlines = [QuotationLineInline]


@admin.register(Contract)
class ContractAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    search_fields = ["number", "project_name", "customer__name"]
    list_display = ["number", "version", "customer", "owner", "classification", "status", "amount_incl", "contract_date"]
    list_filter = ["status", "classification"]
    inlines = [ContractLineInline]


@admin.register(ContractChange)
class ContractChangeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["contract", "from_version", "status", "requested_by", "created_at"]
    search_fields = ["contract__number", "reason"]


@admin.register(ContractVersion)
class ContractVersionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["contract", "version", "created_at"]
    search_fields = ["contract__number"]
