import datetime

from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from llamastack.common.v1 import job_pb2 as _job_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DatasetFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DATASET_FORMAT_UNSPECIFIED: _ClassVar[DatasetFormat]
    DATASET_FORMAT_INSTRUCT: _ClassVar[DatasetFormat]
    DATASET_FORMAT_DIALOG: _ClassVar[DatasetFormat]

class OptimizerType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OPTIMIZER_TYPE_UNSPECIFIED: _ClassVar[OptimizerType]
    OPTIMIZER_TYPE_ADAM: _ClassVar[OptimizerType]
    OPTIMIZER_TYPE_ADAMW: _ClassVar[OptimizerType]
    OPTIMIZER_TYPE_SGD: _ClassVar[OptimizerType]

class DpoLossType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DPO_LOSS_TYPE_UNSPECIFIED: _ClassVar[DpoLossType]
    DPO_LOSS_TYPE_SIGMOID: _ClassVar[DpoLossType]
    DPO_LOSS_TYPE_HINGE: _ClassVar[DpoLossType]
    DPO_LOSS_TYPE_IPO: _ClassVar[DpoLossType]
    DPO_LOSS_TYPE_KTO_PAIR: _ClassVar[DpoLossType]
DATASET_FORMAT_UNSPECIFIED: DatasetFormat
DATASET_FORMAT_INSTRUCT: DatasetFormat
DATASET_FORMAT_DIALOG: DatasetFormat
OPTIMIZER_TYPE_UNSPECIFIED: OptimizerType
OPTIMIZER_TYPE_ADAM: OptimizerType
OPTIMIZER_TYPE_ADAMW: OptimizerType
OPTIMIZER_TYPE_SGD: OptimizerType
DPO_LOSS_TYPE_UNSPECIFIED: DpoLossType
DPO_LOSS_TYPE_SIGMOID: DpoLossType
DPO_LOSS_TYPE_HINGE: DpoLossType
DPO_LOSS_TYPE_IPO: DpoLossType
DPO_LOSS_TYPE_KTO_PAIR: DpoLossType

class DataConfig(_message.Message):
    __slots__ = ("dataset_id", "batch_size", "shuffle", "data_format", "validation_dataset_id", "packed", "train_on_input")
    DATASET_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    SHUFFLE_FIELD_NUMBER: _ClassVar[int]
    DATA_FORMAT_FIELD_NUMBER: _ClassVar[int]
    VALIDATION_DATASET_ID_FIELD_NUMBER: _ClassVar[int]
    PACKED_FIELD_NUMBER: _ClassVar[int]
    TRAIN_ON_INPUT_FIELD_NUMBER: _ClassVar[int]
    dataset_id: str
    batch_size: int
    shuffle: bool
    data_format: DatasetFormat
    validation_dataset_id: str
    packed: bool
    train_on_input: bool
    def __init__(self, dataset_id: _Optional[str] = ..., batch_size: _Optional[int] = ..., shuffle: _Optional[bool] = ..., data_format: _Optional[_Union[DatasetFormat, str]] = ..., validation_dataset_id: _Optional[str] = ..., packed: _Optional[bool] = ..., train_on_input: _Optional[bool] = ...) -> None: ...

class OptimizerConfig(_message.Message):
    __slots__ = ("optimizer_type", "lr", "weight_decay", "num_warmup_steps")
    OPTIMIZER_TYPE_FIELD_NUMBER: _ClassVar[int]
    LR_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_DECAY_FIELD_NUMBER: _ClassVar[int]
    NUM_WARMUP_STEPS_FIELD_NUMBER: _ClassVar[int]
    optimizer_type: OptimizerType
    lr: float
    weight_decay: float
    num_warmup_steps: int
    def __init__(self, optimizer_type: _Optional[_Union[OptimizerType, str]] = ..., lr: _Optional[float] = ..., weight_decay: _Optional[float] = ..., num_warmup_steps: _Optional[int] = ...) -> None: ...

