from enum import IntEnum


class DeliveryType(IntEnum):
    HTTP_POST = 0
    HTTP_GET = 1
    XML_JSON = 2
    SALES_EXEC = 3
    FTP = 4
    EMAIL = 5
    CSV_ATTACHMENT = 6
    SOAP = 7
    INTERNAL_SYSTEM = 8
    PING_POST = 9
    BATCH_EMAIL_FILE_DELIVERY = 10
    SMS_NOTIFICATION = 11

    def __str__(self) -> str:
        return str(self.value)
