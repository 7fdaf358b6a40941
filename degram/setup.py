# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
# `pip install ./degram` (no ROS needed) and colcon (ament_python) both build from this file.
import re
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).resolve().parent  # colcon runs a symlink of this file from build/
# the version is package.xml's (the one number; test_version.py checks the three packages agree)
VERSION = re.search(r'<version>([^<]+)</version>', (HERE / 'package.xml').read_text()).group(1)

setup(
    name='degram',
    version=VERSION,
    description='DEGram learnable time-frequency front-ends (SincGram + TF-DELayer) and sound-event / '
                'speaker models in PyTorch, with training, evaluation, export and benchmark tools.',
    long_description=(HERE / 'README.md').read_text(encoding='utf-8'),
    long_description_content_type='text/markdown',
    license='Apache-2.0',
    maintainer='degram_ros maintainers',
    maintainer_email='maintainers@degram-ros.dev',
    python_requires='>=3.10',
    packages=find_packages(include=['degram', 'degram.*']),
    package_data={'degram': ['assets/models/*.pt', 'assets/models/manifest.json', 'training/configs/*.yaml']},
    zip_safe=False,
    install_requires=['numpy', 'torch', 'soundfile', 'soxr', 'pyyaml'],
    extras_require={
        'export': ['onnx', 'onnxruntime'],
        'plot': ['matplotlib'],
        'bags': ['rosbags'],
        'speaker': ['silero-vad>=6.2'],   # voice activity detection for degram.speaker (no torchaudio needed)
        # rooms, microphones and codecs in training and `degram eval --channel` (degram.data.channel)
        'train': ['scipy', 'audiomentations>=0.43', 'pyroomacoustics>=0.10'],
        'test': ['pytest', 'ruff', 'onnx', 'onnxruntime', 'matplotlib', 'rosbags', 'silero-vad>=6.2',
                 'scipy', 'audiomentations>=0.43', 'pyroomacoustics>=0.10', 'scikit-learn'],
    },
    entry_points={'console_scripts': ['degram = degram.cli:main']},
)