class EfficiencyConfig(_message.Message):
    __slots__ = ("enable_activation_checkpointing", "enable_activation_offloading", "memory_efficient_fsdp_wrap", "fsdp_cpu_offload")
    ENABLE_ACTIVATION_CHECKPOINTING_FIELD_NUMBER: _ClassVar[int]
    ENABLE_ACTIVATION_OFFLOADING_FIELD_NUMBER: _ClassVar[int]
    MEMORY_EFFICIENT_FSDP_WRAP_FIELD_NUMBER: _ClassVar[int]
    FSDP_CPU_OFFLOAD_FIELD_NUMBER: _ClassVar[int]
    enable_activation_checkpointing: bool
    enable_activation_offloading: bool
    memory_efficient_fsdp_wrap: bool
    fsdp_cpu_offload: bool
    def __init__(self, enable_activation_checkpointing: _Optional[bool] = ..., enable_activation_offloading: _Optional[bool] = ..., memory_efficient_fsdp_wrap: _Optional[bool] = ..., fsdp_cpu_offload: _Optional[bool] = ...) -> None: ...

class TrainingConfig(_message.Message):
    __slots__ = ("n_epochs", "max_steps_per_epoch", "gradient_accumulation_steps", "max_validation_steps", "data_config", "optimizer_config", "efficiency_config", "dtype")
    N_EPOCHS_FIELD_NUMBER: _ClassVar[int]
    MAX_STEPS_PER_EPOCH_FIELD_NUMBER: _ClassVar[int]
    GRADIENT_ACCUMULATION_STEPS_FIELD_NUMBER: _ClassVar[int]
    MAX_VALIDATION_STEPS_FIELD_NUMBER: _ClassVar[int]
    DATA_CONFIG_FIELD_NUMBER: _ClassVar[int]
    OPTIMIZER_CONFIG_FIELD_NUMBER: _ClassVar[int]
    EFFICIENCY_CONFIG_FIELD_NUMBER: _ClassVar[int]
    DTYPE_FIELD_NUMBER: _ClassVar[int]
    n_epochs: int
    max_steps_per_epoch: int
    gradient_accumulation_steps: int
    max_validation_steps: int
    data_config: DataConfig
    optimizer_config: OptimizerConfig
    efficiency_config: EfficiencyConfig
    dtype: str
    def __init__(self, n_epochs: _Optional[int] = ..., max_steps_per_epoch: _Optional[int] = ..., gradient_accumulation_steps: _Optional[int] = ..., max_validation_steps: _Optional[int] = ..., data_config: _Optional[_Union[DataConfig, _Mapping]] = ..., optimizer_config: _Optional[_Union[OptimizerConfig, _Mapping]] = ..., efficiency_config: _Optional[_Union[EfficiencyConfig, _Mapping]] = ..., dtype: _Optional[str] = ...) -> None: ...

class LoraFinetuningConfig(_message.Message):
    __slots__ = ("lora_attn_modules", "apply_lora_to_mlp", "apply_lora_to_output", "rank", "alpha", "use_dora", "quantize_base")
    LORA_ATTN_MODULES_FIELD_NUMBER: _ClassVar[int]
    APPLY_LORA_TO_MLP_FIELD_NUMBER: _ClassVar[int]
    APPLY_LORA_TO_OUTPUT_FIELD_NUMBER: _ClassVar[int]
    RANK_FIELD_NUMBER: _ClassVar[int]
    ALPHA_FIELD_NUMBER: _ClassVar[int]
    USE_DORA_FIELD_NUMBER: _ClassVar[int]
    QUANTIZE_BASE_FIELD_NUMBER: _ClassVar[int]
    lora_attn_modules: _containers.RepeatedScalarFieldContainer[str]
    apply_lora_to_mlp: bool
    apply_lora_to_output: bool
    rank: int
    alpha: int
    use_dora: bool
    quantize_base: bool
    def __init__(self, lora_attn_modules: _Optional[_Iterable[str]] = ..., apply_lora_to_mlp: _Optional[bool] = ..., apply_lora_to_output: _Optional[bool] = ..., rank: _Optional[int] = ..., alpha: _Optional[int] = ..., use_dora: _Optional[bool] = ..., quantize_base: _Optional[bool] = ...) -> None: ...

