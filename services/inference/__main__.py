"""`python -m services.inference`: the inference API service."""

from services.common.server import run
from services.inference.server import build

if __name__ == "__main__":
    run(build)
