from enum import StrEnum


class CriteriaType(StrEnum):
    EXPRESSION = "Expression"
    FIELDVALUE = "FieldValue"
    FUNCTION = "Function"

    def __str__(self) -> str:
        return str(self.value)
