from enum import IntEnum


class AccountStatus(IntEnum):
    CLOSED = 9
    SUSPENDED = 10
    ON_HOLD = 11
    OPEN = 12

    def __str__(self) -> str:
        return str(self.value)
