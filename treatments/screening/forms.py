"""The screening questions, one yes/no per rule the record does not answer."""

from __future__ import annotations

from typing import Any

from django import forms

from clinic.text import REASON_MAX_LENGTH
from evidence.models import ContraindicationRule, RuleSeverity
from treatments.rules import screening as screening_rules
from treatments.rules.screening import Question, Questionnaire

YES_NO = [("no", "No"), ("yes", "Yes")]


class ScreeningForm(forms.Form):
    """One yes/no question per rule the plan asks, no default: an unanswered question is an
    error. The record's own answers are shown, not asked: the record is where they change."""

    override_reason = forms.CharField(
        label="Dermatologist's override: reason",
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when a relative contraindication is present.",
    )

    def __init__(
        self,
        *args: Any,
        questions: Questionnaire[ContraindicationRule],
        asking: bool = True,
        **kwargs: Any,
    ) -> None:
        """`asking=False`: nothing changed, so only the record's raised flags are acknowledged
        (the other answers carry over)."""
        super().__init__(*args, **kwargs)
        self.questions = questions
        derived = questions.derived_answers()
        for question in questions.questions:
            rule = question.rule
            if question.asked and not asking:
                continue
            if question.asked:
                self.fields[f"rule_{rule.code}"] = forms.ChoiceField(
                    label=rule.question,
                    choices=YES_NO,
                    widget=forms.RadioSelect,
                    error_messages={"required": "Answer this question."},
                )
            # A flag the record raises is acknowledged like one typed.
            if rule.severity == RuleSeverity.FLAG and (question.asked or derived[rule.code]):
                self.fields[f"ack_{rule.code}"] = forms.BooleanField(
                    label="I have seen this warning", required=False
                )

    def _row(self, question: Question[ContraindicationRule]) -> dict[str, Any]:
        code = question.rule.code
        return {
            "rule": question.rule,
            "derived": question.derived,
            "answer": self[f"rule_{code}"] if f"rule_{code}" in self.fields else None,
            "ack": self[f"ack_{code}"] if f"ack_{code}" in self.fields else None,
        }

    def from_record_rows(self) -> list[dict[str, Any]]:
        return [self._row(question) for question in self.questions.from_record]

    def groups(self) -> list[tuple[str, list[dict[str, Any]]]]:
        return [
            (name, [self._row(question) for question in members])
            for name, members in screening_rules.grouped(self.questions.asked)
        ]

    def answers(self) -> dict[str, bool]:
        """What was typed; the services add the record's answers."""
        return {
            question.rule.code: self.cleaned_data[f"rule_{question.rule.code}"] == "yes"
            for question in self.questions.asked
            if f"rule_{question.rule.code}" in self.cleaned_data
        }

    def acknowledged(self) -> set[str]:
        return {
            question.rule.code
            for question in self.questions.questions
            if self.cleaned_data.get(f"ack_{question.rule.code}")
        }
