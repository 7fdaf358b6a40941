# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
import os
import re
from glob import glob
from pathlib import Path

from setuptools import find_packages, setup

package_name = 'degram_ros'
# the version is package.xml's (the one number; test_version.py checks the three packages agree)
VERSION = re.search(r'<version>([^<]+)</version>',
                    (Path(__file__).resolve().parent / 'package.xml').read_text()).group(1)

setup(
    name=package_name,
    version=VERSION,
    packages=find_packages(exclude=['test']),
    package_data={package_name: ['assets/demo/*']},
    include_package_data=True,
    data_files=[
        ('share/ament_index/resource_index/packages', ['resource/' + package_name]),
        ('share/' + package_name, ['package.xml']),
        (os.path.join('share', package_name, 'launch'), glob('launch/*.launch.py')),
        (os.path.join('share', package_name, 'config'), glob('config/*.yaml')),
    ],
    install_requires=['setuptools', 'numpy', 'soundfile', 'degram'],
    zip_safe=False,
    maintainer='degram_ros maintainers',
    maintainer_email='maintainers@degram-ros.dev',
    description='ROS 2 adapter of the degram library: real-time sound-event and speaker '
                'recognition nodes on audio_common streams.',
    license='Apache-2.0',
    python_requires='>=3.10',
    entry_points={
        'console_scripts': [
            'degram_node = degram_ros.node:main',
            'wav_publisher = degram_ros.wav_publisher:main',
        ],
    },
)