class QatFinetuningConfig(_message.Message):
    __slots__ = ("quantizer_name", "group_size")
    QUANTIZER_NAME_FIELD_NUMBER: _ClassVar[int]
    GROUP_SIZE_FIELD_NUMBER: _ClassVar[int]
    quantizer_name: str
    group_size: int
    def __init__(self, quantizer_name: _Optional[str] = ..., group_size: _Optional[int] = ...) -> None: ...

class AlgorithmConfig(_message.Message):
    __slots__ = ("lora", "qat")
    LORA_FIELD_NUMBER: _ClassVar[int]
    QAT_FIELD_NUMBER: _ClassVar[int]
    lora: LoraFinetuningConfig
    qat: QatFinetuningConfig
    def __init__(self, lora: _Optional[_Union[LoraFinetuningConfig, _Mapping]] = ..., qat: _Optional[_Union[QatFinetuningConfig, _Mapping]] = ...) -> None: ...

class DpoAlignmentConfig(_message.Message):
    __slots__ = ("beta", "loss_type")
    BETA_FIELD_NUMBER: _ClassVar[int]
    LOSS_TYPE_FIELD_NUMBER: _ClassVar[int]
    beta: float
    loss_type: DpoLossType
    def __init__(self, beta: _Optional[float] = ..., loss_type: _Optional[_Union[DpoLossType, str]] = ...) -> None: ...

class PostTrainingMetric(_message.Message):
    __slots__ = ("epoch", "train_loss", "validation_loss", "perplexity")
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    TRAIN_LOSS_FIELD_NUMBER: _ClassVar[int]
    VALIDATION_LOSS_FIELD_NUMBER: _ClassVar[int]
    PERPLEXITY_FIELD_NUMBER: _ClassVar[int]
    epoch: int
    train_loss: float
    validation_loss: float
    perplexity: float
    def __init__(self, epoch: _Optional[int] = ..., train_loss: _Optional[float] = ..., validation_loss: _Optional[float] = ..., perplexity: _Optional[float] = ...) -> None: ...

class Checkpoint(_message.Message):
    __slots__ = ("identifier", "created_at", "epoch", "post_training_job_id", "path", "training_metrics")
    IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    POST_TRAINING_JOB_ID_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    TRAINING_METRICS_FIELD_NUMBER: _ClassVar[int]
    identifier: str
    created_at: _timestamp_pb2.Timestamp
    epoch: int
    post_training_job_id: str
    path: str
    training_metrics: PostTrainingMetric
    def __init__(self, identifier: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., epoch: _Optional[int] = ..., post_training_job_id: _Optional[str] = ..., path: _Optional[str] = ..., training_metrics: _Optional[_Union[PostTrainingMetric, _Mapping]] = ...) -> None: ...

class PostTrainingJob(_message.Message):
    __slots__ = ("job_uuid", "job", "resources_allocated", "checkpoints")
    JOB_UUID_FIELD_NUMBER: _ClassVar[int]
    JOB_FIELD_NUMBER: _ClassVar[int]
    RESOURCES_ALLOCATED_FIELD_NUMBER: _ClassVar[int]
    CHECKPOINTS_FIELD_NUMBER: _ClassVar[int]
    job_uuid: str
    job: _job_pb2.Job
    resources_allocated: _struct_pb2.Struct
    checkpoints: _containers.RepeatedCompositeFieldContainer[Checkpoint]
    def __init__(self, job_uuid: _Optional[str] = ..., job: _Optional[_Union[_job_pb2.Job, _Mapping]] = ..., resources_allocated: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., checkpoints: _Optional[_Iterable[_Union[Checkpoint, _Mapping]]] = ...) -> None: ...
