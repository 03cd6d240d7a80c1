from enum import StrEnum


class CriteriaOperator(StrEnum):
    BETWEEN = "Between"
    CONTAINS = "Contains"
    DATECOMPARE = "DateCompare"
    DISTANCE_COMPARE = "Distance_Compare"
    DOESNT_CONTAIN = "Doesnt_Contain"
    EQUAL = "Equal"
    GREATER = "Greater"
    GREATEROREQUAL = "GreaterOrEqual"
    IN = "In"
    LESS = "Less"
    LESSOREQUAL = "LessOrEqual"
    NOTEQUAL = "NotEqual"
    NOTIN = "NotIn"

    def __str__(self) -> str:
        return str(self.value)
