"""The schema revisions this version knows, oldest first; the last one is the head."""

SCHEMA_REVISIONS: tuple[str, ...] = (
    "0001",
    "0002",
    "0003",
    "0004",
    "0005",
    "0006",
    "0007",
    "0008",
    "0009",
)
"""Every migration this version knows, oldest first; the last one is the head. Kept
here, free of SQLAlchemy, so a first look at a database can check it cheaply."""
SCHEMA_HEAD = SCHEMA_REVISIONS[-1]
