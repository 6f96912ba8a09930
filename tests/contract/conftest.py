import pytest

from services.common import descriptors


@pytest.fixture(scope="session")
def methods() -> tuple[descriptors.MethodInfo, ...]:
    return descriptors.methods()


@pytest.fixture(scope="session")
def public_methods(methods) -> list[descriptors.MethodInfo]:
    return [m for m in methods if m.package not in descriptors.INTERNAL_PACKAGES]
