"""Errors the service layer raises; the API and pages map them to 403/404/409/422 with the message."""


class ServiceError(Exception):
    status = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(ServiceError):
    status = 404


class Forbidden(ServiceError):
    status = 403


class InvalidState(ServiceError):
    status = 409


class InvalidInput(ServiceError):
    status = 422
