"""Errors a user can cause and read: each carries one line that says what is wrong."""


class IncidentError(Exception):
    """Bad input or an impossible request; the message is shown to the user as is."""


class NotFound(IncidentError):
    """The incident, entry or item named does not exist."""


class StorageError(IncidentError):
    """The database cannot be opened, read or written."""


class ConfigError(IncidentError):
    """The configuration file cannot be read."""


class ConflictError(IncidentError):
    """Someone else changed the same thing first. `current` is their version (an entry),
    `version` the version number to name when overwriting it on purpose."""

    def __init__(self, message: str, *, current: object = None, version: int | None = None):
        super().__init__(message)
        self.current = current
        self.version = version
