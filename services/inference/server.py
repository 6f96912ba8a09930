"""Builds the inference process: its providers, the InferenceService and the ProviderService."""

from __future__ import annotations

from llamastack.inference.v1 import inference_service_pb2_grpc
from llamastack.provider.v1 import provider_service_pb2_grpc
from services.common.config import ConfigError, load_run_config
from services.common.providers import ProviderHost, ProviderServicer, build_providers
from services.common.server import Component
from services.common.settings import Settings
from services.inference.providers import PROVIDERS
from services.inference.service import InferenceService
from services.inference.servicer import InferenceServicer

__all__ = ["build"]


def build(settings: Settings) -> Component:
    """One inference service process (`LLS_SERVICE_NAME` picks its entry in the run.yaml)."""
    if settings.run_config is None:
        raise SystemExit("inference: LLS_RUN_CONFIG is not set (the distribution's run.yaml)")
    name = settings.service_name or "inference"
    try:
        config = load_run_config(settings.run_config)
        specs = config.providers_of(name)
        if not specs:
            raise ConfigError(
                f"service {name!r} hosts no providers: add some under providers."
                f"{config.api_of(name)} in {settings.run_config}"
            )
        providers = build_providers(specs, PROVIDERS)
    except ConfigError as exc:
        raise SystemExit(f"inference: {exc}") from None
    if settings.grpc_port is None and name in config.services:
        settings.grpc_port = config.port_of(name)
    host = ProviderHost("inference", providers)
    component = Component(name="inference", start=host.start, stop=host.stop)
    component.servicers = [
        (
            inference_service_pb2_grpc.add_InferenceServiceServicer_to_server,
            InferenceServicer(InferenceService(host)),
        ),
        (
            provider_service_pb2_grpc.add_ProviderServiceServicer_to_server,
            ProviderServicer(host, lambda: component.service_names),
        ),
    ]
    return component
