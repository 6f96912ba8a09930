"""`python -m gateway`: the registry and router of the mesh."""

from gateway.app import build
from services.common.server import run

if __name__ == "__main__":
    run(build)
