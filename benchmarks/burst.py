"""Lines typed in a burst into the real app in tmux: what the database holds, and how soon.

Prints, for each terminal size and burst: lines sent, stored, lost, merged, doubled, out
of order, and the time from the burst's last Enter to the last line committed (the
window in which a kill -9 could still lose a line). Run: make bench-burst
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.terminal import Terminal, app_command  # noqa: E402

BURSTS = (20, 100, 300)
SIZES = ((120, 36), (80, 24))


def texts(db: Path, prefix: str) -> list[str]:
    with sqlite3.connect(db) as connection:
        return [
            row[0]
            for row in connection.execute(
                "select text from timeline_entry where text like ? order by occurred_at, id",
                (f"%{prefix}%",),
            )
        ]


def main() -> None:
    print(
        f"{'size':>7} {'sent':>5} {'stored':>6} {'lost':>4} {'merged':>6} {'doubled':>7} "
        f"{'order':>5} {'last Enter → committed':>23}"
    )
    for width, height in SIZES:
        with tempfile.TemporaryDirectory() as folder:
            db = Path(folder) / "burst.db"
            subprocess.run(
                app_command(db, "declare", "Burst bench", "--severity", "2"),
                check=True,
                capture_output=True,
            )
            terminal = Terminal(app_command(db, "open", "INC-1"), width=width, height=height)
            try:
                terminal.wait_for_text("Burst bench")
                time.sleep(1)
                for round_, count in enumerate(BURSTS):
                    prefix = f"b{width}r{round_}-"
                    lines = [f"{prefix}{i:04d} checked the shard map" for i in range(count)]
                    terminal.type_lines(lines)
                    sent_at = time.monotonic()
                    deadline = sent_at + 120
                    while time.monotonic() < deadline and len(texts(db, prefix)) < count:
                        time.sleep(0.005)
                    took = time.monotonic() - sent_at
                    time.sleep(1)  # anything more (a doubled line) would show by now
                    rows = texts(db, prefix)
                    exact = [r for r in rows if r in lines]
                    merged = sum(1 for r in rows if len(re.findall(re.escape(prefix), r)) > 1)
                    doubled = len(exact) - len(set(exact))
                    lost = len(set(lines) - set(exact))
                    print(
                        f"{width}x{height:<3} {count:>5} {len(rows):>6} {lost:>4} {merged:>6} "
                        f"{doubled:>7} {'ok' if exact == lines else 'WRONG':>5} "
                        f"{took * 1000:>20.0f} ms"
                    )
            finally:
                terminal.close()


if __name__ == "__main__":
    main()
