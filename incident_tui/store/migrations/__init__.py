def modelled(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's include_object: SQLite's FTS5 search tables and their shadow tables are
    made by hand (migration 0004), not from the models, so comparisons leave them out."""
    return not (type_ == "table" and name.startswith(("search_entry", "search_doc")))
