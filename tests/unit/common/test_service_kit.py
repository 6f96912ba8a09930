"""The service kit's own logic: the resource table, the provider pick, the skeleton, lazy
provider imports, and the one table of resource kinds."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from llamastack.common.v1 import resource_pb2
from llamastack.provider.v1 import provider_service_pb2
from llamastack.registry.v1 import resources_pb2
from services.common.config import RESOURCE_SECTIONS, RunConfig
from services.common.errors import (
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    ServiceUnavailable,
)
from services.common.kinds import KINDS
from services.common.providers import Provider, ProviderHost
from services.common.resources import Accepted, ResourceTable
from services.common.service import ServiceDef, build_component
from services.common.settings import Settings


def _shield(ident: str, provider_id: str = "p") -> provider_service_pb2.AnyResource:
    return provider_service_pb2.AnyResource(
        shield=resources_pb2.Shield(
            identifier=ident, provider_id=provider_id, provider_resource_id=ident
        )
    )


class ShieldProvider(Provider):
    api = "safety"
    provider_type = "test::shields"

    def __init__(self, provider_id: str, config) -> None:
        super().__init__(provider_id, config)
        self.released: list[str] = []
        self.table = ResourceTable(
            "shield", self.label, self.ready, accept=self._accept, release=self._release
        )

    async def _accept(self, shield):
        if shield.identifier.startswith("bad"):
            raise InvalidArgument(f"{shield.identifier} is refused")
        normalised = resources_pb2.Shield()
        normalised.CopyFrom(shield)
        normalised.params.update({"normalised": True})
        return Accepted(normalised, {"rules": 1})

    async def _release(self, entry):
        self.released.append(entry.id)


async def test_registration_waits_for_the_provider_then_validates_and_stores():
    p = ShieldProvider("p", {})
    task = asyncio.create_task(p.register_resource(_shield("s1")))
    await asyncio.sleep(0.01)
    assert not task.done(), "registration must wait until the provider is ready"
    p.ready.set()
    done = await task
    assert done.resource.shield.params["normalised"] is True
    assert p.table.get("s1") == {"rules": 1} and p.knows("s1")
    assert p.info().resource_kinds == [resource_pb2.RESOURCE_KIND_SHIELD]


async def test_refusal_stores_nothing_and_wrong_kind_is_invalid():
    p = ShieldProvider("p", {})
    p.ready.set()
    with pytest.raises(InvalidArgument):
        await p.register_resource(_shield("bad-1"))
    assert "bad-1" not in p.table and len(p.table) == 0
    model = provider_service_pb2.AnyResource(model=resources_pb2.Model(identifier="m"))
    with pytest.raises(InvalidArgument, match="shield resources only"):
        await p.register_resource(model)


async def test_unregister_releases_registered_entries_and_keeps_configured_ones():
    p = ShieldProvider("p", {})
    p.ready.set()
    p.table.add_configured("cfg", {"rules": 0})
    await p.register_resource(_shield("s1"))
    await p.unregister_resource(_shield("s1"))
    await p.unregister_resource(_shield("cfg"))
    await p.unregister_resource(_shield("never"))  # harmless
    assert p.released == ["s1"] and p.table.ids() == ["cfg"]


def test_not_found_names_the_resource_the_provider_and_what_it_serves():
    p = ShieldProvider("p", {})
    p.table.add_configured("a", 1)
    with pytest.raises(NotFound) as err:
        p.table.get("zzz")
    assert "shield 'zzz'" in err.value.message and "provider p (test::shields)" in err.value.message
    assert "['a']" in err.value.message


def test_provider_pick_metadata_only_then_knowing():
    a, b = ShieldProvider("a", {}), ShieldProvider("b", {})
    a.table.add_configured("x", 1)
    host = ProviderHost("safety", [a, b])
    with pytest.raises(ServiceUnavailable):
        host.pick(None, "x")
    host.ready = True
    assert host.pick("b", "x") is b  # the gateway's choice wins
    assert host.pick(None, "x") is a  # else the one that knows it
    with pytest.raises(NotFound):
        host.pick(None, "nobody-knows")
    b.table.add_configured("x", 1)
    with pytest.raises(FailedPrecondition):
        host.pick(None, "x")
    single = ProviderHost("safety", [ShieldProvider("only", {})])
    single.ready = True
    assert single.pick(None, "anything").provider_id == "only"


def test_skeleton_builds_a_component_with_the_provider_service(tmp_path):
    run = tmp_path / "run.yaml"
    run.write_text(
        "version: 2\nproviders:\n  safety:\n  - {provider_id: p, provider_type: test::shields}\n"
        "services:\n  safety: {port: 50999}\n"
    )
    definition = ServiceDef(api="safety", providers={"test::shields": ShieldProvider},
                            servicers=lambda host: [])  # fmt: skip
    component = build_component(definition, Settings(run_config=run))
    assert component.name == "safety" and component.port == 50999
    names = [type(s).__name__ for _, s in component.servicers]
    assert names == ["ProviderServicer"]


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("version: 2\nservices: {safety: {}}\n", "hosts no providers"),
        (
            "version: 2\nproviders:\n  safety:\n  - {provider_id: p, provider_type: nope}\n",
            "unknown provider_type 'nope'",
        ),
    ],
)
def test_skeleton_config_mistakes_are_one_clear_line(tmp_path, yaml_text, message):
    run = tmp_path / "run.yaml"
    run.write_text(yaml_text)
    definition = ServiceDef(api="safety", providers={"test::shields": ShieldProvider},
                            servicers=lambda host: [])  # fmt: skip
    with pytest.raises(SystemExit) as exc:
        build_component(definition, Settings(run_config=run))
    assert message in str(exc.value)


def test_importing_a_service_loads_no_provider_library():
    code = (
        "import sys; import services.inference.__main__\n"
        "heavy = [m for m in ('llama_cpp', 'torch', 'sentence_transformers', 'openai', 'httpx',"
        " 'numpy') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_one_table_of_kinds_drives_run_yaml_sections_and_the_cli():
    from cli.kinds import KINDS as CLI_KINDS

    assert tuple(k.section for k in KINDS) == RESOURCE_SECTIONS
    assert [k.spec for k in CLI_KINDS] == list(KINDS)
    config = RunConfig.model_validate({k.section: [{"x": 1}] for k in KINDS})
    assert all(config.resources(k.section) == [{"x": 1}] for k in KINDS)
