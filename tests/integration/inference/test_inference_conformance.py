"""The ProviderService conformance suite against the real inference service (llama.cpp and
sentence-transformers providers), with a gateway in front."""

from __future__ import annotations

import pytest
from google.protobuf import struct_pb2

from llamastack.registry.v1 import model_service_pb2, resources_pb2
from tests.conformance.provider_service import ProviderServiceConformance, Target
from tests.integration.inference.mesh import MODEL

pytestmark = pytest.mark.slow


def _model(identifier: str, model_id: str = MODEL, **metadata: object) -> resources_pb2.Model:
    model = resources_pb2.Model(
        identifier=identifier,
        provider_id="llama-cpp",
        provider_resource_id=model_id,
        model_type=resources_pb2.MODEL_TYPE_LLM,
    )
    if metadata:
        model.metadata.CopyFrom(struct_pb2.Struct())
        model.metadata.update(metadata)
    return model


def _register(model: resources_pb2.Model) -> model_service_pb2.RegisterModelRequest:
    request = model_service_pb2.RegisterModelRequest(
        model_id=model.identifier,
        provider_id=model.provider_id,
        provider_model_id=model.provider_resource_id,
        model_type=model.model_type,
    )
    if model.HasField("metadata"):
        request.metadata.CopyFrom(model.metadata)
    return request


class TestInferenceConformance(ProviderServiceConformance):
    @pytest.fixture(scope="class")
    def conformance(self, inline_service, inference_gateway) -> Target:
        return Target(
            api="inference",
            service=inline_service.address,
            gateway=inference_gateway.address,
            valid=lambda ident: _model(ident),
            variant=lambda ident: _model(ident, purpose="another"),
            invalid=lambda ident: _model(ident, model_id="no-such-model"),
            register_request=_register,
        )
