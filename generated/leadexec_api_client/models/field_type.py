from enum import IntEnum


class FieldType(IntEnum):
    STATIC_VALUE = 0
    LEAD_FIELD = 1
    SPECIAL_FIELD = 2
    CUSTOM_EXPR = 3
    SUB_STRING = 4
    STRING_CONCATENATION = 5
    CLIENT_FIELD = 6
    LEAD_SOURCE_FIELD = 7
    EVALUATE_FUNCTION = 8

    def __str__(self) -> str:
        return str(self.value)
