from enum import StrEnum


class ClientStatus(StrEnum):
    ACTIVE = "Active"
    CLOSED = "Closed"
    DEAD = "Dead"
    INACTIVE = "Inactive"
    LATE = "Late"
    NEW = "New"
    PENDING = "Pending"
    SUSPENDED = "Suspended"
    WAITING = "Waiting"
    WORKING = "Working"

    def __str__(self) -> str:
        return str(self.value)
