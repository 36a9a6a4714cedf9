"""`python -m bench.profiled OUT -m persona_insight serve …`: the server under cProfile timed by
CPU, not wall clock (an async server's wall time charges every wait to whatever was suspended,
and on a loaded machine every syscall looks slow).

The profile starts with the process; SIGUSR1 starts it afresh (a benchmark sends it when the
phase it wants begins), SIGUSR2 writes it to OUT and stops. Exiting writes it too if it runs.
"""

from __future__ import annotations

import cProfile
import runpy
import signal
import sys
import time
from types import FrameType


def main() -> None:
    out = sys.argv[1]
    if sys.argv[2:3] != ["-m"] or len(sys.argv) < 4:
        raise SystemExit("usage: python -m bench.profiled OUT -m MODULE [ARGS…]")
    module = sys.argv[3]
    sys.argv = [module, *sys.argv[4:]]
    state = {"profile": cProfile.Profile(time.process_time)}

    def restart(signum: int, frame: FrameType | None) -> None:
        state["profile"].disable()
        state["profile"] = cProfile.Profile(time.process_time)
        state["profile"].enable()

    def dump(signum: int, frame: FrameType | None) -> None:
        state["profile"].disable()
        state["profile"].dump_stats(out)

    signal.signal(signal.SIGUSR1, restart)
    signal.signal(signal.SIGUSR2, dump)
    state["profile"].enable()
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    finally:
        state["profile"].disable()
        state["profile"].dump_stats(out)


if __name__ == "__main__":
    main()
