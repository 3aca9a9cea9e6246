# nbconvert config (--config) used by run-notebooks.js: nbclient's cell hooks print a line on
# stderr as each code cell starts and ends, so a long `make notebooks` shows which notebook and
# which cell is running and how long each took. run-notebooks.js passes the notebook's name and
# its number of code cells in QVPO_NB_NAME and QVPO_NB_CELLS, and echoes these lines.
import os
import sys
import time

_name = os.environ.get("QVPO_NB_NAME", "notebook")
_total = os.environ.get("QVPO_NB_CELLS", "?")
_t0 = time.monotonic()
_state = {"count": 0, "started": _t0}


def _say(text):
    print(f"[qvpo-notebook] {_name}: {text}", file=sys.stderr, flush=True)


def _first_line(cell):
    # The first line that is not a comment or an import says best what a cell does.
    lines = [l.strip() for l in cell.source.splitlines() if l.strip()]
    useful = [l for l in lines if not l.startswith(("//", "import ", "/*", "*"))]
    line = (useful or lines or [""])[0]
    return line if len(line) <= 70 else line[:67] + "..."


def _on_execute(cell, cell_index, **_):
    _state["count"] += 1
    _state["started"] = time.monotonic()
    _say(f"code cell {_state['count']}/{_total} (#{cell_index}) running: {_first_line(cell)}")


def _on_executed(cell, cell_index, execute_reply=None, **_):
    now = time.monotonic()
    status = (execute_reply or {}).get("content", {}).get("status", "ok")
    _say(
        f"code cell {_state['count']}/{_total} {'done' if status == 'ok' else status} in {now - _state['started']:.1f} s"
        f" (notebook {now - _t0:.0f} s so far)"
    )


c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)
c.ExecutePreprocessor.on_cell_execute = _on_execute
c.ExecutePreprocessor.on_cell_executed = _on_executed
