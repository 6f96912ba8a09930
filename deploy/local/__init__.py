"""The local launcher behind `llamastack run <distribution>`.

spec.py        what to start: one ProcessSpec per process of a run.yaml (ports, env, order)
process.py     one child: own session, log file, progress lines, stop by PID
health.py      readiness probes (gRPC health, Envoy /ready) polled without blocking
supervisor.py  the loop: start in order, wait until healthy, restart with backoff, stop
ui.py          rich live progress on a terminal, plain timestamped lines elsewhere
launcher.py    load the run.yaml, guard ports and the state dir, print the endpoints
"""
