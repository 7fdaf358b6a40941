# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""degram_ros: the ROS 2 adapter of the degram library: ``degram_node`` (sound events / speakers on
an audio_common stream), ``wav_publisher``, the in-process runner and the demo.

The models, training and tools are the ``degram`` package (no ROS import there).
"""
from degram import __version__  # noqa: F401  (one version for the three packages: package.xml)
