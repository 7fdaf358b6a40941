# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""MP3 recognised by content: an ID3v2 tag, or two consecutive valid MPEG audio frame headers."""
from __future__ import annotations

# bitrates (kbit/s) by [version is MPEG-1][layer 1, 2, 3][index]; sample rates by version
_BITRATES = {
    True: {1: (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
           2: (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
           3: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)},
    False: {1: (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
            2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
            3: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)},
}
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def frame_length(header: bytes) -> int | None:
    """Bytes of the MPEG audio frame that ``header`` (4 bytes) starts, or None if it is no valid header."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version, layer_bits = (header[1] >> 3) & 3, (header[1] >> 1) & 3
    bitrate_index, rate_index, padding = header[2] >> 4, (header[2] >> 2) & 3, (header[2] >> 1) & 1
    if version == 1 or layer_bits == 0 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    layer = 4 - layer_bits
    bitrate = _BITRATES[version == 3][layer][bitrate_index] * 1000
    rate = _RATES[version][rate_index]
    if layer == 1:
        return (12 * bitrate // rate + padding) * 4
    return (144 if layer == 2 or version == 3 else 72) * bitrate // rate + padding


def looks_like_mp3(data: bytes) -> bool:
    """True for bytes that start with an ID3v2 tag or with two chained MPEG frame headers (PCM that
    happens to start like one header is not mistaken for MP3)."""
    data = bytes(data[:8192])
    if data[:3] == b'ID3' and len(data) >= 10 and data[3] < 0xFF and data[4] < 0xFF:
        return True
    length = frame_length(data[:4])
    return bool(length) and frame_length(data[length:length + 4]) is not None
