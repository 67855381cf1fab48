"""What vulture (`make lint`) cannot see being used: names read by a framework, a file
format or the tests, never by our own code. Each line says who reads it."""

# ruff: noqa: B018, F821
_ = object

# Textual and SQLAlchemy read these by name.
_.clock_timer  # app.py: the tests pause the app's clock
_._negative_number_matcher  # argparse: relative times like -5m are values, not options
_.cursor_blink  # Textual's Input reads it
_.app_focus  # Textual's App reads it
inherit_bindings  # Textual's Widget reads it
parameters  # Textual's check_action(action, parameters)
_.handle_error, request  # http.server calls handle_error(request, client_address)
_.log_request, _.log_message, server_version, sys_version, protocol_version  # http.server
do_POST, do_PUT, do_HEAD, daemon_threads, allow_reuse_address  # http.server
_.isolation_level  # pysqlite's connection: we emit BEGIN ourselves
reflected, compare_to  # alembic's include_object(obj, name, type_, reflected, compare_to)
__getattr__, __dir__  # Python's module attribute hooks (PEP 562): ops/__init__'s lazy names

# textual-serve's Server calls it by name (the page's route, cli/web_server.py).
_.handle_index

# The JSON export's keys (TypedDicts: the format others read, and its JSON schema).
durationSeconds, usersAffected, revenueImpact, slaBreached, dueDate, jiraTicket
startedAt, endedAt, formatVersion, incidentCommander, rootCause, contributingFactors
whatWentWell, whatWentPoorly, luckyBreaks, actionItems, fiveWhys, lessonsLearned
incidentType

# Columns written by the operations and kept for the record (who, when), read by people.
_.updated_at, _.deleted_by, updated_at, deleted_by, started_by, snoozed_by
first_seen_at, _.last_seen_at, last_seen_at, received_at  # alert groups and receipts
added_by, added_at, set_at, set_by  # incident services and labels

# Driven by the tests and the benchmarks.
RULES  # blameless_lint: the rules' names, listed in the tests
_.advance  # FrozenClock: the tests move time
_.seconds_left  # Deadline: the tests read a countdown in seconds
_.writes_settled  # the war room's writes are all done: what the tests wait on
_.entry_count  # the timeline's size: benchmarks/app.py waits on it
context_change  # domain.context: the tests set a type with it (declare --type and /type come next)
