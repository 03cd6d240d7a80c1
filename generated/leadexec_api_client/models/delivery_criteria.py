from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.criteria_operator import CriteriaOperator
from ..models.criteria_type import CriteriaType

T = TypeVar("T", bound="DeliveryCriteria")


@_attrs_define
class DeliveryCriteria:
    """One filter row of a delivery account. Value formats for Between, In,
    NotIn, DateCompare and Distance_Compare are not documented; see the
    project's docs/api-assumptions.md for the format it sends.

        Attributes:
            client_criteria_uid (int): The row's identifier; 0 adds a new row.
            lead_field_uid (int): The lead field compared (FieldValue rows), 0 otherwise.
            type_ (CriteriaType): Kind of criteria row: FieldValue compares lead field `LeadFieldUID`
                with `Operator` and `Value`; Expression evaluates `Expression` (a
                regular or calculated expression); Function runs an evaluate function.
            expression (str): The expression of Expression and Function rows; empty otherwise.
            operator (CriteriaOperator): Comparison a FieldValue criteria row applies to the lead's value.
            value (str): The value compared with the lead's value.
    """

    client_criteria_uid: int
    lead_field_uid: int
    type_: CriteriaType
    expression: str
    operator: CriteriaOperator
    value: str

    def to_dict(self) -> dict[str, Any]:
        client_criteria_uid = self.client_criteria_uid

        lead_field_uid = self.lead_field_uid

        type_ = self.type_.value

        expression = self.expression

        operator = self.operator.value

        value = self.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "ClientCriteriaUID": client_criteria_uid,
                "LeadFieldUID": lead_field_uid,
                "Type": type_,
                "Expression": expression,
                "Operator": operator,
                "Value": value,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        client_criteria_uid = d.pop("ClientCriteriaUID")

        lead_field_uid = d.pop("LeadFieldUID")

        type_ = CriteriaType(d.pop("Type"))

        expression = d.pop("Expression")

        operator = CriteriaOperator(d.pop("Operator"))

        value = d.pop("Value")

        delivery_criteria = cls(
            client_criteria_uid=client_criteria_uid,
            lead_field_uid=lead_field_uid,
            type_=type_,
            expression=expression,
            operator=operator,
            value=value,
        )

        return delivery_criteria
