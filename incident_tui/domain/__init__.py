"""The incident's vocabulary and rules, pure: no database, no terminal."""
