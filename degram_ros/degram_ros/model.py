"""Loading the model of ``degram_node`` (configure) and releasing it (cleanup).

torch is imported here, on first use, so that importing the node module stays light and a
Ctrl-C during start-up lands in code that handles it.
"""
from __future__ import annotations

from dataclasses import dataclass

from degram_ros.parameters import StartupError


@dataclass
class LoadedModel:
    ckpt: object            # degram.inference.Predictor
    task: str               # 'sound_event' | 'speaker_id'
    labels: list
    sample_rate: int
    name: str
    multi_label: bool
    device_text: str        # what ModelInfo.device and diagnostics show (with any fallback note)
    meta: dict


def model_name(p: dict) -> str:
    """The model_path parameter, or the shipped model for the task."""
    return p['model_path'].strip() or p['task'] or 'sound_event'


def resolve_device(spec: str) -> tuple[str, str]:
    """'auto'|'cpu'|'cuda'|'cuda:N' → (torch device string, human description with any
    fallback note)."""
    import torch

    spec = spec.strip().lower()
    cuda = torch.cuda.is_available()
    if spec == 'auto':
        dev = 'cuda:0' if cuda else 'cpu'
        return dev, dev
    if spec == 'cpu':
        return 'cpu', 'cpu'
    index = int(spec.split(':')[1]) if ':' in spec else 0
    if not cuda:
        return 'cpu', f'cpu (fallback: {spec} requested but CUDA is not available)'
    if index >= torch.cuda.device_count():
        return 'cpu', (f'cpu (fallback: {spec} requested but only '
                       f'{torch.cuda.device_count()} CUDA device(s))')
    return f'cuda:{index}', f'cuda:{index}'


def load_model(p: dict, logger) -> LoadedModel:
    """Load the model the (validated) parameters ask for; raises :class:`StartupError` with one
    clear message (and the model_path hint) on any problem."""
    try:
        import torch

        from degram.inference import CheckpointError, load_checkpoint
    except ImportError as exc:
        raise StartupError(f'cannot import the model library ({exc}); install torch and '
                           'degram_ros') from None
    if p['num_threads'] > 0:
        torch.set_num_threads(int(p['num_threads']))
    device, device_text = resolve_device(p['device'])
    if device == 'cpu' and 'fallback' in device_text:
        logger.warning(f'device: {device_text}')
    name = model_name(p)
    try:
        ckpt = load_checkpoint(name, device=device)
    except CheckpointError as exc:
        hint = ('' if p['model_path'].strip() else
                '; set it with the model_path parameter, e.g. '
                '--ros-args -p model_path:=/path/to/model.pt')
        raise StartupError(f'cannot load model: {exc}{hint}') from None
    except Exception as exc:  # anything else a broken file can raise
        raise StartupError(f"cannot load model '{name}': {type(exc).__name__}: {exc}") from None
    task = 'speaker_id' if ckpt.task == 'speaker_id' else 'sound_event'
    if p['task'] and p['task'] != task:
        raise StartupError(f"model '{name}' is a {ckpt.task} model but the task parameter is "
                           f"'{p['task']}'")
    meta = dict(getattr(ckpt, 'metadata', None) or {})
    return LoadedModel(
        ckpt=ckpt, task=task, labels=list(ckpt.labels), sample_rate=int(ckpt.sample_rate),
        name=str(meta.get('name') or name.rsplit('/', 1)[-1].rsplit('.', 1)[0]),
        multi_label=bool(meta.get('multi_label', False)),
        device_text=device_text if 'fallback' in device_text else str(ckpt.device), meta=meta)


def release(model: LoadedModel | None) -> None:
    """Drop the model's weights (and the CUDA cache they used)."""
    if model is None:
        return
    on_cuda = str(model.device_text).startswith('cuda')
    model.ckpt = None
    if on_cuda:
        import torch

        torch.cuda.empty_cache()
