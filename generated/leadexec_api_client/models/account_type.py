from enum import IntEnum


class AccountType(IntEnum):
    GENERAL = 0
    REDIRECT = 1
    LIVE_CALL = 2
    IVR_800 = 3

    def __str__(self) -> str:
        return str(self.value)
