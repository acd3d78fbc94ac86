"""The one error hierarchy of the application.

Every error the application raises on purpose derives from ``AssistantError``. Errors that reach a
user carry ``user_message``: plain Simplified Chinese, safe to show (no personal data, no internals).
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base of every deliberate error in this project."""

    user_message: str = "抱歉，系统出了点问题，请稍后再试。"

    def __init__(self, message: str = "", *, user_message: str | None = None) -> None:
        super().__init__(message or self.__class__.__doc__ or self.__class__.__name__)
        if user_message is not None:
            self.user_message = user_message


class ConfigurationError(AssistantError):
    """Settings or configuration files are missing or invalid."""


class DataFileError(AssistantError):
    """A data file (policy knowledge, county parameters, calendar) is malformed."""


class InputError(AssistantError):
    """Something a user or an import file supplied is not valid; ``reason`` says why, in Chinese."""

    def __init__(self, reason: str, *, value: str | None = None) -> None:
        super().__init__(reason, user_message=reason)
        self.reason = reason
        self.value = value


class CaseNumberError(InputError):
    """Malformed case number."""


class IdNumberError(InputError):
    """Malformed resident ID number or ID fragment."""


class PhoneNumberError(InputError):
    """Malformed mainland mobile number."""


class AmountError(InputError):
    """An amount of money that cannot be read."""


class DateError(InputError):
    """A date that cannot be read."""


class TownError(InputError):
    """A place that is not one of Lueyang's township-level units."""


class NotFound(AssistantError):
    """The requested record does not exist (or the caller may not know that it exists)."""


class AccessDenied(AssistantError):
    """The caller may not see or change this record."""

    user_message = "抱歉，您没有查看这项信息的权限。"


class RateLimited(AssistantError):
    """Too many attempts; try again later."""


class ServiceUnavailable(AssistantError):
    """A backing service (database, Rasa, action server, Telegram) cannot be reached."""

    user_message = "抱歉，服务暂时不可用，请稍后再试。"


class DatabaseUnavailable(ServiceUnavailable):
    """The case database cannot be reached."""


class RasaUnavailable(ServiceUnavailable):
    """The Rasa server (or the action server behind it) did not answer in time."""


class UnknownParameter(DataFileError, KeyError):
    """A county parameter key that the parameter file does not define."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else self.__class__.__name__
