# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""`degram info MODEL`: metadata, parameter counts and FLOPs per second of audio."""
from __future__ import annotations

import json

from .common import add_model_argument


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        'info', help='show a model: metadata, parameters, FLOPs per second of audio',
        description='Show what a checkpoint holds: task, labels, architecture, training metrics, '
        'parameter counts (front-end / backbone) and FLOPs per second of audio.')
    add_model_argument(parser)
    parser.add_argument('--json', action='store_true', help='print one JSON object instead of text')
    parser.set_defaults(func=run)


def describe(checkpoint) -> dict:
    from ..inference import PRETRAINED
    from ..profiling import flops_per_second, parameter_count

    model = checkpoint.model
    shipped = next((entry for entry in (PRETRAINED.get(n) for n in PRETRAINED.names())
                    if entry.file.resolve() == checkpoint.path.resolve()), None)
    return {
        'path': str(checkpoint.path),
        'name': checkpoint.name,
        'task': checkpoint.task,
        'frontend': model.frontend_name,
        'backbone': model.backbone_name,
        'sample_rate': checkpoint.sample_rate,
        'num_classes': len(checkpoint.labels),
        'labels': checkpoint.labels,
        'config': model.config.to_dict(),
        'parameters': {
            'total': parameter_count(model),
            'frontend': parameter_count(model.frontend),
            'frontend_trainable': parameter_count(model.frontend, trainable_only=True),
            'backbone': parameter_count(model.backbone),
        },
        'gflops_per_second': flops_per_second(model, checkpoint.sample_rate) / 1e9,
        'metadata': checkpoint.metadata.to_dict(),
        'licence': shipped.licence if shipped else checkpoint.metadata.licence,
        'trained_on': shipped.trained_on if shipped else '',
    }


def run(args) -> int:
    from ..inference import load_checkpoint

    checkpoint = load_checkpoint(args.model)
    info = describe(checkpoint)
    if args.json:
        print(json.dumps(info, indent=2, default=str))
        return 0
    params = info['parameters']
    print(f"model        {info['name']}  ({info['path']})")
    print(f"task         {info['task']}")
    print(f"architecture {info['frontend']} + {info['backbone']}, {info['sample_rate']} Hz")
    print(f"labels       {info['num_classes']}: {', '.join(info['labels'][:12])}"
          f"{' …' if info['num_classes'] > 12 else ''}")
    print(f"parameters   {params['total']:,} (front-end {params['frontend']:,}, "
          f"backbone {params['backbone']:,})")
    print(f"compute      {info['gflops_per_second']:.3f} GFLOPs per second of audio")
    if info['licence']:
        print(f"licence      {info['licence']} (weights inherit the licence of their training data"
              f"{': ' + info['trained_on'] if info['trained_on'] else ''})")
    metrics = checkpoint.metadata.metrics
    if metrics:
        print('metrics      ' + ', '.join(f'{k} {v:.4g}' if isinstance(v, float) else f'{k} {v}'
                                          for k, v in metrics.items()))
    return 0
