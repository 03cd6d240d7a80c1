from enum import IntEnum


class OfferDuration(IntEnum):
    MONTHLY = 0
    YEARLY = 1

    def __str__(self) -> str:
        return str(self.value)
