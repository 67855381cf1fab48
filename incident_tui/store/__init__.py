"""Everything that speaks SQL: the database, its models, reads, the change feed, migrations."""
