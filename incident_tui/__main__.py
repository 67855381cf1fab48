"""`python -m incident_tui` runs the command line."""

from incident_tui.cli import main

raise SystemExit(main())
