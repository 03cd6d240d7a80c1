from enum import StrEnum


class AutomationType(StrEnum):
    PRICE = "Price"
    PRIORITY = "Priority"
    ROUNDROBIN = "RoundRobin"

    def __str__(self) -> str:
        return str(self.value)
